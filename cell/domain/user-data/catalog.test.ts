import { describe, expect, it } from 'vitest';
import { buildCatalog, UncoveredUserDataError } from './catalog.ts';

type Raw = Parameters<typeof buildCatalog>[0];

function column(table: string, name: string, baseType = 'uuid') {
  return { table, name, type: baseType, base_type: baseType, generated: false, identity: false };
}
function pk(table: string, ...columns: string[]) {
  return { table, kind: 'p' as const, columns, references: null, referenced_columns: null };
}
function fk(table: string, columns: string[], references: string, referenced: string[]) {
  return { table, kind: 'f' as const, columns, references, referenced_columns: referenced };
}

function schema(extra: Partial<Raw> = {}): Raw {
  return {
    tables: [
      { name: 'users', comment: null },
      { name: 'jobs', comment: null },
      { name: 'user_jobs', comment: null },
      { name: 'postings', comment: null },
      { name: 'boards', comment: null },
      { name: 'user_states', comment: 'state [cell-local]' },
      ...(extra.tables ?? []),
    ],
    columns: [
      column('users', 'id'),
      column('jobs', 'id'),
      column('jobs', 'owner_user_id'),
      column('user_jobs', 'user_id'),
      column('user_jobs', 'job_id'),
      column('postings', 'id'),
      column('postings', 'job_id'),
      column('postings', 'minhash', 'bytea'),
      column('boards', 'board', 'text'),
      column('user_states', 'user_id'),
      ...(extra.columns ?? []),
    ],
    constraints: [
      pk('users', 'id'),
      pk('jobs', 'id'),
      pk('user_jobs', 'user_id', 'job_id'),
      pk('postings', 'id'),
      pk('boards', 'board'),
      pk('user_states', 'user_id'),
      fk('jobs', ['owner_user_id'], 'users', ['id']),
      fk('user_jobs', ['user_id'], 'users', ['id']),
      fk('user_jobs', ['job_id'], 'jobs', ['id']),
      fk('postings', ['job_id'], 'jobs', ['id']),
      ...(extra.constraints ?? []),
    ],
    indexes: extra.indexes ?? [],
  };
}

describe('user-data catalog', () => {
  it('finds user-keyed tables, the shared rows they reference and those rows’ children, parents first', () => {
    const catalog = buildCatalog(schema());
    expect(catalog.root.name).toBe('users');
    expect(catalog.tables.map((t) => t.name)).toEqual(['users', 'jobs', 'postings', 'user_jobs']);
    expect(catalog.byName.get('jobs')?.userColumns).toEqual(['owner_user_id']);
    expect(
      catalog.byName.get('postings')?.columns.find((c) => c.name === 'minhash')?.encoding,
    ).toBe('base64');
  });

  it('skips cell-local tables and tables no user row reaches', () => {
    const names = buildCatalog(schema()).tables.map((t) => t.name);
    expect(names).not.toContain('user_states');
    expect(names).not.toContain('boards');
  });

  it('picks up a table keyed by user under another column name through its foreign key', () => {
    const catalog = buildCatalog(
      schema({
        tables: [{ name: 'bookmarks', comment: null }],
        columns: [column('bookmarks', 'id'), column('bookmarks', 'created_by')],
        constraints: [pk('bookmarks', 'id'), fk('bookmarks', ['created_by'], 'users', ['id'])],
      }),
    );
    expect(catalog.tables.map((t) => t.name)).toContain('bookmarks');
  });

  it('refuses to build, naming the table, when a user column is out of its reach', () => {
    const build = () =>
      buildCatalog(
        schema({
          tables: [{ name: 'legacy_notes', comment: null }],
          columns: [column('legacy_notes', 'id'), column('legacy_notes', 'author_user')],
          constraints: [pk('legacy_notes', 'id')],
        }),
      );
    expect(build).toThrow(UncoveredUserDataError);
    expect(build).toThrow(/legacy_notes\.author_user/);
  });

  it('refuses a user-data table without a primary key', () => {
    expect(() =>
      buildCatalog(
        schema({
          tables: [{ name: 'scratch', comment: null }],
          columns: [column('scratch', 'user_id')],
          constraints: [fk('scratch', ['user_id'], 'users', ['id'])],
        }),
      ),
    ).toThrow(/scratch holds user rows but has no primary key/);
  });
});
