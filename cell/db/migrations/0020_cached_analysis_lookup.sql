-- Up Migration
-- The cached job analyzer (cell/domain/analysis/job-analyzers.ts) looks up an
-- optimizer analysis of a job with the same title and company, case and
-- spacing ignored, when the AI optimizer fails. Without an index on those
-- normalized names every lookup read every job of the cell and ran two regular
-- expressions per row: seen under `bench-migration`, where the optimizer then
-- refused every board job's analysis (fixed since). The expressions here must
-- stay those of the analyzer's query.
create index jobs_optimizer_analysis_names_idx on jobs (
  (lower(btrim(regexp_replace(title, '[[:space:]]+', ' ', 'g')))),
  (lower(btrim(regexp_replace(company, '[[:space:]]+', ' ', 'g')))),
  analyzed_at desc
) where analysis is not null and analysis_source = 'optimizer';

-- Down Migration
drop index jobs_optimizer_analysis_names_idx;
