/**
 * Signup, login, refresh and logout against the control plane.
 *
 * Signup places the new user on the first healthy `active` cell in their
 * rendezvous order (the ring owner, or the next one while it is down),
 * records that placement with the account, and commits only after the cell
 * said it initialised the user, so a failed cell leaves no account behind.
 */
import { newId } from '../../lib/ids.ts';
import type { Logger } from '../../lib/logger.ts';
import type { ControlPlaneStore } from '../control-plane/control-plane-store.ts';
import {
  CellUnavailableError,
  EmailTakenError,
  InvalidCredentialsError,
  InvalidTokenError,
  NoCellAvailableError,
  PasswordMismatchError,
  RateLimitedError,
  UnknownAccountError,
  UserMigratingError,
} from '../errors.ts';
import type { CellDataClient } from '../migration/cell-data-client.ts';
import type { CellGate } from '../placement/cell-gate.ts';
import type { PlacementDirectory } from '../placement/placement-directory.ts';
import type { UserProvisioner } from '../proxy/user-provisioner.ts';
import type { AccountStore } from './account-store.ts';
import type { LoginLimiter } from './login-limiter.ts';
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
  ipLimiter: LoginLimiter;
  emailLimiter: LoginLimiter;
}

/** Cells tried at signup, in the new user's rendezvous order, before giving up. */
const MAX_SIGNUP_CELLS = 3;

export class AuthService {
  #decoy: Promise<string> | undefined;

  constructor(
    private readonly accounts: AccountStore,
    private readonly controlPlane: ControlPlaneStore,
    private readonly directory: PlacementDirectory,
    private readonly gate: CellGate,
    private readonly provisioner: UserProvisioner,
    private readonly cellData: CellDataClient,
    private readonly isMoving: (userId: string) => Promise<boolean>,
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
    const id = newId();
    const order = this.directory.ringOrder(id);
    if (order.length === 0) throw new NoCellAvailableError('No active cell takes new users');
    const passwordHash = await hashPassword(input.password, this.options.scryptLogN);
    const account = { id, email, name: input.name, passwordHash };
    const refreshToken = newRefreshToken();
    let lastError: unknown;
    let tried = 0;
    for (const cell of order) {
      if (tried >= MAX_SIGNUP_CELLS) break;
      try {
        this.gate.assertServing(cell);
      } catch (error) {
        lastError = error;
        continue;
      }
      tried++;
      const reason = cell.id === order[0]?.id ? 'ring' : 'fallback';
      try {
        await this.accounts.sql.begin(async (tx) => {
          if (!(await this.accounts.insert(tx, account))) throw new EmailTakenError();
          await this.accounts.insertRefreshToken(tx, this.#refreshRow(id, newId(), refreshToken));
          await this.controlPlane.insertPlacement(tx, { userId: id, cellId: cell.id, reason });
          // Last step before commit: the cell's yes is what makes the account exist.
          await this.provisioner.initialise(cell.id, account, requestId);
        });
      } catch (error) {
        if (!(error instanceof CellUnavailableError)) throw error;
        lastError = error;
        continue;
      }
      this.directory.setPlacement({ userId: id, cellId: cell.id, reason, frozen: false });
      this.logger.info({ userId: id, cellId: cell.id, reason, requestId }, 'account created');
      return this.#session(account, cell.id, refreshToken);
    }
    throw lastError instanceof CellUnavailableError
      ? lastError
      : new NoCellAvailableError('No healthy cell can take new users now');
  }

  /**
   * Deletes an account after checking its password: the user's data in their
   * cell first (`DELETE .../data?reason=account_deleted`), then the account,
   * its refresh tokens and its placement, with an `account.deleted` event.
   * A failed cell call leaves everything in place, so a retry works.
   */
  async deleteAccount(userId: string, password: string, requestId: string): Promise<void> {
    const account = await this.accounts.findById(userId);
    if (!account) throw new UnknownAccountError();
    if (!(await verifyPassword(password, account.passwordHash))) throw new PasswordMismatchError();
    const placement = await this.gate.place(userId);
    if (placement.frozen || (await this.isMoving(userId))) {
      throw new UserMigratingError(placement.cell.id);
    }
    this.gate.assertServing(placement.cell);
    try {
      await this.cellData.deleteData(placement.cell.id, userId, { reason: 'account_deleted' });
    } catch (error) {
      throw new CellUnavailableError(placement.cell.id, 'The cell could not delete the data', {
        cause: error,
      });
    }
    await this.accounts.sql.begin(async (tx) => {
      await tx`delete from placements where user_id = ${userId}`;
      await tx`delete from accounts where id = ${userId}`;
      await tx`
        insert into account_events (id, type, user_id, data)
        values (${newId()}, 'account.deleted', ${userId},
          ${tx.json({ cellId: placement.cell.id, requestId })})`;
    });
    this.directory.updatePlacements([userId], []);
    this.logger.info({ userId, cellId: placement.cell.id, requestId }, 'account deleted');
  }

  async login(input: { email: string; password: string }, clientIp: string): Promise<Session> {
    const email = input.email.trim().toLowerCase();
    const wait = Math.max(
      ...(await Promise.all([
        this.options.ipLimiter.hit(clientIp),
        this.options.emailLimiter.hit(email),
      ])),
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
    await this.options.emailLimiter.reset(email);
    const refreshToken = newRefreshToken();
    await this.accounts.insertRefreshToken(
      this.accounts.sql,
      this.#refreshRow(account.id, newId(), refreshToken),
    );
    return this.#session(account, (await this.gate.place(account.id)).cell.id, refreshToken);
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
    return this.#session(account, (await this.gate.place(account.id)).cell.id, next);
  }

  /** Revokes a refresh token; idempotent. */
  async logout(refreshToken: string): Promise<void> {
    await this.accounts.revokeRefreshToken(hashRefreshToken(refreshToken));
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
