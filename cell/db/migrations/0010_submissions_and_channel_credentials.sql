-- Up Migration
-- One row per application that is (to be) submitted: the exactly-once protocol.
-- A submission is claimed (pending -> sending, with a lease) in a transaction
-- before anything is sent, and its result recorded after. The idempotency key
-- is sent with every attempt. `application_id` gets its foreign key to
-- applications when that table lands.
create table submissions (
  application_id uuid primary key,
  user_id uuid not null references users (id),
  channel text not null,
  idempotency_key text not null unique,
  state text not null default 'pending'
    check (state in ('pending', 'sending', 'submitted', 'failed', 'unknown')),
  attempts integer not null default 0,
  lease_expires_at timestamptz,
  retryable boolean not null default false,
  external_id text,
  last_error jsonb,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  submitted_at timestamptz
);
create index submissions_user_state_idx on submissions (user_id, state);

-- Per-user channel credentials (employer API keys, webhook secrets), sealed
-- with AES-256-GCM under SECRETS_KEY; `scope` is e.g. a board token, '' = any.
create table channel_credentials (
  user_id uuid not null references users (id),
  channel text not null,
  scope text not null default '',
  sealed text not null check (sealed like 'v1:%'),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (user_id, channel, scope)
);

-- Down Migration
drop table channel_credentials;
drop table submissions;
