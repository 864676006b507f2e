-- Up Migration
-- The answers drafted for a job's application-form questions (Greenhouse
-- `questions=true`): each with its field name, label, whether it is required,
-- the answer (null: unanswered) and where it came from (a stored screening
-- answer or a profile pointer). Sent with the application.
alter table applications add column answers jsonb;

-- Down Migration
alter table applications drop column answers;
