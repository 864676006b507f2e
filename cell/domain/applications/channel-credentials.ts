/**
 * Per-user channel credentials (employer API keys, webhook URL and secret),
 * sealed with the secret box before they touch Postgres. The sealed value is
 * bound to `<user>:<channel>:<scope>`, so a row copied elsewhere will not open.
 * Reads never return secrets to the API; only the submit step opens them.
 */
import type postgres from 'postgres';
import type { SecretBox } from '../../../lib/crypto/secret-box.ts';
import type { SubmissionChannels } from '../../adapters/submission/registry.ts';
import { ChannelNotConfiguredError, InvalidSubmissionError } from './errors.ts';

export interface StoredCredentialInfo {
  channel: string;
  scope: string;
  updatedAt: Date;
}

export class ChannelCredentialsStore {
  constructor(
    private readonly sql: postgres.Sql,
    private readonly channels: SubmissionChannels,
    private readonly secretBox: SecretBox | undefined,
  ) {}

  /** Validates and stores credentials; `scope` narrows them to e.g. one board token. */
  async put(userId: string, channelName: string, credentials: unknown, scope = ''): Promise<void> {
    const channel = this.channels.get(channelName);
    if (!channel.requiresCredentials) {
      throw new InvalidSubmissionError(
        channelName,
        `The ${channelName} channel takes no credentials`,
      );
    }
    channel.validateCredentials(credentials);
    const box = this.requireBox(channelName);
    const sealed = box.seal(JSON.stringify(credentials), {
      context: contextOf(userId, channelName, scope),
    });
    await this.sql`
      insert into channel_credentials (user_id, channel, scope, sealed)
      values (${userId}, ${channelName}, ${scope}, ${sealed})
      on conflict (user_id, channel, scope)
      do update set sealed = excluded.sealed, updated_at = now()`;
  }

  /**
   * The credentials to submit with: the scoped ones, else the unscoped ones, else undefined
   * (which the channel turns into `ChannelNotConfiguredError`).
   */
  async get(userId: string, channelName: string, scope = ''): Promise<unknown> {
    const channel = this.channels.get(channelName);
    if (!channel.requiresCredentials) return undefined;
    const rows = await this.sql<{ scope: string; sealed: string }[]>`
      select scope, sealed from channel_credentials
       where user_id = ${userId} and channel = ${channelName} and scope in (${scope}, '')`;
    const row = rows.find((r) => r.scope === scope) ?? rows.find((r) => r.scope === '');
    if (!row) return undefined;
    const box = this.requireBox(channelName);
    return JSON.parse(
      box.openText(row.sealed, { context: contextOf(userId, channelName, row.scope) }),
    );
  }

  async list(userId: string): Promise<StoredCredentialInfo[]> {
    return this.sql<StoredCredentialInfo[]>`
      select channel, scope, updated_at as "updatedAt" from channel_credentials
       where user_id = ${userId} order by channel, scope`;
  }

  async remove(userId: string, channelName: string, scope = ''): Promise<boolean> {
    const deleted = await this.sql`
      delete from channel_credentials
       where user_id = ${userId} and channel = ${channelName} and scope = ${scope}`;
    return deleted.count > 0;
  }

  private requireBox(channelName: string): SecretBox {
    if (!this.secretBox) {
      throw new ChannelNotConfiguredError(
        channelName,
        'This cell has no SECRETS_KEY, so it cannot store or read channel credentials',
      );
    }
    return this.secretBox;
  }
}

function contextOf(userId: string, channel: string, scope: string): string {
  return `channel-credentials:${userId}:${channel}:${scope}`;
}
