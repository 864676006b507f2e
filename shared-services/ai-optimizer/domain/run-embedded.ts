/** Runs a task on the embedded deterministic provider (lib/ai/embedded). */
import type { TaskInputs, TaskName, TaskOutputs } from '../../../lib/ai/contract.ts';
import {
  analyzeJob,
  scoreMatch,
  tailorResumeWithRewrites,
  writeCoverLetter,
} from '../../../lib/ai/embedded/index.ts';

export function runEmbedded<T extends TaskName>(task: T, input: TaskInputs[T]): TaskOutputs[T] {
  switch (task) {
    case 'analyze-job':
      return analyzeJob((input as TaskInputs['analyze-job']).job) as TaskOutputs[T];
    case 'score-match': {
      const { profile, analysis } = input as TaskInputs['score-match'];
      return scoreMatch(profile, analysis) as TaskOutputs[T];
    }
    case 'cover-letter': {
      const { profile, analysis, job } = input as TaskInputs['cover-letter'];
      return writeCoverLetter(profile, analysis, job) as TaskOutputs[T];
    }
    default: {
      const { profile, analysis, strategy } = input as TaskInputs['tailor-resume'];
      return tailorResumeWithRewrites(profile, analysis, strategy) as TaskOutputs[T];
    }
  }
}
