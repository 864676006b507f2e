-- Up Migration
-- Every per-user read of the user-data service (a move's dump, its digests at
-- the dump, the load and the freeze, the export, a purge) finds a user's rows
-- by their user column, and the rows of tables without one by the foreign key
-- to their parent. These columns had no index, so each such read scanned the
-- whole table: a move cost grew with the cell's size, not the user's
-- (`make bench-user-data` with BENCH_USER_DATA_OTHER_USERS). Deleting a row
-- also checks each foreign key to it: `applications.job_id` for a job, and
-- `notifications.application_id` for an application, whose only index was
-- partial (undelivered notifications) and is now whole.
-- `cell/domain/user-data/user-data.int.test.ts` fails naming any user column
-- or foreign key of the user-data catalog that no index leads. Migrations run
-- in one transaction, so these are plain builds: on a populated cell, writes to
-- these tables wait for them once, at the upgrade.
create index jobs_owner_user_idx on jobs (owner_user_id);
create index applications_job_idx on applications (job_id);
create index application_documents_user_idx on application_documents (user_id);
create index application_outcomes_user_idx on application_outcomes (user_id);
create index application_steps_user_idx on application_steps (user_id);
create index application_variants_user_idx on application_variants (user_id);
drop index notifications_application_idx;
create index notifications_application_idx on notifications (application_id);

-- Down Migration
drop index notifications_application_idx;
create index notifications_application_idx on notifications (application_id)
  where delivered_at is null;
drop index application_variants_user_idx;
drop index application_steps_user_idx;
drop index application_outcomes_user_idx;
drop index application_documents_user_idx;
drop index applications_job_idx;
drop index jobs_owner_user_idx;
