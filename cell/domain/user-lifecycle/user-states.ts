/**
 * A user's state in this cell (migration 0014): `active` (absent from
 * `user_states`), `frozen`, `moved`, `incoming` or `deleted`. Cell-wide
 * writers (discovery, analysis, scoring, the workflow sweep) write for many
 * users at once: they take the shared side of one advisory lock and skip users
 * that are not active, and a freeze takes its exclusive side, so no such
 * write of a frozen user commits after the freeze.
 */
import type postgres from 'postgres';

export const USER_STATES = ['active', 'frozen', 'moved', 'incoming', 'deleted'] as const;
export type UserState = (typeof USER_STATES)[number];

export interface UserStateRecord {
  state: UserState;
  movedTo: string | null;
}

const USER_STATES_LOCK = 'user-states';

type Sql = postgres.Sql | postgres.TransactionSql;

/** Taken by cell-wide writers in the transaction that writes users' rows. */
export async function lockUserStatesShared(tx: postgres.TransactionSql): Promise<void> {
  await tx`select pg_advisory_xact_lock_shared(hashtext(${USER_STATES_LOCK}))`;
}

/** Taken by a state change that must not overlap a cell-wide write (freeze, deletion). */
export async function lockUserStatesExclusive(tx: postgres.TransactionSql): Promise<void> {
  await tx`select pg_advisory_xact_lock(hashtext(${USER_STATES_LOCK}))`;
}

/** Of `userIds`, those that are not active here (their rows must not be written). */
export async function inactiveUsers(sql: Sql, userIds: readonly string[]): Promise<Set<string>> {
  if (userIds.length === 0) return new Set();
  const rows = await sql<{ user_id: string }[]>`
    select user_id from user_states where user_id = any(${[...new Set(userIds)]}::uuid[])`;
  return new Set(rows.map((row) => row.user_id));
}

export async function readUserState(sql: Sql, userId: string): Promise<UserStateRecord> {
  const [row] = await sql<{ state: UserState; moved_to: string | null }[]>`
    select state, moved_to from user_states where user_id = ${userId}`;
  return row ? { state: row.state, movedTo: row.moved_to } : { state: 'active', movedTo: null };
}

export async function writeUserState(
  sql: Sql,
  userId: string,
  state: UserState,
  movedTo: string | null = null,
): Promise<void> {
  if (state === 'active') {
    await sql`delete from user_states where user_id = ${userId}`;
    return;
  }
  await sql`
    insert into user_states (user_id, state, moved_to) values (${userId}, ${state}, ${movedTo})
    on conflict (user_id) do update
      set state = excluded.state, moved_to = excluded.moved_to, updated_at = now()`;
}
