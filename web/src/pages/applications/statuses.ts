/** Application statuses as the API names them, in workflow order, with the words the user reads. */
import type { components } from '../../api/schema.gen.ts';

export type ApplicationStatus = components['schemas']['ApplicationSummary']['status'];
export type OutcomeStatus = 'viewed' | 'rejected' | 'interview' | 'offer' | 'withdrawn';

export const STATUS_LABELS: Record<ApplicationStatus, string> = {
  analyzing: 'Analyzing',
  generating: 'Generating',
  verifying: 'Verifying',
  rendering: 'Rendering',
  awaiting_approval: 'Awaiting approval',
  submitting: 'Submitting',
  submitted: 'Submitted',
  viewed: 'Viewed',
  interview: 'Interview',
  offer: 'Offer',
  rejected: 'Rejected',
  withdrawn: 'Withdrawn',
  failed: 'Failed',
};

/** The board's columns, left to right: the workflow, then the employer's answers. */
export const STATUSES = Object.keys(STATUS_LABELS) as ApplicationStatus[];

/** The statuses a user can move a submitted application to (POST …/outcome). */
export const OUTCOMES: readonly OutcomeStatus[] = [
  'viewed',
  'interview',
  'offer',
  'rejected',
  'withdrawn',
];

export function isOutcome(status: string): status is OutcomeStatus {
  return (OUTCOMES as readonly string[]).includes(status);
}

/** Statuses the workflow is still working on: pages poll faster while one is shown. */
export const WORKING: readonly ApplicationStatus[] = [
  'analyzing',
  'generating',
  'verifying',
  'rendering',
  'submitting',
];
