/**
 * The embedded deterministic AI provider: job analysis, match scoring and
 * tailoring with no network and no model. The AI optimizer ships it as its
 * default provider and the cell uses it when the optimizer is unreachable.
 */
export { analyzeJob, detectRemote, detectSeniority } from './analyze-job.ts';
export { writeCoverLetter } from './cover-letter.ts';
export { collectStrings, inventedStrings } from './profile-text.ts';
export { respell, tailorResumeWithRewrites } from './rewrite-resume.ts';
export { matchScorer, scoreMatch, yearsOfExperience } from './score-match.ts';
export { SKILLS_LEXICON } from './skills-lexicon.ts';
export { tailorResume } from './tailor-resume.ts';
export { htmlToText, normalizeText, SkillMatcher, skillMatcher } from './text.ts';

/** Model name the embedded provider reports in task metadata. */
export const EMBEDDED_MODEL = 'embedded-lexicon-v1';
