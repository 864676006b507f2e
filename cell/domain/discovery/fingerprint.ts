/**
 * Posting identity beyond (provider, external id): a content hash that detects
 * edits, and a normalized fingerprint that recognises the same posting on
 * another board or re-posted under a new id (case, punctuation, whitespace and
 * markup differences ignored).
 */
import { createHash } from 'node:crypto';
import type { NormalizedPosting } from '../../adapters/job-boards/types.ts';

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Lowercase letters and digits of any script, single-spaced, accents kept. */
export function normalizeText(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** Same title and same description once normalized: the same job. */
export function postingFingerprint(
  posting: Pick<NormalizedPosting, 'title' | 'description'>,
): string {
  return sha256(`${normalizeText(posting.title)}\n${normalizeText(posting.description)}`);
}

/** Changes when anything we store about the posting changes. */
export function postingContentHash(posting: NormalizedPosting): string {
  return sha256(
    JSON.stringify([
      posting.title,
      posting.company,
      posting.location,
      posting.remote,
      posting.description,
      posting.url,
    ]),
  );
}
