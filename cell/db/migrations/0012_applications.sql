-- Up Migration
-- Applications: one per (user, job), with the profile version it was made
-- from, the strategy the bandit chose, the chosen (verified) variant, the
-- workflow status and its deadline. `revision` grows when an approval edits
-- the variant, so the re-render is a new BullMQ job id.
create table applications (
  id uuid primary key,
  user_id uuid not null references users (id),
  job_id uuid not null references jobs (id),
  mode text not null check (mode in ('review', 'auto')),
  channel text not null,
  status text not null check (status in (
    'analyzing', 'generating', 'verifying', 'rendering', 'awaiting_approval', 'submitting',
    'submitted', 'viewed', 'rejected', 'interview', 'offer', 'withdrawn', 'failed')),
  revision integer not null default 0,
  profile_version integer not null,
  strategy text,
  bandit jsonb,
  variant jsonb,
  variant_source text,
  approved_at timestamptz,
  submitted_at timestamptz,
  responded boolean not null default false,
  outcome text,
  failure jsonb,
  deadline_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (user_id, job_id)
);
create index applications_user_status_idx on applications (user_id, status, id);
create index applications_user_id_idx on applications (user_id, id);
create index applications_active_idx on applications (updated_at)
  where status in ('analyzing', 'generating', 'verifying', 'rendering', 'submitting');
create index applications_strategy_idx on applications (strategy) where submitted_at is not null;

-- Per-step records: attempts, errors (with offending claims for verification), detail.
create table application_steps (
  application_id uuid not null references applications (id),
  user_id uuid not null references users (id),
  step text not null check (step in ('analyze', 'generate', 'verify', 'render', 'submit')),
  status text not null check (status in ('running', 'done', 'skipped', 'waiting', 'failed')),
  attempts integer not null default 0,
  errors jsonb not null default '[]'::jsonb,
  detail jsonb,
  started_at timestamptz,
  finished_at timestamptz,
  primary key (application_id, step)
);

-- Candidate variants, one per strategy and source, with their verification.
create table application_variants (
  application_id uuid not null references applications (id),
  user_id uuid not null references users (id),
  strategy text not null,
  source text not null,
  variant jsonb not null,
  ok boolean,
  violations jsonb,
  created_at timestamptz not null default now(),
  primary key (application_id, strategy, source)
);

-- The rendered PDF of the application's current revision.
create table application_documents (
  application_id uuid primary key references applications (id),
  user_id uuid not null references users (id),
  revision integer not null,
  sha256 text not null,
  pages integer,
  pdf bytea not null,
  created_at timestamptz not null default now()
);

-- Outcomes reported by the user (or a channel): the tracking timeline.
create table application_outcomes (
  id uuid primary key,
  application_id uuid not null references applications (id),
  user_id uuid not null references users (id),
  status text not null check (status in ('viewed', 'rejected', 'interview', 'offer', 'withdrawn')),
  at timestamptz not null,
  note text,
  created_at timestamptz not null default now()
);
create index application_outcomes_app_idx on application_outcomes (application_id, at);

-- What the user is told: status changes, failures, submissions with an unknown outcome.
create table notifications (
  id uuid primary key,
  user_id uuid not null references users (id),
  application_id uuid references applications (id),
  type text not null,
  message text not null,
  data jsonb not null default '{}'::jsonb,
  created_at timestamptz not null default now(),
  delivered_at timestamptz,
  delivery_attempts integer not null default 0
);
create index notifications_user_idx on notifications (user_id, id);
create index notifications_undelivered_idx on notifications (created_at) where delivered_at is null;
create index notifications_application_idx on notifications (application_id) where delivered_at is null;

-- The optional per-user status webhook; the secret is sealed like channel credentials.
create table notification_webhooks (
  user_id uuid primary key references users (id),
  url text not null,
  sealed_secret text not null check (sealed_secret like 'v1:%'),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create index events_correlation_idx on events (correlation_id, id) where correlation_id is not null;

-- Down Migration
drop index events_correlation_idx;
drop table notification_webhooks;
drop table notifications;
drop table application_outcomes;
drop table application_documents;
drop table application_variants;
drop table application_steps;
drop table applications;
