-- Up Migration
-- Profiles: every update is a new version. The document is kept as the exact
-- text the user sent (jsonb would reorder keys and drop duplicates), so export
-- returns the imported document unchanged.
create table profile_versions (
  user_id uuid not null references users (id),
  version integer not null check (version > 0),
  document text not null,
  created_at timestamptz not null default now(),
  primary key (user_id, version)
);

-- A user following a job board, with that user's filters.
create table job_sources (
  id uuid primary key,
  user_id uuid not null references users (id),
  provider text not null check (provider in ('greenhouse', 'lever', 'ashby')),
  board text not null,
  filters jsonb not null default '{}'::jsonb,
  created_at timestamptz not null default now(),
  unique (user_id, provider, board)
);
create index job_sources_board_idx on job_sources (provider, board);

-- Cell-wide fetch state of each followed board: validators for conditional requests.
create table boards (
  provider text not null,
  board text not null,
  etag text,
  last_modified text,
  last_fetched_at timestamptz,
  last_status integer,
  last_error text,
  fetch_count integer not null default 0,
  primary key (provider, board)
);

-- A job: one cluster of near-duplicate postings, stored once per cell. Manual
-- jobs belong to the user who pasted them (owner_user_id) and never cluster.
create table jobs (
  id uuid primary key,
  fingerprint text not null,
  owner_user_id uuid references users (id),
  title text not null,
  company text not null,
  location text,
  remote boolean,
  description text not null,
  url text,
  content_hash text not null,
  status text not null default 'open' check (status in ('open', 'closed')),
  analysis jsonb,
  analysis_source text,
  analysis_hash text,
  analyzed_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create unique index jobs_fingerprint_idx on jobs (fingerprint) where owner_user_id is null;

-- A posting: one (provider, external id) on one board, a source of one job.
create table postings (
  id uuid primary key,
  job_id uuid not null references jobs (id),
  provider text not null,
  board text,
  external_id text not null,
  title text not null,
  company text not null,
  location text,
  remote boolean,
  description text not null,
  url text,
  content_hash text not null,
  status text not null default 'open' check (status in ('open', 'closed')),
  first_seen_at timestamptz not null default now(),
  last_seen_at timestamptz not null default now(),
  closed_at timestamptz,
  unique (provider, external_id)
);
create index postings_job_idx on postings (job_id);
create index postings_board_idx on postings (provider, board) where status = 'open';

-- Per-user view of a job: status and match score.
create table user_jobs (
  user_id uuid not null references users (id),
  job_id uuid not null references jobs (id),
  status text not null default 'new' check (status in ('new', 'saved', 'dismissed')),
  score integer check (score between 0 and 100),
  matched jsonb not null default '[]'::jsonb,
  missing jsonb not null default '[]'::jsonb,
  scored_profile_version integer,
  discovered_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (user_id, job_id)
);
create index user_jobs_job_idx on user_jobs (job_id);
create index user_jobs_score_idx on user_jobs (user_id, score, job_id);

create index events_user_type_idx on events (user_id, type, id);

-- Down Migration
drop index events_user_type_idx;
drop table user_jobs;
drop table postings;
drop table jobs;
drop table boards;
drop table job_sources;
drop table profile_versions;
