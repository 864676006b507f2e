-- Up Migration
-- Cover letters, one per application: the verified letter (paragraphs of
-- sentences with their citations of profile and job items), who wrote it, the
-- sentences the verifier rejected (rule, offending words), the letter as plain
-- text (what ATS cover-letter fields receive) and its rendered PDF (what the
-- email channel attaches). `applications.cover_letter` asks the workflow to
-- write one; the on-demand endpoint sets it too.
alter table applications add column cover_letter boolean not null default false;

create table application_cover_letters (
  application_id uuid primary key references applications (id),
  user_id uuid not null references users (id),
  profile_version integer not null,
  source text not null,
  letter jsonb not null,
  frame jsonb not null,
  text text not null,
  rejections jsonb not null default '[]'::jsonb,
  fell_back boolean not null default false,
  pdf bytea,
  sha256 text,
  pages integer,
  text_layer integer,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index application_cover_letters_user_idx on application_cover_letters (user_id);

-- Down Migration
drop table application_cover_letters;
alter table applications drop column cover_letter;
