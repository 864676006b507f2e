/**
 * Bulk rows as one jsonb parameter, for `jsonb_to_recordset(...)`: one
 * statement and one parameter however many rows, far under Postgres's
 * 65,535-parameter limit.
 */
import type postgres from 'postgres';

export function jsonRows(
  sql: postgres.Sql | postgres.TransactionSql,
  rows: readonly object[],
): postgres.Parameter {
  return sql.json(rows as unknown as postgres.JSONValue);
}
