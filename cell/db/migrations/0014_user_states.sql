-- Up Migration
-- Per-user lifecycle state for live migration between cells (issue 13). A user
-- absent from this table is `active`. `frozen`: writes refused while the
-- migrator catches up; `moved`: tombstone, the user lives in `moved_to` now;
-- `incoming`: loaded here, not yet live; `deleted`: the account was deleted.
-- The table is about this cell, not about the user's data: the user-data
-- catalog skips any table whose comment carries the `[cell-local]` marker, so
-- it is never copied, exported or checksummed.
create table user_states (
  user_id uuid primary key,
  state text not null check (state in ('frozen', 'moved', 'incoming', 'deleted')),
  moved_to text,
  updated_at timestamptz not null default now()
);
comment on table user_states is
  'Migration state of a user in this cell [cell-local]: never copied with the user''s data';

-- What remains of a deleted account: who, when, why and how many rows went.
create table user_deletions (
  user_id uuid primary key,
  reason text not null,
  request_id text,
  rows_deleted jsonb not null,
  deleted_at timestamptz not null default now()
);
comment on table user_deletions is
  'Audit record of account deletions in this cell [cell-local]: never copied with user data';

-- Events stay append-only, except when this transaction purges exactly that
-- user's rows (a migration's clean-up, a load replacing them, account deletion):
-- it says so with `set_config('cell.purging_user', <user id>, true)`.
create or replace function events_are_append_only() returns trigger language plpgsql as $$
begin
  if tg_op = 'DELETE' and current_setting('cell.purging_user', true) = old.user_id::text then
    return old;
  end if;
  raise exception 'events are append-only';
end;
$$;

-- Down Migration
create or replace function events_are_append_only() returns trigger language plpgsql as $$
begin
  raise exception 'events are append-only';
end;
$$;
drop table user_deletions;
drop table user_states;
