-- Up Migration
-- Which analysis a user's score of a job was computed from: md5 of the job's
-- analysis as jsonb text (canonical: one text per value). With
-- `scored_profile_version`, it tells a stale score from a fresh one, so the
-- target of a move rescores only what changed (a shared board job this cell
-- analyzed differently, a match the source had queued), not every job of the
-- user. Rows scored before this migration have none and count as stale once.
alter table user_jobs add column scored_analysis_md5 text;

-- Down Migration
alter table user_jobs drop column scored_analysis_md5;
