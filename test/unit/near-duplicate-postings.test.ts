/**
 * The cell's near-duplicate rule over the generated job corpus of the AI
 * optimizer (realistic postings, several per company sharing boilerplate):
 * distinct postings never join one job, light edits and reposts always do,
 * and a retitled posting is a new job.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { postingSignature, postingTitleKey } from '../../cell/domain/discovery/fingerprint.ts';
import { NearDuplicateIndex, postingShape } from '../../cell/domain/discovery/near-duplicates.ts';
import type { JobInput } from '../../lib/ai/contract.ts';
import { htmlToText } from '../../lib/ai/embedded/index.ts';
import {
  generateJob,
  lightlyEdit,
} from '../../shared-services/ai-optimizer/test-support/job-corpus.ts';

/** As the cell stores it: the board adapters turn HTML into clean text. */
function shapeOf(job: JobInput) {
  const posting = { title: job.title, description: htmlToText(job.description) };
  return postingShape(postingTitleKey(posting), postingSignature(posting));
}

describe('near-duplicate postings in the cell', () => {
  it('never joins distinct generated postings, whatever the seeds', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: 2 ** 31 - 1 }), {
          minLength: 20,
          maxLength: 80,
        }),
        (seeds) => {
          const index = new NearDuplicateIndex();
          for (const seed of seeds) {
            const shape = shapeOf(generateJob(seed));
            expect(index.find(shape)).toBeNull();
            index.add(`job-${seed}`, shape);
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it('joins every light edit and repost to the job of its original', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: 2 ** 31 - 1 }), {
          minLength: 10,
          maxLength: 40,
        }),
        fc.integer(),
        (seeds, editSeed) => {
          const index = new NearDuplicateIndex();
          const originals = seeds.map((seed) => generateJob(seed));
          originals.forEach((job, i) => {
            index.add(`job-${seeds[i]}`, shapeOf(job));
          });
          originals.forEach((job, i) => {
            const edited = lightlyEdit(job, editSeed + i);
            expect(index.find(shapeOf(edited))?.jobId).toBe(`job-${seeds[i]}`);
            const repost = { ...job, description: `${job.description}\n` };
            expect(index.find(shapeOf(repost))).toMatchObject({
              jobId: `job-${seeds[i]}`,
              similarity: 1,
            });
          });
        },
      ),
      { numRuns: 40 },
    );
  });

  it('keeps a posting with another title apart, however close its text', () => {
    const job = generateJob(7);
    const index = new NearDuplicateIndex();
    index.add('original', shapeOf(job));
    expect(index.find(shapeOf({ ...job, title: `Staff ${job.title}` }))).toBeNull();
    // Case and punctuation of the title do not matter.
    expect(index.find(shapeOf({ ...job, title: `${job.title.toUpperCase()}!` }))?.jobId).toBe(
      'original',
    );
  });
});
