/**
 * Signup, login, refresh and logout against the control plane.
 *
 * Signup inserts the account in a transaction and commits only after the
 * user's cell said it initialised the user, so a failed cell leaves no
 * account behind and the same email can sign up again.
 */
import { newId } from '../../lib/ids.ts';
import type { Logger } from '../../lib/logger.ts';
import type { CellRecord } from '../control-plane/control-plane-store.ts';
import {
  CellDrainingError,
  EmailTakenError,
  InvalidCredentialsError,
  InvalidTokenError,
  RateLimitedError,
} from '../errors.ts';
import type { CellGate } from '../placement/cell-gate.ts';
import type { UserProvisioner } from '../proxy/user-provisioner.ts';
import type { AccountStore } from './account-store.ts';
import type { WindowLimiter } from './login-limiter.ts';
import { decoyHash, hashPassword, verifyPassword } from './passwords.ts';
import { type AccessTokens, hashRefreshToken, newRefreshToken } from './tokens.ts';

export interface Session {
  user: { id: string; email: string; name: string };
  cellId: string | undefined;
  tokenType: 'Bearer';
  accessToken: string;
  expiresIn: number;
  refreshToken: string;
  refreshExpiresIn: number;
}

export interface AuthServiceOptions {
  /** @defaultValue 15 */
  scryptLogN?: number;
  /** @defaultValue 2592000 */
  refreshTtlSeconds?: number;
  ipLimiter: WindowLimiter;
  emailLimiter: WindowLimiter;
}

/** A fresh id lands on a draining cell with the cell's share; a few redraws avoid it. */
const MAX_ID_DRAWS = 32;

export class AuthService {
  #decoy: Promise<string> | undefined;

  constructor(
    private readonly accounts: AccountStore,
    private readonly gate: CellGate,
    private readonly provisioner: UserProvisioner,
    private readonly tokens: AccessTokens,
    private readonly logger: Logger,
    private readonly options: AuthServiceOptions,
  ) {}

  async signup(
    input: { email: string; password: string; name: string },
    requestId: string,
  ): Promise<Session> {
    const email = input.email.trim().toLowerCase();
    if (await this.accounts.findByEmail(email)) throw new EmailTakenError();
    const { id, cell } = this.#placeNewUser();
    this.gate.assertServing(cell);
    const passwordHash = await hashPassword(input.password, this.options.scryptLogN);
    const account = { id, email, name: input.name, passwordHash };
    const refreshToken = newRefreshToken();
    await this.accounts.sql.begin(async (tx) => {
      if (!(await this.accounts.insert(tx, account))) throw new EmailTakenError();
      await this.accounts.insertRefreshToken(tx, this.#refreshRow(id, newId(), refreshToken));
      // Last step before commit: the cell's yes is what makes the account exist.
      await this.provisioner.initialise(cell.id, account, requestId);
    });
    this.logger.info({ userId: id, cellId: cell.id, requestId }, 'account created');
    return this.#session(account, cell.id, refreshToken);
  }

  async login(input: { email: string; password: string }, clientIp: string): Promise<Session> {
    const email = input.email.trim().toLowerCase();
    const wait = Math.max(
      this.options.ipLimiter.hit(clientIp),
      this.options.emailLimiter.hit(email),
    );
    if (wait > 0) throw new RateLimitedError(wait);
    const account = await this.accounts.findByEmail(email);
    if (!account) {
      // Same work as a real check, so response time does not reveal which emails exist.
      this.#decoy ??= decoyHash(this.options.scryptLogN ?? 15);
      await verifyPassword(input.password, await this.#decoy);
      throw new InvalidCredentialsError();
    }
    if (!(await verifyPassword(input.password, account.passwordHash))) {
      throw new InvalidCredentialsError();
    }
    this.options.emailLimiter.reset(email);
    const refreshToken = newRefreshToken();
    await this.accounts.insertRefreshToken(
      this.accounts.sql,
      this.#refreshRow(account.id, newId(), refreshToken),
    );
    return this.#session(account, this.gate.place(account.id).cell.id, refreshToken);
  }

  /** Rotates a refresh token. Replaying a used one revokes its whole family. */
  async refresh(refreshToken: string): Promise<Session> {
    const tokenHash = hashRefreshToken(refreshToken);
    const next = newRefreshToken();
    const accountId = await this.accounts.sql.begin(async (tx) => {
      const consumed = await this.accounts.consumeRefreshToken(tx, tokenHash);
      if (!consumed) return undefined;
      await this.accounts.insertRefreshToken(
        tx,
        this.#refreshRow(consumed.accountId, consumed.familyId, next),
      );
      return consumed.accountId;
    });
    if (!accountId) {
      const family = await this.accounts.revokedFamilyOf(tokenHash);
      if (family) {
        await this.accounts.revokeFamily(family);
        this.logger.warn({ familyId: family }, 'refresh token replayed; family revoked');
      }
      throw new InvalidTokenError('Invalid or expired refresh token');
    }
    const account = await this.accounts.findById(accountId);
    if (!account) throw new InvalidTokenError('Invalid or expired refresh token');
    return this.#session(account, this.gate.place(account.id).cell.id, next);
  }

  /** Revokes a refresh token; idempotent. */
  async logout(refreshToken: string): Promise<void> {
    await this.accounts.revokeRefreshToken(hashRefreshToken(refreshToken));
  }

  #placeNewUser(): { id: string; cell: CellRecord } {
    let first: { id: string; cell: CellRecord } | undefined;
    for (let draw = 0; draw < MAX_ID_DRAWS; draw++) {
      const id = newId();
      const { cell } = this.gate.place(id);
      first ??= { id, cell };
      if (cell.state !== 'draining') return { id, cell };
    }
    if (first) throw new CellDrainingError(first.cell.id);
    throw new CellDrainingError('unknown');
  }

  #refreshRow(accountId: string, familyId: string, token: string) {
    return {
      accountId,
      familyId,
      tokenHash: hashRefreshToken(token),
      ttlSeconds: this.options.refreshTtlSeconds ?? 2_592_000,
    };
  }

  async #session(
    account: { id: string; email: string; name: string },
    cellId: string | undefined,
    refreshToken: string,
  ): Promise<Session> {
    return {
      user: { id: account.id, email: account.email, name: account.name },
      cellId,
      tokenType: 'Bearer',
      accessToken: await this.tokens.issue(account.id),
      expiresIn: this.tokens.ttlSeconds,
      refreshToken,
      refreshExpiresIn: this.options.refreshTtlSeconds ?? 2_592_000,
    };
  }
}
