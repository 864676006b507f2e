/**
 * A user's lifecycle in this cell, as the router-side migrator drives it
 * (docs/reference/cell.md, "Per-user migration"):
 *
 *   active ──freeze──► frozen ──tombstone──► moved ──purge──► (tombstone only)
 *     ▲                  │  ▲                  │
 *     └────unfreeze──────┘  └───untombstone────┘
 *   (unknown | moved | deleted) ──load──► incoming ──activate──► active
 *
 * Every transition is idempotent. The API refuses the user's requests by
 * state (`api/middleware/user-state.ts`) and workers delay or drop their jobs
 * (`workers/user-gate.ts`).
 */
import type postgres from 'postgres';
import type { Logger } from '../../../lib/logger.ts';
import type { Provider } from '../../adapters/job-boards/types.ts';
import type {
  DiscoveryScheduler,
  EnsureBoardOptions,
  FollowUpQueue,
  WorkflowQueue,
} from '../../infra/queues.ts';
import { ACTIVE_STATUSES, stepOfStatus } from '../applications/workflow.ts';
import type { JobSourcesService } from '../discovery/job-sources.ts';
import { InvalidStateError, NotFoundError } from '../errors.ts';
import type { Digests } from '../user-data/digests.ts';
import type {
  Checksums,
  LoadItem,
  LoadOutcome,
  UserDataService,
  UserDump,
} from '../user-data/user-data.ts';
import { UserBusyError } from './errors.ts';
import type { UserActivity } from './user-activity.ts';
import {
  lockUserStatesExclusive,
  readUserState,
  type UserStateRecord,
  writeUserState,
} from './user-states.ts';

export interface UserLifecycleDeps {
  sql: postgres.Sql;
  userData: UserDataService;
  activity: UserActivity;
  scheduler: DiscoveryScheduler;
  jobSources: JobSourcesService;
  workflowQueue: WorkflowQueue;
  followUp: FollowUpQueue;
  logger: Logger;
  cellId: string;
}

export const EXPORT_FORMAT = 'cellular-resume-export';

/** `GET /v1/export`: the user's dump as a document, with where and when apart. */
export interface UserExport {
  format: typeof EXPORT_FORMAT;
  version: 1;
  userId: string;
  /** Changes when the user moves cells; everything else does not. */
  placement: { cellId: string; exportedAt: string };
  tables: UserDump['tables'];
  checksums: Checksums;
}

export class UserLifecycleService {
  constructor(private readonly deps: UserLifecycleDeps) {}

  state(userId: string): Promise<UserStateRecord> {
    return readUserState(this.deps.sql, userId);
  }

  /** The state, or `NotFoundError` for a user this cell neither holds nor remembers. */
  private async knownState(userId: string): Promise<UserStateRecord> {
    const state = await this.state(userId);
    if (state.state === 'active' && !(await this.deps.userData.exists(userId))) {
      throw new NotFoundError('No such user in this cell');
    }
    return state;
  }

  /**
   * Refuses the user's writes, then waits up to `waitMs` for every running
   * write and job of the user to end. Still busy: `UserBusyError`, and the
   * user stays frozen (retry, or `unfreeze`). Resolves with the frozen user's
   * digests: nothing of the user runs or will run here now, so they are what
   * a migration's catch-up compares with its copy's, without asking again.
   */
  async freeze(userId: string, waitMs: number): Promise<UserStateRecord & { digests: Digests }> {
    const current = await this.knownState(userId);
    if (current.state === 'active') {
      await this.deps.sql.begin(async (tx) => {
        // Waits for cell-wide writers (discovery, analysis, sweep) mid-transaction.
        await lockUserStatesExclusive(tx);
        const now = await readUserState(tx, userId);
        if (now.state === 'active') await writeUserState(tx, userId, 'frozen');
      });
    } else if (current.state !== 'frozen') {
      throw new InvalidStateError(`The user is ${current.state} here, not active`);
    }
    const running = await this.deps.activity.waitIdle(userId, waitMs);
    if (running > 0) throw new UserBusyError(running);
    return { state: 'frozen', movedTo: null, digests: await this.deps.userData.digests(userId) };
  }

  /** Back to active (a migration rolled back); the user's boards are scheduled again. */
  async unfreeze(userId: string): Promise<UserStateRecord> {
    const current = await this.knownState(userId);
    if (current.state === 'frozen') await writeUserState(this.deps.sql, userId, 'active');
    else if (current.state !== 'active') {
      throw new InvalidStateError(`The user is ${current.state} here, not frozen`);
    }
    // Syncs during the freeze passed the user by, and so did scores of jobs analyzed meanwhile.
    await this.deps.jobSources.catchUp(userId);
    await this.ensureSchedules(userId);
    await this.deps.followUp.enqueueMatch({ userId, staleOnly: true }, `unfreeze-${userId}`);
    return { state: 'active', movedTo: null };
  }

  /** Frozen → moved: late requests answer `409 user_moved`; the user's boards stop here. */
  async tombstone(userId: string, movedTo: string): Promise<UserStateRecord> {
    const current = await this.knownState(userId);
    if (current.state !== 'frozen' && current.state !== 'moved') {
      throw new InvalidStateError(
        `Freeze the user before the tombstone (the user is ${current.state})`,
      );
    }
    await writeUserState(this.deps.sql, userId, 'moved', movedTo);
    await this.releaseSchedules(await this.boardsOf(userId));
    return { state: 'moved', movedTo };
  }

  /** Moved → frozen (a flip rolled back), while the rows are still here. */
  async untombstone(userId: string): Promise<UserStateRecord> {
    const current = await this.knownState(userId);
    if (current.state === 'moved') {
      if (!(await this.deps.userData.exists(userId))) {
        throw new InvalidStateError("The user's rows were purged here; the tombstone stays");
      }
      await writeUserState(this.deps.sql, userId, 'frozen');
    } else if (current.state !== 'frozen') {
      throw new InvalidStateError(`The user is ${current.state} here, not moved`);
    }
    return { state: 'frozen', movedTo: null };
  }

  /**
   * Replaces the user's rows here with a dump, in one transaction; the user
   * becomes `incoming` unless already active here. A frozen user is a
   * migration's source: loading into it is refused.
   */
  async load(userId: string, dump: unknown): Promise<LoadOutcome> {
    return (await this.loadMany([{ userId, input: dump }]))[0] as LoadOutcome;
  }

  /** `load` for several users in one pair of transactions (`UserDataService.loadMany`). */
  async loadMany(items: readonly LoadItem[]): Promise<LoadOutcome[]> {
    return this.deps.userData.loadMany(items, {
      check: async (tx, userId) => {
        if ((await readUserState(tx, userId)).state === 'frozen') {
          throw new InvalidStateError('The user is frozen here: this cell is the source');
        }
      },
      beforeLoad: async (tx, userId) => {
        const current = await readUserState(tx, userId);
        const [held] = await tx<{ id: string }[]>`select id from users where id = ${userId}`;
        if (current.state === 'active' && held) return;
        await writeUserState(tx, userId, 'incoming');
      },
    });
  }

  /**
   * Incoming → active: follows the user's boards here (a board new to this
   * cell is first fetched within one discovery interval, not at once: its jobs
   * came with the user), re-queues every
   * workflow step that was not finished (the copied submission row and its
   * idempotency key keep the submission exactly-once), and rescores the
   * user's stale scores (those not computed from the job's analysis here and
   * the latest profile). Idempotent.
   */
  async activate(userId: string): Promise<{ requeued: number; boards: number }> {
    const current = await this.knownState(userId);
    if (current.state === 'incoming') await writeUserState(this.deps.sql, userId, 'active');
    else if (current.state !== 'active') {
      throw new InvalidStateError(`The user is ${current.state} here, not incoming`);
    }
    // Syncs here passed the user by while incoming: what the cell found meanwhile is linked now.
    await this.deps.jobSources.catchUp(userId);
    const boards = await this.ensureSchedules(userId, { firstFetch: 'spread' });
    const open = await this.deps.sql<{ id: string; status: string; revision: number }[]>`
      select id, status, revision from applications
      where user_id = ${userId} and status in ${this.deps.sql(ACTIVE_STATUSES as unknown as string[])}
      order by id`;
    for (const app of open) {
      const step = stepOfStatus(app.status);
      if (step) await this.deps.workflowQueue.requeueStep(step, app.id, app.revision);
    }
    // Only stale scores: a shared job this cell analyzed otherwise, a match the source had queued.
    await this.deps.followUp.enqueueMatch({ userId, staleOnly: true }, `activate-${userId}`);
    return { requeued: open.length, boards };
  }

  /**
   * Deletes every row the user owns here. Allowed once the user moved or is
   * incoming here, or for an account deletion (any state; the user becomes
   * `deleted` and `user_deletions` records it). Idempotent.
   */
  async purge(
    userId: string,
    options: { reason?: 'account_deleted'; requestId?: string } = {},
  ): Promise<Record<string, number>> {
    const current = await this.state(userId);
    const accountDeleted = options.reason === 'account_deleted';
    if (!accountDeleted && (current.state === 'active' || current.state === 'frozen')) {
      if (current.state === 'active' && !(await this.deps.userData.exists(userId))) return {};
      throw new InvalidStateError(
        `The user is ${current.state} here: only a moved or incoming user, or a deleted account, is purged`,
      );
    }
    const boards = await this.boardsOf(userId);
    const deleted = await this.deps.userData.purge(userId, async (tx, counts) => {
      if (accountDeleted) {
        await lockUserStatesExclusive(tx);
        await writeUserState(tx, userId, 'deleted');
        await tx`
          insert into user_deletions (user_id, reason, request_id, rows_deleted)
          values (${userId}, 'account_deleted', ${options.requestId ?? null}, ${tx.json(counts)})
          on conflict (user_id) do nothing`;
      } else if (current.state === 'incoming') {
        await writeUserState(tx, userId, 'active');
      }
    });
    await this.releaseSchedules(boards);
    const rows = Object.values(deleted).reduce((sum, n) => sum + n, 0);
    if (accountDeleted) {
      this.deps.logger.info(
        { userId, requestId: options.requestId, rows, cellId: this.deps.cellId },
        'account deleted',
      );
    }
    return deleted;
  }

  /** `GET /v1/export`. */
  async export(userId: string): Promise<UserExport> {
    const dump = await this.deps.userData.dump(userId);
    return {
      format: EXPORT_FORMAT,
      version: 1,
      userId,
      placement: { cellId: this.deps.cellId, exportedAt: new Date().toISOString() },
      tables: dump.tables,
      checksums: dump.checksums,
    };
  }

  private async boardsOf(userId: string): Promise<{ provider: Provider; board: string }[]> {
    return this.deps.sql<{ provider: Provider; board: string }[]>`
      select distinct provider, board from job_sources where user_id = ${userId}
      order by provider, board`;
  }

  private async ensureSchedules(userId: string, options?: EnsureBoardOptions): Promise<number> {
    const boards = await this.boardsOf(userId);
    for (const { provider, board } of boards)
      await this.deps.scheduler.ensureBoard(provider, board, options);
    return boards.length;
  }

  private async releaseSchedules(boards: { provider: Provider; board: string }[]): Promise<void> {
    for (const { provider, board } of boards) {
      await this.deps.jobSources.releaseBoardIfUnfollowed(provider, board);
    }
  }
}
