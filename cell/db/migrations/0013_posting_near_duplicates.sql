-- Up Migration
-- Near-duplicate postings (docs/adr/0003-near-duplicate-jobs-minhash.md): each
-- board posting keeps its MinHash signature (128 × uint32, little-endian) and
-- its normalized title, and an LSH index of its 32 band keys (band * 2^32 +
-- band hash). A new posting sharing a band key with a stored one of the same
-- title is compared on the full signature. Postings stored before this
-- migration have no signature yet; they are indexed the next time their board
-- is fetched in full. Manual jobs' postings are never indexed.
alter table postings add column minhash bytea, add column title_key text;

create table posting_lsh_bands (
  band_key bigint not null,
  posting_id uuid not null references postings (id) on delete cascade,
  primary key (band_key, posting_id)
);
create index posting_lsh_bands_posting_idx on posting_lsh_bands (posting_id);

-- Down Migration
drop table posting_lsh_bands;
alter table postings drop column title_key, drop column minhash;
