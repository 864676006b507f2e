-- Up Migration
-- Users initialised in this cell by the router at signup. Every other table
-- is keyed by user_id so one user's rows can be copied out for migration.
create table users (
  id uuid primary key,
  email text not null,
  name text not null,
  created_at timestamptz not null default now()
);

-- Append-only log of state changes, written in the same transaction as the change.
create table events (
  id uuid primary key,
  user_id uuid not null references users (id),
  type text not null,
  occurred_at timestamptz not null default now(),
  data jsonb not null default '{}'::jsonb,
  correlation_id uuid,
  causation_id uuid
);
create index events_user_id_idx on events (user_id, id);

create function events_are_append_only() returns trigger language plpgsql as $$
begin
  raise exception 'events are append-only';
end;
$$;
create trigger events_append_only before update or delete on events
  for each row execute function events_are_append_only();

-- Down Migration
drop table events;
drop function events_are_append_only;
drop table users;
