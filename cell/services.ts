/**
 * The cell's services, built once per process and handed to the API through
 * the Hono context (and to the worker's processors). Domain logic lives here,
 * not in route handlers.
 */
import type { Redis } from 'ioredis';
import { createSecretBox } from '../lib/crypto/secret-box.ts';
import type { Logger } from '../lib/logger.ts';
import type { Metrics } from '../lib/metrics.ts';
import {
  type FormQuestionsSource,
  GreenhouseQuestions,
} from './adapters/job-boards/greenhouse-questions.ts';
import { createJobBoardAdapters } from './adapters/job-boards/job-board-adapters.ts';
import type { JobBoardAdapter, Provider } from './adapters/job-boards/types.ts';
import {
  createSubmissionChannels,
  isChannelName,
  type SubmissionChannels,
} from './adapters/submission/registry.ts';
import {
  type CellBaseConfig,
  type CellDiscoveryConfig,
  type CellWorkflowConfig,
  cellDiscoveryConfigSchema,
  cellWorkflowConfigSchema,
} from './config.ts';
import { AnalysisService } from './domain/analysis/analysis.ts';
import type { JobAnalyzer } from './domain/analysis/contract.ts';
import {
  CachedJobAnalyzer,
  EmbeddedJobAnalyzer,
  FallbackJobAnalyzer,
  HttpJobAnalyzer,
} from './domain/analysis/job-analyzers.ts';
import { MatchService } from './domain/analysis/match.ts';
import { ApplicationsService } from './domain/applications/applications.ts';
import { ChannelCredentialsStore } from './domain/applications/channel-credentials.ts';
import {
  type CoverLetterWriter,
  EmbeddedCoverLetterWriter,
  FallbackCoverLetterWriter,
  HttpCoverLetterWriter,
} from './domain/applications/cover-letter.ts';
import { CoverLetterService } from './domain/applications/cover-letters.ts';
import { HttpLetterRenderer, type LetterRenderer } from './domain/applications/letter-renderer.ts';
import { NotificationsService } from './domain/applications/notifications.ts';
import { HttpPdfRenderer, type PdfRenderer } from './domain/applications/pdf-renderer.ts';
import { StrategyStatsReader } from './domain/applications/strategy-stats.ts';
import { SubmissionService } from './domain/applications/submission.ts';
import {
  EmbeddedResumeTailor,
  FallbackResumeTailor,
  HttpResumeTailor,
  type ResumeTailor,
} from './domain/applications/tailoring.ts';
import {
  applySubmissionRecord,
  hashSeed,
  WorkflowService,
} from './domain/applications/workflow.ts';
import { DiscoveryService } from './domain/discovery/discovery.ts';
import { JobSourcesService } from './domain/discovery/job-sources.ts';
import { EventsLogService } from './domain/events-log.ts';
import { JobsService } from './domain/jobs/jobs.ts';
import { ProfilesService } from './domain/profile/profiles.ts';
import { UserDataService } from './domain/user-data/user-data.ts';
import { UserActivity } from './domain/user-lifecycle/user-activity.ts';
import { UserLifecycleService } from './domain/user-lifecycle/user-lifecycle.ts';
import { UsersService } from './domain/users.ts';
import { connectPostgres, connectRedisFailFast, type Sql } from './infra/connections.ts';
import { DependencyBreaker } from './infra/dependency-breaker.ts';
import { CellQueues } from './infra/queues.ts';

export interface CellServices {
  cellId: string;
  logger: Logger;
  metrics: Metrics;
  sql: Sql;
  redis: Redis;
  /** Open while the cell's Postgres or Redis is unreachable: the API then answers 503 at once. */
  breaker: DependencyBreaker;
  users: UsersService;
  /** Submission channels (greenhouse, lever, ashby, email, webhook, manual). */
  channels: SubmissionChannels;
  /** Sealed per-user channel credentials. */
  channelCredentials: ChannelCredentialsStore;
  /** The submit-exactly-once protocol. */
  submissions: SubmissionService;
  /** Discovery and analysis settings with their defaults applied. */
  settings: CellDiscoveryConfig;
  /** Applications workflow settings with their defaults applied. */
  workflowSettings: CellWorkflowConfig;
  applications: ApplicationsService;
  workflow: WorkflowService;
  /** Cover letters of applications: written, verified, rendered, stored. */
  coverLetters: CoverLetterService;
  notifications: NotificationsService;
  queues: CellQueues;
  profiles: ProfilesService;
  /** The PDF service client, for renders that are not an application's (the profile preview). */
  renderer: PdfRenderer;
  jobSources: JobSourcesService;
  discovery: DiscoveryService;
  jobs: JobsService;
  analysis: AnalysisService;
  match: MatchService;
  eventsLog: EventsLogService;
  /** A user's rows as a whole: dump, checksums, load, purge (the user-data catalog). */
  userData: UserDataService;
  /** Running writes and jobs per user, across the cell's processes. */
  userActivity: UserActivity;
  /** A user's migration states in this cell: freeze, tombstone, activate, purge, export. */
  lifecycle: UserLifecycleService;
  /** Closes every connection; idempotent. */
  close(): Promise<void>;
}

/** Test seams: replace the job-board adapters, the analyzer, the tailoring provider or the PDF client. */
export interface CellServiceOverrides {
  adapters?: Partial<Record<Provider, JobBoardAdapter>>;
  analyzer?: JobAnalyzer;
  /** The tailoring provider behind the embedded fallback (default: the AI optimizer). */
  tailor?: ResumeTailor;
  /** The cover-letter provider behind the embedded fallback (default: the AI optimizer). */
  coverLetter?: CoverLetterWriter;
  letterRenderer?: LetterRenderer;
  /** Where a job's application-form questions are read (default: the Greenhouse job board). */
  formQuestions?: FormQuestionsSource;
  renderer?: PdfRenderer;
}

export function buildCellServices(
  config: CellBaseConfig,
  logger: Logger,
  metrics: Metrics,
  overrides: CellServiceOverrides = {},
): CellServices {
  const settings = cellDiscoveryConfigSchema.parse(config);
  const workflowSettings = cellWorkflowConfigSchema.parse(config);
  const sql = connectPostgres(config.DATABASE_URL);
  const redis = connectRedisFailFast(config.REDIS_URL, logger);
  const breakerOpen = metrics.gauge(
    'cell_dependency_breaker_open',
    '1 while the cell answers 503 because its Postgres or Redis is unreachable',
  );
  const breaker = new DependencyBreaker({
    probe: () => Promise.all([sql`select 1`, redis.ping()]),
    logger,
    onChange: (open) => breakerOpen.set(open ? 1 : 0),
  });
  const channels = createSubmissionChannels({
    ...(config.GREENHOUSE_API_URL ? { greenhouseUrl: config.GREENHOUSE_API_URL } : {}),
    ...(config.LEVER_API_URL ? { leverUrl: config.LEVER_API_URL } : {}),
    ...(config.ASHBY_API_URL ? { ashbyUrl: config.ASHBY_API_URL } : {}),
    ...(config.SUBMISSION_TIMEOUT_MS ? { timeoutMs: config.SUBMISSION_TIMEOUT_MS } : {}),
    ...(config.SMTP_URL ? { smtpUrl: config.SMTP_URL } : {}),
    ...(config.SMTP_FROM ? { smtpFrom: config.SMTP_FROM } : {}),
    remoteDedupes: (config.SUBMISSION_REMOTE_DEDUPES ?? '').split(',').filter(isChannelName),
  });
  const secretBox = config.SECRETS_KEY ? createSecretBox(config.SECRETS_KEY) : undefined;
  const queues = new CellQueues({
    redisUrl: config.REDIS_URL,
    prefix: config.QUEUE_PREFIX,
    discoveryIntervalMs: settings.DISCOVERY_INTERVAL_MS,
    webhookAttempts: workflowSettings.NOTIFY_WEBHOOK_ATTEMPTS,
  });
  const adapters = {
    ...createJobBoardAdapters(
      {
        greenhouse: settings.JOB_BOARD_GREENHOUSE_URL,
        lever: settings.JOB_BOARD_LEVER_URL,
        ashby: settings.JOB_BOARD_ASHBY_URL,
      },
      {
        timeoutMs: settings.DISCOVERY_FETCH_TIMEOUT_MS,
        maxBytes: settings.DISCOVERY_MAX_RESPONSE_BYTES,
      },
    ),
    ...overrides.adapters,
  };
  const analyzer =
    overrides.analyzer ??
    new FallbackJobAnalyzer(
      new HttpJobAnalyzer({
        baseUrl: config.AI_OPTIMIZER_URL,
        cellId: config.CELL_ID,
        timeoutMs: settings.AI_ANALYZE_TIMEOUT_MS,
      }),
      [new CachedJobAnalyzer(sql), new EmbeddedJobAnalyzer()],
      logger,
    );
  const match = new MatchService(sql);
  const analysis = new AnalysisService(sql, analyzer, match);
  const channelCredentials = new ChannelCredentialsStore(sql, channels, secretBox);
  const submissions = new SubmissionService(sql, channels, {
    logger,
    onRecorded: applySubmissionRecord,
  });
  const tailor = new FallbackResumeTailor(
    overrides.tailor ??
      (workflowSettings.TAILOR_PROVIDER === 'embedded'
        ? new EmbeddedResumeTailor()
        : new HttpResumeTailor({
            baseUrl: config.AI_OPTIMIZER_URL,
            cellId: config.CELL_ID,
            timeoutMs: workflowSettings.AI_TAILOR_TIMEOUT_MS,
          })),
    logger,
    {
      failureThreshold: workflowSettings.TAILOR_FAILURE_THRESHOLD,
      cooldownMs: workflowSettings.TAILOR_COOLDOWN_MS,
    },
  );
  const renderer =
    overrides.renderer ??
    new HttpPdfRenderer({
      baseUrl: config.PDF_SERVICE_URL,
      timeoutMs: workflowSettings.PDF_RENDER_TIMEOUT_MS,
    });
  const coverLetters = new CoverLetterService(
    sql,
    new FallbackCoverLetterWriter(
      overrides.coverLetter ??
        (workflowSettings.TAILOR_PROVIDER === 'embedded'
          ? new EmbeddedCoverLetterWriter()
          : new HttpCoverLetterWriter({
              baseUrl: config.AI_OPTIMIZER_URL,
              cellId: config.CELL_ID,
              timeoutMs: workflowSettings.AI_TAILOR_TIMEOUT_MS,
            })),
      logger,
    ),
    overrides.letterRenderer ??
      new HttpLetterRenderer({
        baseUrl: config.PDF_SERVICE_URL,
        timeoutMs: workflowSettings.PDF_RENDER_TIMEOUT_MS,
      }),
    workflowSettings.PDF_TEMPLATE,
  );
  const stats = new StrategyStatsReader(sql);
  const workflow = new WorkflowService(
    {
      sql,
      analysis,
      tailor,
      renderer,
      submissions,
      channels,
      channelCredentials,
      queue: queues,
      stats,
      coverLetters,
      formQuestions:
        overrides.formQuestions ??
        new GreenhouseQuestions({
          baseUrl: settings.JOB_BOARD_GREENHOUSE_URL,
          timeoutMs: Math.min(settings.DISCOVERY_FETCH_TIMEOUT_MS, 10_000),
        }),
    },
    {
      template: workflowSettings.PDF_TEMPLATE,
      banditSeed: workflowSettings.BANDIT_SEED ?? hashSeed(0, config.CELL_ID),
      logger,
    },
  );
  const jobSources = new JobSourcesService(sql, queues, queues);
  // A user's whole data (a migration's dump, load and digests, a purge, an export) on its own
  // two connections: their catalog-built statements are prepared and their backends warmed on
  // two connections instead of every one of the pool, and a rebalance can take at most two of
  // the cell's Postgres connections from its other users. Measured in docs/adr/0005.
  const userDataSql = connectPostgres(config.DATABASE_URL, { max: 2 });
  const userData = new UserDataService(userDataSql, config.CELL_ID);
  const userActivity = new UserActivity(redis);
  let closing: Promise<void> | undefined;
  return {
    cellId: config.CELL_ID,
    logger,
    metrics,
    sql,
    redis,
    users: new UsersService(sql),
    channels,
    channelCredentials,
    submissions,
    settings,
    workflowSettings,
    workflow,
    applications: new ApplicationsService(
      sql,
      channels,
      channelCredentials,
      submissions,
      queues,
      stats,
      renderer,
      {
        deadlineMs: workflowSettings.WORKFLOW_DEADLINE_MS,
        template: workflowSettings.PDF_TEMPLATE,
      },
    ),
    coverLetters,
    notifications: new NotificationsService(sql, queues, secretBox),
    queues,
    profiles: new ProfilesService(sql, (userId, version) =>
      // The version is committed either way; a lost rescore is redone on the next update.
      queues
        .enqueueMatch({ userId }, `profile-${userId}-${version}`)
        .catch((error: unknown) =>
          logger.warn({ err: error, userId }, 'could not queue match recomputation'),
        ),
    ),
    renderer,
    jobSources,
    discovery: new DiscoveryService(sql, adapters, queues, logger),
    jobs: new JobsService(sql, queues),
    analysis,
    match,
    eventsLog: new EventsLogService(sql),
    userData,
    userActivity,
    lifecycle: new UserLifecycleService({
      sql,
      userData,
      activity: userActivity,
      scheduler: queues,
      jobSources,
      workflowQueue: queues,
      followUp: queues,
      logger,
      cellId: config.CELL_ID,
    }),
    breaker,
    close() {
      breaker.close();
      channels.close();
      closing ??= Promise.allSettled([
        queues.close(),
        sql.end({ timeout: 5 }),
        userDataSql.end({ timeout: 5 }),
        redis.quit().catch(() => redis.disconnect()),
      ]).then(() => undefined);
      return closing;
    },
  };
}
