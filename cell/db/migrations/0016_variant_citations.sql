-- Up Migration
-- Tailored variants may rephrase prose: each candidate keeps the citations of
-- its rewritten texts (variant pointer → profile item ids), and the verify step
-- records the rewrites it rejected (rule, offending words, replacement).
alter table application_variants
  add column citations jsonb not null default '[]'::jsonb,
  add column rejections jsonb not null default '[]'::jsonb;

-- Down Migration
alter table application_variants drop column citations, drop column rejections;
