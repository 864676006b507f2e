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
} from './minhash.ts';

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

/** A posting's signature and guard, computed once per request. */
export interface JobFingerprint {
  signature: Uint32Array;
  bands: string[];
  guard: string;
}

export function fingerprintJob(job: JobInput): JobFingerprint {
  const signature = signatureOf(textOf(job));
  return { signature, bands: bandHashes(signature), guard: guardOf(job) };
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

  async find(fp: JobFingerprint, tier: number): Promise<NearHit | undefined> {
    const ids = await this.options.redis.mget(fp.bands.map((h, i) => this.bandKey(tier, i, h)));
    const candidates = [...new Set(ids.filter((id): id is string => id !== null))];
    if (candidates.length === 0) return undefined;
    const docs = await this.options.redis.mget(candidates.map((id) => this.docKey(id)));
    let best: NearHit | undefined;
    for (const raw of docs) {
      if (!raw) continue;
      const doc = JSON.parse(raw) as {
        sig: string;
        guard: string;
        analysis: JobAnalysis;
        provider: string;
        model: string;
      };
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
    const id = createHash('sha256')
      .update(encodeSignature(fp.signature))
      .update(fp.guard)
      .digest('base64url')
      .slice(0, 22);
    const ttl = this.options.ttlSeconds;
    const pipeline = this.options.redis.pipeline();
    pipeline.set(
      this.docKey(id),
      JSON.stringify({ sig: encodeSignature(fp.signature), guard: fp.guard, ...answer }),
      'EX',
      ttl,
    );
    for (const [band, hash] of fp.bands.entries())
      pipeline.set(this.bandKey(tier, band, hash), id, 'EX', ttl);
    await pipeline.exec();
  }
}
