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
import { type Pipeline, reply, send } from './redis-steps.ts';

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

  /** The best earlier posting close enough to `fp`, in two round trips. */
  async find(fp: JobFingerprint, tier: number): Promise<NearHit | undefined> {
    const lookup = this.options.redis.pipeline();
    const ids = this.queueCandidates(lookup, fp, tier);
    send(lookup);
    const candidates = await ids;
    if (candidates.length === 0) return undefined;
    const fetch = this.options.redis.pipeline();
    const docs = this.queueDocuments(fetch, candidates);
    send(fetch);
    return this.best(fp, await docs);
  }

  /** Queues the LSH band lookups on `pipeline`: the ids of postings sharing a band with `fp`. */
  async queueCandidates(pipeline: Pipeline, fp: JobFingerprint, tier: number): Promise<string[]> {
    const ids = await reply<(string | null)[]>((callback) =>
      pipeline.mget(
        fp.bands.map((h, i) => this.bandKey(tier, i, h)),
        callback,
      ),
    );
    return [...new Set(ids.filter((id): id is string => id !== null))];
  }

  /** Queues the fetch of candidate postings on `pipeline`. */
  async queueDocuments(pipeline: Pipeline, ids: readonly string[]): Promise<NearDoc[]> {
    const raws = await reply<(string | null)[]>((callback) =>
      pipeline.mget(
        ids.map((id) => this.docKey(id)),
        callback,
      ),
    );
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

  async add(
    fp: JobFingerprint,
    tier: number,
    answer: { analysis: JobAnalysis; provider: string; model: string },
  ): Promise<void> {
    await this.queueAdd(this.options.redis.pipeline(), fp, tier, answer).exec();
  }

  /** Queues the document and its band entries on `pipeline` (the caller sends it). */
  queueAdd(
    pipeline: Pipeline,
    fp: JobFingerprint,
    tier: number,
    answer: { analysis: JobAnalysis; provider: string; model: string },
  ): Pipeline {
    const sig = encodeSignature(fp.signature);
    const id = createHash('sha256').update(sig).update(fp.guard).digest('base64url').slice(0, 22);
    const ttl = this.options.ttlSeconds;
    const doc: NearDoc = { sig, guard: fp.guard, ...answer };
    pipeline.set(this.docKey(id), JSON.stringify(doc), 'EX', ttl);
    for (const [band, hash] of fp.bands.entries())
      pipeline.set(this.bandKey(tier, band, hash), id, 'EX', ttl);
    return pipeline;
  }
}
