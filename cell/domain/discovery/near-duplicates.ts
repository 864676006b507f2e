/**
 * Near-duplicate postings across the cell: a posting re-posted with a light
 * edit (a changed sentence, a new salary line, reordered bullets) or listed on
 * another board joins the job of the posting it duplicates. Each board posting
 * keeps its MinHash signature and an LSH index of its band keys
 * (`posting_lsh_bands`); a new posting's candidates are the stored postings
 * sharing a band key, and it joins the most similar candidate with the same
 * normalized title whose estimated Jaccard reaches the threshold. One query
 * loads the candidates of a whole board fetch; the rest is in memory. See
 * docs/adr/0003-near-duplicate-jobs-minhash.md.
 */
import type postgres from 'postgres';
import {
  bandKeys,
  decodeSignature,
  encodeSignature,
  NEAR_DUPLICATE_THRESHOLD,
  similarity,
} from '../../../lib/text/minhash.ts';
import { jsonRows } from '../../infra/json-rows.ts';

/** What the index needs of a posting. */
export interface PostingShape {
  titleKey: string;
  signature: Uint32Array;
  bandKeys: number[];
}

export function postingShape(titleKey: string, signature: Uint32Array): PostingShape {
  return { titleKey, signature, bandKeys: bandKeys(signature) };
}

interface Entry {
  jobId: string;
  titleKey: string;
  signature: Uint32Array;
}

export interface NearMatch {
  jobId: string;
  similarity: number;
}

/**
 * Candidates for one board fetch: the stored postings loaded by
 * `loadNearDuplicateIndex`, plus each posting of the fetch once it has a job,
 * so two near-duplicates on the same board also become one job.
 */
export class NearDuplicateIndex {
  private readonly byBand = new Map<number, Entry[]>();

  /**
   * @param threshold estimated Jaccard at or above which two postings are one.
   * @defaultValue NEAR_DUPLICATE_THRESHOLD (0.6)
   */
  constructor(readonly threshold = NEAR_DUPLICATE_THRESHOLD) {}

  add(jobId: string, shape: PostingShape): void {
    const entry: Entry = { jobId, titleKey: shape.titleKey, signature: shape.signature };
    for (const key of shape.bandKeys) {
      const list = this.byBand.get(key);
      if (list) list.push(entry);
      else this.byBand.set(key, [entry]);
    }
  }

  /** The job of the most similar candidate with the same title, if similar enough. */
  find(shape: PostingShape): NearMatch | null {
    let best: NearMatch | null = null;
    const seen = new Set<Entry>();
    for (const key of shape.bandKeys) {
      for (const entry of this.byBand.get(key) ?? []) {
        if (seen.has(entry)) continue;
        seen.add(entry);
        if (entry.titleKey !== shape.titleKey) continue;
        const value = similarity(entry.signature, shape.signature);
        if (value < this.threshold) continue;
        // Highest similarity wins; on a tie the older job (UUIDv7 ids sort by time).
        if (
          !best ||
          value > best.similarity ||
          (value === best.similarity && entry.jobId < best.jobId)
        )
          best = { jobId: entry.jobId, similarity: value };
      }
    }
    return best;
  }
}

/** One query: every stored board posting sharing a band key and a title with `shapes`. */
export async function loadNearDuplicateIndex(
  tx: postgres.TransactionSql,
  shapes: readonly PostingShape[],
  threshold?: number,
): Promise<NearDuplicateIndex> {
  const index = new NearDuplicateIndex(threshold);
  if (shapes.length === 0) return index;
  const keys = [...new Set(shapes.flatMap((shape) => shape.bandKeys))].map(String);
  const titles = [...new Set(shapes.map((shape) => shape.titleKey))];
  const rows = await tx<{ job_id: string; title_key: string; minhash: string }[]>`
    select p.job_id, p.title_key, encode(p.minhash, 'base64') as minhash
    from postings p
    where p.minhash is not null and p.title_key = any(${titles})
      and p.id in (select posting_id from posting_lsh_bands where band_key = any(${keys}::bigint[]))`;
  for (const row of rows) {
    const signature = decodeSignature(row.minhash);
    index.add(row.job_id, postingShape(row.title_key, signature));
  }
  return index;
}

/** Stores signatures, title keys and band keys of postings (replacing any earlier ones). */
export async function indexPostings(
  tx: postgres.TransactionSql,
  postings: readonly { postingId: string; shape: PostingShape }[],
): Promise<void> {
  if (postings.length === 0) return;
  const rows = postings.map(({ postingId, shape }) => ({
    id: postingId,
    title_key: shape.titleKey,
    minhash: encodeSignature(shape.signature),
    keys: shape.bandKeys,
  }));
  const ids = rows.map((row) => row.id);
  await tx`
    update postings p set title_key = x.title_key, minhash = decode(x.minhash, 'base64')
    from jsonb_to_recordset(${jsonRows(tx, rows)}) as x(id uuid, title_key text, minhash text)
    where p.id = x.id`;
  await tx`delete from posting_lsh_bands where posting_id = any(${ids}::uuid[])`;
  await tx`
    insert into posting_lsh_bands (band_key, posting_id)
    select k, x.id from jsonb_to_recordset(${jsonRows(tx, rows)}) as x(id uuid, keys bigint[]),
      unnest(x.keys) as k
    on conflict do nothing`;
}
