-- Up Migration
-- The user's reusable answers to application-form questions (work
-- authorisation, notice period, salary expectation, relocation, custom
-- questions), one document per user, replaced as a whole by
-- `PUT /v1/profile/answers`. Drafting answers for a job's form reads them
-- first, then grounded profile facts.
create table screening_answers (
  user_id uuid primary key references users (id),
  answers jsonb not null,
  updated_at timestamptz not null default now()
);

-- Down Migration
drop table screening_answers;
