/**
 * Property: whatever a tailoring provider invents, no invented fact reaches a
 * rendered PDF (read back with pdftotext) or a submission (read at the fake
 * Greenhouse board, whose resume file is read back with pdftotext too).
 * The provider here takes the embedded deterministic variant and injects an
 * invented employer, title, skill, number and sentence. Employers, titles and
 * skills are never rewritten: such a variant fails and the embedded one is
 * used. The number and the sentence are rewritten prose without citations:
 * each is rejected and replaced by its source text, and the variant goes out.
 *
 * Every application also asks for a cover letter, written by an adversarial
 * letter provider: the embedded letter plus sentences with the same invented
 * words (cited and uncited), or with one cited fabrication of each kind. The
 * rejected sentences are dropped and recorded; no invented word reaches the
 * letter, its PDF, or the board's cover-letter field.
 */

import fc from 'fast-check';
import mammoth from 'mammoth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FABRICATION_KINDS,
  type FabricationKind,
  fabricate,
} from '../../cell/domain/applications/test-support/fabrications.ts';
import type { CoverLetter, JsonResume, TailorStrategy } from '../../lib/ai/contract.ts';
import {
  tailorResume,
  tailorResumeWithRewrites,
  writeCoverLetter,
} from '../../lib/ai/embedded/index.ts';
import { entryFacts, profileItems } from '../../lib/ai/profile-items.ts';
import { pdfToText } from '../../shared-services/pdf/test-support/poppler.ts';

import { startFakeGreenhouse } from '../fakes/greenhouse-board.ts';
import type { FakeApplicationApi } from '../fakes/http-fake.ts';
import type { Json } from '../harness/http.ts';
import {
  createWorkflowCell,
  type PdfService,
  startPdfService,
  type WorkflowCell,
} from '../harness/workflow.ts';

type Injection = 'employer' | 'title' | 'skill' | 'number' | 'sentence';
const INVENTED: Record<Injection, string> = {
  employer: 'Zorblaxcorp',
  title: 'Archwizard',
  skill: 'Quantumscript',
  number: '9137%',
  sentence: 'Wonblorgian',
};

/** Which injections the provider makes on its next calls (set per property run). */
let injections: Injection[] = [];
let calls = 0;
/** Set: the provider rewrites with citations and slips in one fabrication of this kind. */
let adversary: FabricationKind | undefined;
/** The fabricated texts it wrote (one per strategy), by kind. */
const fabricated = new Map<FabricationKind, { text: string; token: string }[]>();

/** The embedded rewrite with one cited fabrication in the first highlight of the first role. */
function adversarial(
  profile: JsonResume,
  input: Parameters<typeof tailorResume>,
  kind: FabricationKind,
) {
  const tailored = tailorResumeWithRewrites(...input);
  const first = tailored.variant.work?.[0];
  const text = first?.highlights?.[0];
  const sourceIndex = (profile.work ?? []).findIndex((w) => w.name === first?.name);
  const source = profile.work?.[sourceIndex] as Record<string, unknown> | undefined;
  const cited = tailored.citations.find((c) => c.pointer === '/work/0/highlights/0')?.cites[0];
  const item = profileItems(profile).find(
    (i) =>
      i.id === cited ||
      (cited === undefined && i.entry === `/work/${sourceIndex}` && i.text === text),
  );
  if (!first?.highlights || !item || !source) return tailored;
  const fabrication = fabricate(kind, item.text, JSON.stringify(profile), calls, {
    years: [Number(String(source.startDate).slice(0, 4))],
    context: entryFacts(source),
  });
  if (!fabrication) return tailored;
  fabricated.set(kind, [...(fabricated.get(kind) ?? []), fabrication]);
  first.highlights[0] = fabrication.text;
  const citations = tailored.citations.filter((c) => c.pointer !== '/work/0/highlights/0');
  citations.push({ pointer: '/work/0/highlights/0', cites: [item.id] });
  return { variant: tailored.variant, citations };
}

/** Fabricated letter sentences, by kind (one per letter written). */
const letterFabrications = new Map<FabricationKind, { text: string; token: string }[]>();

/** The embedded letter with invented sentences: the INVENTED words, or one cited fabrication. */
function adversarialLetter(profile: JsonResume, letter: CoverLetter): CoverLetter {
  const out = structuredClone(letter);
  const fit = out.paragraphs[Math.min(1, out.paragraphs.length - 1)];
  const items = profileItems(profile);
  const highlight = items.find((i) => i.kind === 'highlight' && i.entry === '/work/0');
  if (!fit || !highlight) return out;
  if (adversary) {
    const source = profile.work?.[0] as Record<string, unknown>;
    const fabrication = fabricate(adversary, highlight.text, JSON.stringify(profile), calls, {
      years: [Number(String(source.startDate).slice(0, 4))],
      context: entryFacts(source),
    });
    if (fabrication) {
      letterFabrications.set(adversary, [
        ...(letterFabrications.get(adversary) ?? []),
        fabrication,
      ]);
      fit.sentences.push({ text: fabrication.text, cites: [highlight.id] });
    }
    return out;
  }
  for (const kind of injections) {
    const text =
      kind === 'employer'
        ? `I worked at ${INVENTED.employer}.`
        : kind === 'title'
          ? `I was ${INVENTED.title} there.`
          : kind === 'skill'
            ? `I have worked with ${INVENTED.skill}.`
            : kind === 'number'
              ? `I grew revenue by ${INVENTED.number}.`
              : `${INVENTED.sentence} hero, as the posting says.`;
    // Cited like an honest sentence (the number and skill ones), or citing the posting only.
    fit.sentences.push({ text, cites: kind === 'sentence' ? [] : [highlight.id] });
  }
  return out;
}

function invent(variant: JsonResume): JsonResume {
  const out = structuredClone(variant) as Json;
  const work = out.work?.[0];
  for (const kind of injections) {
    if (kind === 'employer' && work) work.name = INVENTED.employer;
    if (kind === 'title' && work) work.position = INVENTED.title;
    if (kind === 'skill') out.skills = [{ name: 'Languages', keywords: [INVENTED.skill] }];
    if (kind === 'number' && work) work.highlights = [`Grew revenue by ${INVENTED.number}`];
    if (kind === 'sentence') out.basics = { ...out.basics, summary: `${INVENTED.sentence} hero` };
  }
  return out as JsonResume;
}

const COMPANIES = ['Pied Piper', 'Hooli', 'Raviga', 'Bachmanity', 'Endframe'];
const POSITIONS = ['Engineer', 'Senior Engineer', 'Team Lead', 'Data Analyst'];
const SKILLS = ['JavaScript', 'Python', 'Go', 'Kubernetes', 'PostgreSQL', 'React'];

const profileArb = fc.record({
  first: fc.constantFrom('Ada', 'Grace', 'Linus', 'Margaret', 'Émile', 'Zoë'),
  last: fc.constantFrom('Lovelace', 'Hopper', 'Hamilton', 'Ørsted', 'Nakamura'),
  work: fc.uniqueArray(
    fc.record({
      name: fc.constantFrom(...COMPANIES),
      position: fc.constantFrom(...POSITIONS),
      year: fc.integer({ min: 2005, max: 2020 }),
      highlights: fc.array(
        fc.tuple(
          fc.constantFrom('Cut latency by', 'Grew usage by', 'Led'),
          fc.integer({ min: 2, max: 60 }),
        ),
        { minLength: 1, maxLength: 3 },
      ),
    }),
    { minLength: 1, maxLength: 3, selector: (w) => w.name },
  ),
  skills: fc.subarray(SKILLS, { minLength: 1 }),
});

type ProfileSpec = typeof profileArb extends fc.Arbitrary<infer T> ? T : never;

function toResume(p: ProfileSpec) {
  return {
    basics: { name: `${p.first} ${p.last}`, email: 'candidate@example.com' },
    work: p.work.map((w) => ({
      name: w.name,
      position: w.position,
      startDate: `${w.year}-01-01`,
      highlights: w.highlights.map(([verb, n]) =>
        verb === 'Led' ? `Led a team of ${n}` : `${verb} ${n}%`,
      ),
    })),
    skills: [{ name: 'Tools', keywords: p.skills }],
  };
}

let pdf: PdfService;
let board: FakeApplicationApi;
let cell: WorkflowCell;

/** The text of a DOCX the cell serves (mammoth reads what Word would show). */
async function docxTextOf(res: Response): Promise<string> {
  expect(res.status).toBe(200);
  const { value } = await mammoth.extractRawText({ buffer: Buffer.from(await res.arrayBuffer()) });
  return value.replace(/\s+/g, ' ');
}

/** The application's tailored resume and cover letter as Word files, read back as text. */
async function docxTextsOf(
  userId: string,
  applicationId: string,
): Promise<{ resume: string; letter: string }> {
  const base = `/v1/applications/${applicationId}`;
  return {
    resume: await docxTextOf(await cell.request(userId, 'GET', `${base}/resume.docx`)),
    letter: await docxTextOf(await cell.request(userId, 'GET', `${base}/cover-letter.docx`)),
  };
}

beforeAll(async () => {
  pdf = await startPdfService();
  board = await startFakeGreenhouse({ apiKey: 'gh-key' });
  cell = await createWorkflowCell({
    pdfUrl: pdf.url,
    config: { GREENHOUSE_API_URL: `${board.url}/v1`, TAILOR_FAILURE_THRESHOLD: 1_000 },
    overrides: {
      tailor: {
        async tailor(input) {
          calls += 1;
          if (adversary) {
            const args = [input.profile, input.analysis, input.strategy as TailorStrategy] as const;
            return {
              ...adversarial(input.profile, [...args], adversary),
              source: 'optimizer' as const,
            };
          }
          const variant = tailorResume(
            input.profile,
            input.analysis,
            input.strategy as TailorStrategy,
          );
          return { variant: invent(variant), citations: [], source: 'optimizer' };
        },
      },
      coverLetter: {
        async write(input) {
          const letter = writeCoverLetter(input.profile, input.analysis, input.job);
          return { letter: adversarialLetter(input.profile, letter), source: 'optimizer' };
        },
      },
    },
  });
});
afterAll(async () => {
  await cell?.close();
  await Promise.all([pdf?.close(), board?.close()]);
});

async function greenhouseJob(userId: string, skills: string[]): Promise<string> {
  const description = `You have 3+ years with ${skills.join(', ')}.`;
  const [job] = await cell.db.sql<{ id: string }[]>`
    insert into jobs (id, fingerprint, title, company, description, content_hash)
    values (gen_random_uuid(), ${`fp-${userId}`}, 'Engineer', 'Acme', ${description}, 'h')
    returning id`;
  const jobId = job?.id ?? '';
  await cell.db.sql`
    insert into postings (id, job_id, provider, board, external_id, title, company, description,
                          content_hash)
    values (gen_random_uuid(), ${jobId}, 'greenhouse', 'acme', ${`gh-${userId}`}, 'Engineer',
            'Acme', ${description}, 'h')`;
  await cell.db.sql`insert into user_jobs (user_id, job_id) values (${userId}, ${jobId})`;
  return jobId;
}

describe('never invent', () => {
  it('keeps every invented fact out of the PDF, the DOCX, the cover letter and the submission', async () => {
    await fc.assert(
      fc.asyncProperty(
        profileArb,
        fc.subarray(SKILLS, { minLength: 1, maxLength: 4 }),
        fc.subarray(Object.keys(INVENTED) as Injection[], { minLength: 1 }),
        async (profile, jobSkills, kinds) => {
          injections = kinds;
          const userId = await cell.createUser();
          const put = await cell.request(userId, 'PUT', '/v1/profile', toResume(profile));
          expect(put.status).toBe(200);
          await cell.request(userId, 'PUT', '/v1/channels/greenhouse/credentials', {
            apiKey: 'gh-key',
          });
          const jobId = await greenhouseJob(userId, jobSkills);
          const before = board.applications.length;
          const created = await cell.json(userId, 'POST', '/v1/applications', {
            jobId,
            mode: 'auto',
            channel: 'greenhouse',
            coverLetter: true,
          });
          const app = await cell.waitForStatus(userId, created.applicationId, ['submitted']);
          const letter = await cell.json(
            userId,
            'GET',
            `/v1/applications/${created.applicationId}/cover-letter`,
          );
          const letterPdf = await cell.request(
            userId,
            'GET',
            `/v1/applications/${created.applicationId}/cover-letter.pdf`,
          );
          const letterText = await pdfToText(new Uint8Array(await letterPdf.arrayBuffer()));
          // The provider's variants failed, or their rewrites were rejected, and every
          // invented word is recorded with its rule.
          const verify = app.steps.find((s: { step: string }) => s.step === 'verify');
          const recorded = JSON.stringify({ errors: verify.errors, detail: verify.detail });
          for (const kind of kinds) expect(recorded).toContain(INVENTED[kind].replace('%', ''));
          const structural = kinds.some((k) => k === 'employer' || k === 'title' || k === 'skill');
          expect(app.variant.source).toBe(structural ? 'embedded-fallback' : 'optimizer');
          const rendered = await cell.request(
            userId,
            'GET',
            `/v1/applications/${created.applicationId}/resume.pdf`,
          );
          const text = await pdfToText(new Uint8Array(await rendered.arrayBuffer()));
          expect(text).toContain(profile.work[0]?.name ?? '');
          const { resume: docx, letter: letterDocx } = await docxTextsOf(
            userId,
            created.applicationId,
          );
          // The DOCX has the resume's facts (so the absences below mean something).
          expect(docx).toContain(profile.work[0]?.name ?? '');
          expect(letterDocx.length).toBeGreaterThan(100);
          expect(board.applications.length - before).toBe(1);
          const received = board.applications.at(-1)?.fields as Json;
          const submittedText = await pdfToText(received.resume.bytes);
          const fields = JSON.stringify({ ...received, resume: undefined });
          // The letter's invented sentences were dropped, each recorded with its rule.
          expect(letter.verification.rejections.length).toBeGreaterThanOrEqual(kinds.length);
          expect(String(received.cover_letter_text).replaceAll('\r\n', '\n')).toBe(letter.text);
          for (const word of Object.values(INVENTED)) {
            expect(text).not.toContain(word);
            expect(submittedText).not.toContain(word);
            expect(fields).not.toContain(word);
            expect(letter.text).not.toContain(word);
            expect(letterText).not.toContain(word);
            expect(docx).not.toContain(word);
            expect(letterDocx).not.toContain(word);
          }
        },
      ),
      { numRuns: 12, seed: 20_260_522 },
    );
    expect(calls).toBeGreaterThanOrEqual(36);
  });
});

describe('grounded rewriting against an adversarial provider', () => {
  it('rejects every cited fabrication, of each kind, before the PDF, the DOCX, the cover letter and the submission', async () => {
    const [spec] = fc.sample(profileArb, { numRuns: 1, seed: 20_261_129 });
    if (!spec) throw new Error('no profile');
    try {
      for (const kind of FABRICATION_KINDS) {
        adversary = kind;
        injections = [];
        const userId = await cell.createUser();
        const resume = toResume(spec);
        expect((await cell.request(userId, 'PUT', '/v1/profile', resume)).status).toBe(200);
        await cell.request(userId, 'PUT', '/v1/channels/greenhouse/credentials', {
          apiKey: 'gh-key',
        });
        const jobId = await greenhouseJob(userId, spec.skills);
        const created = await cell.json(userId, 'POST', '/v1/applications', {
          jobId,
          mode: 'auto',
          channel: 'greenhouse',
          coverLetter: true,
        });
        const app = await cell.waitForStatus(userId, created.applicationId, ['submitted']);
        const fabrications = fabricated.get(kind) ?? [];
        // The cover letter's fabricated sentence was dropped and recorded; the letter went out.
        const injected = letterFabrications.get(kind) ?? [];
        expect(injected.length, kind).toBeGreaterThan(0);
        const letter = await cell.json(
          userId,
          'GET',
          `/v1/applications/${created.applicationId}/cover-letter`,
        );
        // Without its fabricated sentence, a letter with no other fact about the candidate
        // (a job whose keywords the profile lacks) is replaced by the embedded one.
        expect(['optimizer', 'embedded-fallback']).toContain(letter.source);
        // One sentence rejected (a sentence can break more than one rule).
        const rejectedTexts = letter.verification.rejections.map((r: { text: string }) => r.text);
        expect([...new Set(rejectedTexts)]).toEqual([
          expect.toBeOneOf(injected.map((f) => f.text)),
        ]);
        const letterPdf = await cell.request(
          userId,
          'GET',
          `/v1/applications/${created.applicationId}/cover-letter.pdf`,
        );
        const letterText = (await pdfToText(new Uint8Array(await letterPdf.arrayBuffer()))).replace(
          /\s+/g,
          ' ',
        );
        expect(fabrications.length, kind).toBeGreaterThan(0);
        // The provider's variant went out, its fabricated highlight replaced and recorded.
        expect(app.variant.source).toBe('optimizer');
        const chosen = app.candidates.find(
          (c: { strategy: string; source: string }) =>
            c.strategy === app.variant.strategy && c.source === 'optimizer',
        );
        expect(chosen.rejections).toEqual([
          expect.objectContaining({
            pointer: '/work/0/highlights/0',
            text: expect.toBeOneOf(fabrications.map((f) => f.text)),
          }),
        ]);
        const rendered = await cell.request(
          userId,
          'GET',
          `/v1/applications/${created.applicationId}/resume.pdf`,
        );
        const text = (await pdfToText(new Uint8Array(await rendered.arrayBuffer()))).replace(
          /\s+/g,
          ' ',
        );
        const { resume: docx, letter: letterDocx } = await docxTextsOf(
          userId,
          created.applicationId,
        );
        expect(docx).toContain((resume as { work: { name: string }[] }).work[0]?.name ?? '');
        expect(letterDocx.length).toBeGreaterThan(100);
        const received = board.applications.at(-1)?.fields as Json;
        const submitted = (await pdfToText(received.resume.bytes)).replace(/\s+/g, ' ');
        expect(String(received.cover_letter_text).replaceAll('\r\n', '\n')).toBe(letter.text);
        for (const fabrication of injected) {
          expect(letter.text).not.toContain(fabrication.text);
          expect(letterText).not.toContain(fabrication.text);
          expect(letterDocx).not.toContain(fabrication.text);
          expect(String(received.cover_letter_text)).not.toContain(fabrication.text);
          if (!JSON.stringify(resume).includes(fabrication.token)) {
            expect(letterText, kind).not.toContain(fabrication.token);
            expect(String(received.cover_letter_text), kind).not.toContain(fabrication.token);
          }
        }
        for (const fabrication of fabrications) {
          expect(JSON.stringify(app.variant.resume)).not.toContain(fabrication.text);
          expect(text).not.toContain(fabrication.text);
          expect(docx).not.toContain(fabrication.text);
          expect(submitted).not.toContain(fabrication.text);
          // A token new to the profile is nowhere in what was rendered or sent.
          if (!JSON.stringify(resume).includes(fabrication.token)) {
            expect(text, kind).not.toContain(fabrication.token);
            expect(docx, kind).not.toContain(fabrication.token);
            expect(submitted, kind).not.toContain(fabrication.token);
          }
        }
      }
    } finally {
      adversary = undefined;
    }
  });
});
