-- Up Migration
-- Analyses now follow lib/ai/contract.ts: `remote` is a policy
-- ('remote' | 'hybrid' | 'onsite' | 'unknown') instead of a nullable boolean.
update jobs
   set analysis = jsonb_set(
         analysis, '{remote}',
         to_jsonb(case analysis->>'remote' when 'true' then 'remote'
                                           when 'false' then 'onsite'
                                           else 'unknown' end))
 where analysis is not null
   and jsonb_typeof(coalesce(analysis->'remote', 'null'::jsonb)) in ('boolean', 'null');

-- Down Migration
update jobs
   set analysis = jsonb_set(
         analysis, '{remote}',
         case analysis->>'remote' when 'remote' then 'true'::jsonb
                                  when 'onsite' then 'false'::jsonb
                                  else 'null'::jsonb end)
 where analysis is not null and jsonb_typeof(analysis->'remote') = 'string';
