/** Control-plane SQL of accounts and refresh tokens. */
import type postgres from 'postgres';
import { newId } from '../../lib/ids.ts';

export interface Account {
  id: string;
  email: string;
  name: string;
  passwordHash: string;
}

type Sql = postgres.Sql | postgres.TransactionSql;

export class AccountStore {
  constructor(readonly sql: postgres.Sql) {}

  async findByEmail(email: string): Promise<Account | undefined> {
    const [row] = await this.sql<Account[]>`
      select id::text as id, email, name, password_hash as "passwordHash"
      from accounts where lower(email) = ${email.toLowerCase()}`;
    return row;
  }

  async findById(id: string): Promise<Account | undefined> {
    const [row] = await this.sql<Account[]>`
      select id::text as id, email, name, password_hash as "passwordHash"
      from accounts where id = ${id}`;
    return row;
  }

  /** Inserts an account; false when the email is taken. */
  async insert(tx: Sql, account: Account): Promise<boolean> {
    const rows = await tx`
      insert into accounts (id, email, name, password_hash)
      values (${account.id}, ${account.email}, ${account.name}, ${account.passwordHash})
      on conflict do nothing returning id`;
    return rows.length === 1;
  }

  async insertRefreshToken(
    tx: Sql,
    token: { accountId: string; familyId: string; tokenHash: string; ttlSeconds: number },
  ): Promise<void> {
    await tx`
      insert into refresh_tokens (id, account_id, family_id, token_hash, expires_at)
      values (${newId()}, ${token.accountId}, ${token.familyId}, ${token.tokenHash},
        now() + make_interval(secs => ${token.ttlSeconds}))`;
  }

  /** Revokes a live token and returns its owner and family; undefined when not live. */
  async consumeRefreshToken(
    tx: Sql,
    tokenHash: string,
  ): Promise<{ accountId: string; familyId: string } | undefined> {
    const [row] = await tx<{ accountId: string; familyId: string }[]>`
      update refresh_tokens set revoked_at = now()
      where token_hash = ${tokenHash} and revoked_at is null and expires_at > now()
      returning account_id::text as "accountId", family_id::text as "familyId"`;
    return row;
  }

  /** The family of a token that exists but was already revoked (a replayed token). */
  async revokedFamilyOf(tokenHash: string): Promise<string | undefined> {
    const [row] = await this.sql<{ familyId: string }[]>`
      select family_id::text as "familyId" from refresh_tokens
      where token_hash = ${tokenHash} and revoked_at is not null`;
    return row?.familyId;
  }

  async revokeFamily(familyId: string): Promise<void> {
    await this.sql`
      update refresh_tokens set revoked_at = now() where family_id = ${familyId} and revoked_at is null`;
  }

  /** Revokes one token; false when it was unknown or already revoked. */
  async revokeRefreshToken(tokenHash: string): Promise<boolean> {
    const rows = await this.sql`
      update refresh_tokens set revoked_at = now()
      where token_hash = ${tokenHash} and revoked_at is null returning id`;
    return rows.length === 1;
  }
}
