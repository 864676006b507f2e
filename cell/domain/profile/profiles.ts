/**
 * Profiles: each user's master resume in JSON Resume format. Every update is a
 * new numbered version, stored as the exact text the user sent so that export
 * returns the imported document byte for byte (any script, unknown fields, key
 * order). The update and its `profile.updated` event share one transaction.
 */
import type postgres from 'postgres';
import { NotFoundError, ValidationError } from '../errors.ts';
import { appendEvent } from '../events.ts';
import { checkJsonResume, type ResumeCheck } from './json-resume.ts';

export interface ProfileVersion {
  version: number;
  document: string;
  createdAt: string;
}

/** A stored version and what its import tolerated. */
export interface ProfileImport extends ProfileVersion {
  warnings: ResumeCheck['warnings'];
  warningsOmitted: number;
}

export interface ProfileVersionSummary {
  version: number;
  bytes: number;
  createdAt: string;
}

/** Called after a profile version commits, e.g. to queue match recomputation. */
export type ProfileUpdatedHook = (userId: string, version: number) => Promise<void>;

export class ProfilesService {
  constructor(
    private readonly sql: postgres.Sql,
    private readonly onUpdated?: ProfileUpdatedHook,
  ) {}

  /**
   * Stores `text` (already parsed as `document`) as the user's next version,
   * with the warnings of what its import tolerated. Throws
   * {@link ValidationError} with JSON pointers when it cannot be a resume.
   */
  async update(userId: string, document: unknown, text: string): Promise<ProfileImport> {
    const { problems, warnings, warningsOmitted } = checkJsonResume(document);
    if (problems.length > 0) throw new ValidationError('Not a valid JSON Resume', problems);
    const stored = await this.sql.begin(async (tx) => {
      // Serialise concurrent updates of one user so version numbers never collide.
      await tx`select pg_advisory_xact_lock(hashtext(${`profile:${userId}`}))`;
      const [row] = await tx<ProfileVersion[]>`
        insert into profile_versions (user_id, version, document)
        select ${userId}, coalesce(max(version), 0) + 1, ${text}
        from profile_versions where user_id = ${userId}
        returning version, document, created_at as "createdAt"`;
      if (!row) throw new Error('profile insert returned no row');
      await appendEvent(tx, {
        type: 'profile.updated',
        userId,
        data: { version: row.version, bytes: Buffer.byteLength(text) },
      });
      return row;
    });
    await this.onUpdated?.(userId, stored.version);
    return { ...stored, warnings, warningsOmitted };
  }

  /** The latest version, or the given one. */
  async get(userId: string, version?: number): Promise<ProfileVersion> {
    const rows = await this.sql<ProfileVersion[]>`
      select version, document, created_at as "createdAt"
      from profile_versions
      where user_id = ${userId} ${version === undefined ? this.sql`` : this.sql`and version = ${version}`}
      order by version desc limit 1`;
    const row = rows[0];
    if (!row)
      throw new NotFoundError(version === undefined ? 'No profile yet' : 'No such profile version');
    return row;
  }

  /** The latest version or undefined, for matching. */
  async latest(userId: string): Promise<ProfileVersion | undefined> {
    return this.get(userId).catch((error: unknown) => {
      if (error instanceof NotFoundError) return undefined;
      throw error;
    });
  }

  async versions(userId: string): Promise<ProfileVersionSummary[]> {
    return this.sql<ProfileVersionSummary[]>`
      select version, octet_length(document)::int as bytes, created_at as "createdAt"
      from profile_versions where user_id = ${userId} order by version desc`;
  }
}
