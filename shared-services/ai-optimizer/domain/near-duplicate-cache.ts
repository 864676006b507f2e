/**
 * Near-duplicate cache for analyze-job, in Redis: a posting whose MinHash
 * signature is close enough to an earlier one (estimated Jaccard ≥ threshold)
 * reuses that analysis. LSH bands index the signatures; a candidate must also
 * pass a guard: the embedded analyzer must read both postings the same way
 * (same skills, years, seniority and remote policy), so an edit that changes a
 * requirement never reuses the old answer.
 */

import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { JobAnalysis, JobInput } from '../../../lib/ai/contract.ts';
import { analyzeJob } from '../../../lib/ai/embedded/index.ts';
import {
  bandHashes,
  decodeSignature,
  encodeSignature,
  signatureOf,
  similarity,
} from '../../../lib/text/minhash.ts';

export interface NearDuplicateOptions {
  redis: Redis;
  prefix: string;
  /** @defaultValue 0.6 */
  threshold?: number;
  ttlSeconds: number;
}

export interface NearHit {
  analysis: JobAnalysis;
  provider: string;
  model: string;
  similarity: number;
}

/** What a posting means to the cheap analyzer: equal guards are required for reuse. */
function guardOf(job: JobInput): string {
  const a = analyzeJob(job);
  return JSON.stringify([
    [...a.mustHave].sort(),
    [...a.niceToHave].sort(),
    [...a.keywords].sort(),
    a.yearsMin,
    a.seniority,
    a.remote,
  ]);
}

function textOf(job: JobInput): string {
  return [job.title, job.company ?? '', job.location ?? '', job.description].join('\n');
}

/** A posting's signature and guard, each computed at most once per request. */
export interface JobFingerprint {
  signature: Uint32Array;
  bands: string[];
  /** The cheap analyzer's reading; computed on first use (lookups need only the bands). */
  readonly guard: string;
}

export function fingerprintJob(job: JobInput): JobFingerprint {
  const signature = signatureOf(textOf(job));
  let guard: string | undefined;
  return {
    signature,
    bands: bandHashes(signature),
    get guard() {
      guard ??= guardOf(job);
      return guard;
    },
  };
}

/** A stored posting: its signature, guard and analysis. */
interface NearDoc {
  sig: string;
  guard: string;
  analysis: JobAnalysis;
  provider: string;
  model: string;
}

export class NearDuplicateCache {
  private readonly threshold: number;

  constructor(private readonly options: NearDuplicateOptions) {
    this.threshold = options.threshold ?? 0.6;
  }

  private bandKey(tier: number, band: number, hash: string): string {
    return `${this.options.prefix}nd:${tier}:${band}:${hash}`;
  }

  private docKey(id: string): string {
    return `${this.options.prefix}nd:doc:${id}`;
  }

  /** The ids of postings sharing an LSH band with `fp`. */
  async candidates(fp: JobFingerprint, tier: number): Promise<string[]> {
    const ids = await this.options.redis.mget(fp.bands.map((h, i) => this.bandKey(tier, i, h)));
    return [...new Set(ids.filter((id): id is string => id !== null))];
  }

  /** The stored postings of `ids` (those not yet expired). */
  async documents(ids: readonly string[]): Promise<NearDoc[]> {
    const raws = await this.options.redis.mget(ids.map((id) => this.docKey(id)));
    return raws
      .filter((raw): raw is string => raw !== null)
      .map((raw) => JSON.parse(raw) as NearDoc);
  }

  /** The most similar document past the threshold whose guard equals `fp`'s. */
  best(fp: JobFingerprint, docs: readonly NearDoc[]): NearHit | undefined {
    let best: NearHit | undefined;
    for (const doc of docs) {
      const score = similarity(fp.signature, decodeSignature(doc.sig));
      if (score < this.threshold || doc.guard !== fp.guard) continue;
      if (!best || score > best.similarity)
        best = {
          analysis: doc.analysis,
          provider: doc.provider,
          model: doc.model,
          similarity: score,
        };
    }
    return best;
  }

  /** Stores the posting and its band entries. */
  add(
    fp: JobFingerprint,
    tier: number,
    answer: { analysis: JobAnalysis; provider: string; model: string },
  ): Promise<unknown> {
    const { redis, ttlSeconds: ttl } = this.options;
    const sig = encodeSignature(fp.signature);
    const id = createHash('sha256').update(sig).update(fp.guard).digest('base64url').slice(0, 22);
    const doc: NearDoc = { sig, guard: fp.guard, ...answer };
    return Promise.all([
      redis.set(this.docKey(id), JSON.stringify(doc), 'EX', ttl),
      ...fp.bands.map((hash, band) => redis.set(this.bandKey(tier, band, hash), id, 'EX', ttl)),
    ]);
  }
}
