/**
 * Posting identity beyond (provider, external id): a content hash that detects
 * edits, and a normalized fingerprint that recognises the same posting on
 * another board or re-posted under a new id (case, punctuation, whitespace and
 * markup differences ignored), and the MinHash signature and title key that
 * find near-duplicates (./near-duplicates.ts).
 */
import { createHash } from 'node:crypto';
import { signatureOf } from '../../../lib/text/minhash.ts';
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

/** The normalized title: near-duplicates must have equal title keys. */
export function postingTitleKey(posting: Pick<NormalizedPosting, 'title'>): string {
  return normalizeText(posting.title);
}

/** MinHash signature of title and description, the text the fingerprint covers. */
export function postingSignature(
  posting: Pick<NormalizedPosting, 'title' | 'description'>,
): Uint32Array {
  return signatureOf(`${posting.title}\n${posting.description}`);
}
