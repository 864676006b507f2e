/**
 * The cell's part of the OpenAPI document: every `/v1` route of cell/api/app.ts,
 * described with the zod schemas its handler validates with (exported beside
 * each route). Response bodies the routes build from domain types are described
 * field by field where the web app reads them (me, profile) and as JSON objects
 * elsewhere. deploy/tools/openapi-document.ts joins this with the router's part;
 * the drift test fails when a route here and in the app disagree.
 */
import { z } from 'zod';
import { jobAnalysisSchema } from '../../lib/ai/contract.ts';
import {
  errorResponses,
  jsonBody,
  jsonObject,
  jsonResponse,
  type ZodOpenApiOperationObject,
  type ZodOpenApiPathsObject,
} from '../../lib/openapi.ts';
import { PROVIDERS } from '../adapters/job-boards/types.ts';
import { APPLICATION_MODES } from '../domain/applications/applications.ts';
import { APPLICATION_STATUSES } from '../domain/applications/workflow.ts';
import { sourceFiltersSchema } from '../domain/discovery/source-filters.ts';
import { USER_JOB_STATUSES } from '../domain/jobs/jobs.ts';
import { screeningAnswersSchema } from '../domain/profile/screening-answers.ts';
import {
  applicationListQuery,
  applyBody,
  approveBody,
  coverLetterBody,
  outcomeBody,
  submissionBody,
} from './routes/applications.ts';
import { channelScopeQuery } from './routes/channels.ts';
import { eventsQuery } from './routes/events.ts';
import { createJobSourceBody } from './routes/job-sources.ts';
import { jobListQuery, jobPatchBody, manualJobBody } from './routes/jobs.ts';
import { notificationListQuery, webhookBody } from './routes/notifications.ts';
import { previewQuery, profileQuery, profileVersionPath } from './routes/profile.ts';

const uuidPath = (name: string) => z.object({ [name]: z.uuid() });
const problem = z.object({ pointer: z.string(), message: z.string() });

const letterSentence = z.object({
  text: z.string(),
  cites: z.array(z.string()).meta({
    description:
      'Profile item ids (facts about the candidate) or job item ids (`job:…`, the posting)',
  }),
});
const coverLetter = z
  .object({
    applicationId: z.string(),
    source: z.enum(['optimizer', 'embedded', 'embedded-fallback']),
    profileVersion: z.number().int(),
    salutation: z.string(),
    paragraphs: z.array(z.object({ sentences: z.array(letterSentence) })),
    closing: z.string(),
    signature: z.string(),
    text: z.string().meta({ description: 'The whole letter as sent to ATS cover-letter fields' }),
    verification: z.object({
      ok: z.literal(true),
      fellBack: z.boolean().meta({
        description: "The provider's letter kept too little and the embedded one was used",
      }),
      rejections: z.array(
        z.object({
          paragraph: z.number().int(),
          sentence: z.number().int(),
          text: z.string(),
          cites: z.array(z.string()),
          rule: z.string(),
          offending: z.array(z.string()),
          reason: z.string(),
        }),
      ),
    }),
    pdf: z.object({ sha256: z.string(), pages: z.number().int().nullable() }).nullable(),
    updatedAt: z.string(),
  })
  .meta({
    id: 'CoverLetter',
    description:
      'Only verified sentences are stored and sent; each rejected one is listed with its rule and offending words',
  });

const screeningAnswers = screeningAnswersSchema.extend({ updatedAt: z.string().nullable() }).meta({
  id: 'ScreeningAnswers',
  description:
    'Answers drafted into application forms before grounded profile facts; custom ones are matched by wording',
});

const meSchema = z
  .object({
    userId: z.string(),
    cellId: z.string(),
    initialized: z.boolean(),
    email: z.string().nullable(),
    name: z.string().nullable(),
  })
  .meta({ id: 'Me' });

const jsonResume = z.looseObject({}).meta({
  id: 'JsonResume',
  description:
    'A JSON Resume document (jsonresume.org schema v1). Imported and exported byte for byte; each problem comes back as a JSON pointer in a 400 validation_failed.',
});

const profileImportResult = z
  .object({
    version: z.number().int(),
    createdAt: z.string(),
    bytes: z.number().int(),
    warnings: z.array(problem).meta({ description: 'What the import tolerated, by JSON pointer' }),
    warningsOmitted: z.number().int().optional(),
  })
  .meta({ id: 'ProfileImport' });

const profileVersions = z
  .object({
    versions: z.array(
      z.object({ version: z.number().int(), bytes: z.number().int(), createdAt: z.string() }),
    ),
  })
  .meta({ id: 'ProfileVersions' });

const jobSource = z
  .object({
    id: z.string(),
    provider: z.enum(PROVIDERS),
    board: z.string(),
    filters: sourceFiltersSchema,
    createdAt: z.string(),
  })
  .meta({ id: 'JobSource' });

const followedSource = jobSource
  .extend({
    lastFetch: z
      .object({
        at: z.string(),
        status: z
          .number()
          .int()
          .nullable()
          .meta({ description: "The board's HTTP status (304: unchanged); null: no answer" }),
        error: z.string().nullable(),
        count: z.number().int(),
      })
      .nullable()
      .meta({ description: "The cell's last fetch of the board; null before the first" }),
    openPostings: z.number().int().meta({ description: 'Open postings, before the filters' }),
  })
  .meta({ id: 'FollowedJobSource' });

const jobSourceList = z.object({ sources: z.array(followedSource) }).meta({ id: 'JobSources' });
const followResult = z
  .object({
    source: jobSource,
    linked: z.number().int().meta({ description: 'Jobs the board already had, now yours' }),
  })
  .meta({ id: 'FollowResult' });

const jobFields = {
  id: z.string(),
  title: z.string(),
  company: z.string(),
  location: z.string().nullable(),
  remote: z.boolean().nullable(),
  jobStatus: z.enum(['open', 'closed']),
  status: z.enum(USER_JOB_STATUSES),
  score: z.number().int().nullable().meta({ description: 'Match score 0-100; null until scored' }),
  discoveredAt: z.string(),
};

const jobSummary = z
  .object({
    ...jobFields,
    matched: z.array(z.string()).meta({ description: "The job's keywords the profile has" }),
    missing: z.array(z.string()).meta({ description: "The job's keywords the profile lacks" }),
  })
  .meta({ id: 'JobSummary' });

const jobList = z
  .object({
    jobs: z.array(jobSummary),
    nextCursor: z.string().nullable().meta({ description: 'Pass as ?cursor= for the next page' }),
  })
  .meta({ id: 'JobList' });

const jobDetail = z
  .object({
    ...jobFields,
    description: z.string(),
    url: z.string().nullable(),
    analysis: jobAnalysisSchema
      .extend({ source: z.string().nullable(), analyzedAt: z.string().nullable() })
      .nullable(),
    match: z.object({
      score: z.number().int().nullable(),
      matched: z.array(z.string()),
      missing: z.array(z.string()),
      profileVersion: z.number().int().nullable(),
    }),
    sources: z.array(
      z.object({
        provider: z.string(),
        board: z.string().nullable(),
        externalId: z.string(),
        url: z.string().nullable(),
        status: z.enum(['open', 'closed']),
        firstSeenAt: z.string(),
        closedAt: z.string().nullable(),
      }),
    ),
  })
  .meta({ id: 'Job' });

const applicationStatus = z.enum(APPLICATION_STATUSES);
const applicationState = z
  .object({ applicationId: z.string(), status: applicationStatus })
  .meta({ id: 'ApplicationState' });

const applicationFields = {
  id: z.string(),
  jobId: z.string(),
  jobTitle: z.string(),
  company: z.string(),
  mode: z.enum(APPLICATION_MODES),
  channel: z.string(),
  status: applicationStatus,
  strategy: z.string().nullable().meta({ description: 'The strategy the bandit chose' }),
  createdAt: z.string(),
  updatedAt: z.string(),
  submittedAt: z.string().nullable(),
};

const applicationList = z
  .object({
    applications: z.array(z.object(applicationFields).meta({ id: 'ApplicationSummary' })),
    counts: z
      .record(z.string(), z.number().int())
      .meta({ description: 'Applications per status (all of them, not only this page)' }),
    nextCursor: z.string().nullable().meta({ description: 'Pass as ?cursor= for the next page' }),
  })
  .meta({ id: 'ApplicationList' });

const pointerText = z.object({ pointer: z.string(), kind: z.string(), value: z.string() });
const applicationDetail = z
  .object({
    ...applicationFields,
    revision: z.number().int(),
    profileVersion: z.number().int().meta({ description: 'The profile version it was made from' }),
    bandit: z.unknown(),
    approvedAt: z.string().nullable(),
    outcome: z.string().nullable(),
    failure: z.looseObject({}).nullable(),
    deadlineAt: z.string().nullable(),
    answers: z
      .array(
        z.object({
          name: z.string(),
          label: z.string(),
          required: z.boolean(),
          answer: z.string().nullable(),
          source: z
            .looseObject({ kind: z.enum(['stored', 'profile']) })
            .nullable()
            .meta({ description: 'A stored screening answer (key) or a profile fact (pointer)' }),
        }),
      )
      .nullable()
      .meta({
        description:
          "Drafted answers to the job's form questions (Greenhouse); null when the form has none",
      }),
    variant: z
      .object({
        strategy: z.string().nullable(),
        source: z.string().nullable(),
        resume: jsonResume,
      })
      .nullable()
      .meta({ description: 'The chosen variant (a JSON Resume); null before it is generated' }),
    steps: z.array(
      z.object({
        step: z.enum(['analyze', 'generate', 'verify', 'render', 'submit']),
        status: z.enum(['running', 'done', 'skipped', 'waiting', 'failed']),
        attempts: z.number().int(),
        errors: z.array(z.looseObject({ at: z.string().optional(), message: z.string() })),
        detail: z.unknown(),
        startedAt: z.string().nullable(),
        finishedAt: z.string().nullable(),
      }),
    ),
    candidates: z.array(
      z.object({
        strategy: z.string(),
        source: z.string(),
        ok: z.boolean().nullable(),
        violations: z.array(pointerText.extend({ reason: z.string() })).nullable(),
        citations: z
          .array(z.object({ pointer: z.string(), cites: z.array(z.string()) }))
          .nullable(),
        rejections: z
          .array(
            z.looseObject({
              pointer: z.string(),
              text: z.string(),
              rule: z.string(),
              offending: z.array(z.string()),
              reason: z.string(),
              replacedBy: z.string().nullable(),
            }),
          )
          .nullable(),
      }),
    ),
    submission: z
      .object({
        state: z.enum(['pending', 'sending', 'submitted', 'failed', 'unknown']),
        attempts: z.number().int(),
        externalId: z.string().nullable(),
        lastError: z.string().nullable(),
        submittedAt: z.string().nullable(),
      })
      .nullable(),
    outcomes: z.array(
      z.object({ status: z.string(), at: z.string(), note: z.string().nullable() }),
    ),
    timeline: z.array(
      z.object({ id: z.string(), type: z.string(), occurredAt: z.string(), data: z.unknown() }),
    ),
    pdf: z
      .object({
        sha256: z.string(),
        pages: z.number().int().nullable(),
        revision: z.number().int(),
        bytes: z.number().int(),
        textLayer: z.number().int().nullable(),
        url: z.string(),
        textLayerNote: z.string().optional(),
      })
      .nullable(),
  })
  .meta({ id: 'Application' });

const analytics = z
  .object({
    funnel: z.object({
      discovered: z.number().int(),
      applied: z.number().int(),
      responded: z.number().int(),
      interview: z.number().int(),
      offer: z.number().int(),
    }),
    strategies: z.array(
      z.object({
        strategy: z.string(),
        applications: z.number().int(),
        responses: z.number().int(),
        observedRate: z.number().nullable(),
        responseRate: z.number().meta({ description: 'Posterior mean' }),
        interval: z.object({ level: z.number(), lower: z.number(), upper: z.number() }),
      }),
    ),
  })
  .meta({ id: 'Analytics' });

const resumeResponse = {
  description: 'The JSON Resume exactly as imported; x-profile-version and ETag name its version',
  content: { 'application/json': { schema: jsonResume } },
};

/** Every cell operation answers these besides its own errors (router, rate limit, breaker). */
const common = errorResponses(401, 429, 503);

function op(
  tag: string,
  summary: string,
  operation: Omit<ZodOpenApiOperationObject, 'responses'> & {
    responses: ZodOpenApiOperationObject['responses'];
  },
): ZodOpenApiOperationObject {
  return { tags: [tag], summary, ...operation, responses: { ...operation.responses, ...common } };
}

const ok = (description: string) => jsonResponse(description, jsonObject);
const binary = (type: string, description: string) => ({
  description,
  content: { [type]: { schema: z.string().meta({ format: 'binary' }) } },
});

export const cellOpenApiPaths: ZodOpenApiPathsObject = {
  '/v1/me': {
    get: op('me', 'Who this request is for and which cell serves it', {
      responses: { '200': jsonResponse('The user', meSchema) },
    }),
  },
  '/v1/profile': {
    put: op('profile', 'Import a JSON Resume as a new profile version', {
      requestBody: jsonBody(jsonResume),
      responses: {
        '200': jsonResponse('The stored version', profileImportResult),
        ...errorResponses(400, 413, 415),
      },
    }),
    get: op('profile', 'The current (or ?version=) profile', {
      requestParams: { query: profileQuery },
      responses: { '200': resumeResponse, ...errorResponses(400, 404) },
    }),
  },
  '/v1/profile/preview.pdf': {
    post: op(
      'profile',
      'Render a draft JSON Resume as PDF without storing it (the editor preview)',
      {
        requestParams: { query: previewQuery },
        requestBody: jsonBody(jsonResume),
        responses: {
          '200': binary(
            'application/pdf',
            'The PDF; x-profile-warnings counts what an import would tolerate',
          ),
          ...errorResponses(400, 413, 415, 503),
        },
      },
    ),
  },
  '/v1/profile/answers': {
    get: op('profile', 'The reusable screening answers (empty until stored)', {
      responses: { '200': jsonResponse('The answers', screeningAnswers) },
    }),
    put: op('profile', 'Replace the reusable screening answers', {
      requestBody: jsonBody(screeningAnswersSchema),
      responses: {
        '200': jsonResponse('The answers, stored', screeningAnswers),
        ...errorResponses(400, 415),
      },
    }),
  },
  '/v1/profile/versions': {
    get: op('profile', 'Every stored profile version', {
      responses: { '200': jsonResponse('Versions, newest first', profileVersions) },
    }),
  },
  '/v1/profile/versions/{version}': {
    get: op('profile', 'One profile version', {
      requestParams: { path: profileVersionPath },
      responses: { '200': resumeResponse, ...errorResponses(400, 404) },
    }),
  },
  '/v1/job-sources': {
    post: op('job-sources', 'Follow a Greenhouse, Lever or Ashby board', {
      requestBody: jsonBody(createJobSourceBody),
      responses: {
        '201': jsonResponse('The followed source', followResult),
        ...errorResponses(400, 409, 415),
      },
    }),
    get: op('job-sources', 'The boards the user follows, with their last fetch', {
      responses: { '200': jsonResponse('Followed boards, oldest first', jobSourceList) },
    }),
  },
  '/v1/job-sources/{id}': {
    delete: op('job-sources', 'Unfollow a board', {
      requestParams: { path: uuidPath('id') },
      responses: { '204': { description: 'Unfollowed' }, ...errorResponses(404) },
    }),
  },
  '/v1/jobs': {
    get: op('jobs', 'Jobs with match scores: filters and cursor pagination', {
      requestParams: { query: jobListQuery },
      responses: { '200': jsonResponse('Jobs, newest first', jobList), ...errorResponses(400) },
    }),
    post: op('jobs', 'Add a job by hand', {
      requestBody: jsonBody(manualJobBody),
      responses: { '201': jsonResponse('The job', jobDetail), ...errorResponses(400, 415) },
    }),
  },
  '/v1/jobs/{id}': {
    get: op('jobs', 'One job with its analysis, match and sources', {
      requestParams: { path: uuidPath('id') },
      responses: { '200': jsonResponse('The job', jobDetail), ...errorResponses(404) },
    }),
    patch: op('jobs', 'Save or dismiss a job', {
      requestParams: { path: uuidPath('id') },
      requestBody: jsonBody(jobPatchBody),
      responses: {
        '200': jsonResponse('The job', jobDetail),
        ...errorResponses(400, 404, 415),
      },
    }),
  },
  '/v1/events': {
    get: op('events', "The user's event log, oldest first", {
      requestParams: { query: eventsQuery },
      responses: { '200': ok('{"events": [...], "hasMore", "next"}'), ...errorResponses(400) },
    }),
  },
  '/v1/applications': {
    post: op('applications', 'Apply to a job (review mode waits for approval)', {
      requestBody: jsonBody(applyBody),
      responses: {
        '202': jsonResponse('The application, started', applicationState),
        ...errorResponses(400, 404, 409, 415, 422),
      },
    }),
    get: op('applications', 'Applications newest first, with counts per status', {
      requestParams: { query: applicationListQuery },
      responses: {
        '200': jsonResponse('Applications and counts per status', applicationList),
        ...errorResponses(400),
      },
    }),
  },
  '/v1/applications/{id}': {
    get: op('applications', 'Status, variant, steps and timeline', {
      requestParams: { path: uuidPath('id') },
      responses: {
        '200': jsonResponse('The application', applicationDetail),
        ...errorResponses(404),
      },
    }),
  },
  '/v1/applications/{id}/resume.pdf': {
    get: op('applications', 'The tailored resume as PDF', {
      requestParams: { path: uuidPath('id') },
      responses: { '200': binary('application/pdf', 'The PDF'), ...errorResponses(404, 409) },
    }),
  },
  '/v1/applications/{id}/resume.docx': {
    get: op('applications', 'The tailored resume as DOCX', {
      requestParams: { path: uuidPath('id') },
      responses: {
        '200': binary(
          'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
          'The DOCX',
        ),
        ...errorResponses(404, 409),
      },
    }),
  },
  '/v1/applications/{id}/resume.txt': {
    get: op('applications', 'The tailored resume as plain text', {
      requestParams: { path: uuidPath('id') },
      responses: { '200': binary('text/plain', 'The text'), ...errorResponses(404, 409) },
    }),
  },
  '/v1/applications/{id}/cover-letter': {
    post: op(
      'applications',
      '(Re)write the verified cover letter (until the application is sent)',
      {
        requestParams: { path: uuidPath('id') },
        requestBody: jsonBody(coverLetterBody, false),
        responses: {
          '200': jsonResponse('The cover letter', coverLetter),
          ...errorResponses(400, 404, 409, 415),
        },
      },
    ),
    get: op('applications', 'The cover letter with its citations and verification', {
      requestParams: { path: uuidPath('id') },
      responses: { '200': jsonResponse('The cover letter', coverLetter), ...errorResponses(404) },
    }),
  },
  '/v1/applications/{id}/cover-letter.pdf': {
    get: op('applications', 'The cover letter as PDF', {
      requestParams: { path: uuidPath('id') },
      responses: { '200': binary('application/pdf', 'The PDF'), ...errorResponses(404) },
    }),
  },
  '/v1/applications/{id}/cover-letter.docx': {
    get: op('applications', 'The cover letter as DOCX', {
      requestParams: { path: uuidPath('id') },
      responses: {
        '200': binary(
          'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
          'The DOCX',
        ),
        ...errorResponses(404),
      },
    }),
  },
  '/v1/applications/{id}/approve': {
    post: op('applications', 'Approve, optionally with an edited variant', {
      requestParams: { path: uuidPath('id') },
      requestBody: jsonBody(approveBody, false),
      responses: {
        '202': jsonResponse('The approval', applicationState),
        ...errorResponses(400, 404, 409, 415, 422),
      },
    }),
  },
  '/v1/applications/{id}/submission': {
    post: op('applications', 'Resolve a submission whose delivery is unknown', {
      requestParams: { path: uuidPath('id') },
      requestBody: jsonBody(submissionBody),
      responses: {
        '200': jsonResponse('Delivered', applicationState),
        '202': jsonResponse('Not delivered: it will be sent again', applicationState),
        ...errorResponses(400, 404, 409, 415),
      },
    }),
  },
  '/v1/applications/{id}/outcome': {
    post: op('applications', 'Record an outcome (viewed, rejected, interview, offer…)', {
      requestParams: { path: uuidPath('id') },
      requestBody: jsonBody(outcomeBody),
      responses: {
        '200': jsonResponse('The application', applicationState),
        ...errorResponses(400, 404, 409, 415),
      },
    }),
  },
  '/v1/analytics': {
    get: op('analytics', "The funnel and each strategy's response rate with its interval", {
      responses: { '200': jsonResponse('Funnel and strategies', analytics) },
    }),
  },
  '/v1/notifications': {
    get: op('notifications', 'Notifications, newest first', {
      requestParams: { query: notificationListQuery },
      responses: { '200': ok('{"notifications": [...], "hasMore", "next"}') },
    }),
  },
  '/v1/notifications/webhook': {
    put: op('notifications', 'Set the status webhook', {
      requestBody: jsonBody(webhookBody),
      responses: { '200': ok('{"url"}'), ...errorResponses(400, 415) },
    }),
    get: op('notifications', 'The status webhook (never its secret)', {
      responses: {
        '200': jsonResponse(
          'The webhook, or null when none is set',
          z.object({
            webhook: z.object({ url: z.string(), updatedAt: z.string() }).nullable(),
          }),
        ),
      },
    }),
    delete: op('notifications', 'Remove the status webhook', {
      responses: { '204': { description: 'Removed' } },
    }),
  },
  '/v1/channels': {
    get: op('channels', 'Submission channels and which credentials are stored (never secrets)', {
      responses: {
        '200': jsonResponse(
          'Every channel',
          z.object({
            channels: z.array(
              z.object({
                name: z.string(),
                requiresCredentials: z.boolean(),
                credentials: z.array(
                  z.object({
                    scope: z.string().meta({ description: "A board token, or '' for every board" }),
                    updatedAt: z.string(),
                  }),
                ),
              }),
            ),
          }),
        ),
      },
    }),
  },
  '/v1/channels/{channel}/credentials': {
    put: op('channels', "Store a channel's credentials, sealed", {
      requestParams: { path: z.object({ channel: z.string() }), query: channelScopeQuery },
      requestBody: jsonBody(
        z.looseObject({}).meta({ description: '{"apiKey"} or, for webhook, {"url", "secret"}' }),
      ),
      responses: { '200': ok('{"channel", "scope", "stored"}'), ...errorResponses(400, 415) },
    }),
    delete: op('channels', "Remove a channel's credentials", {
      requestParams: { path: z.object({ channel: z.string() }), query: channelScopeQuery },
      responses: { '204': { description: 'Removed' }, ...errorResponses(400) },
    }),
  },
  '/v1/export': {
    get: op('export', 'Everything the user owns in their cell, as one JSON document', {
      responses: { '200': ok('The export') },
    }),
  },
};
