/**
 * The cell's submission channels, built once from configuration, looked up
 * by name. An unknown name is a domain error (400), not a crash.
 */
import { UnknownChannelError } from '../../domain/applications/errors.ts';
import { AshbyChannel, ATS_DEFAULT_URLS, GreenhouseChannel, LeverChannel } from './ats-channels.ts';
import { EmailChannel } from './email-channel.ts';
import { ManualChannel } from './manual-channel.ts';
import { CHANNEL_NAMES, type ChannelName, type SubmissionChannel } from './types.ts';
import { WebhookChannel, type WebhookChannelOptions } from './webhook-channel.ts';

export interface SubmissionChannelsConfig {
  /** @defaultValue 'https://boards-api.greenhouse.io/v1' */
  greenhouseUrl?: string;
  /** @defaultValue 'https://api.lever.co/v0' */
  leverUrl?: string;
  /** @defaultValue 'https://api.ashbyhq.com' */
  ashbyUrl?: string;
  /** Per-request timeout of the ATS channels. @defaultValue 30_000 */
  timeoutMs?: number;
  /** Channels whose remote side is known to dedupe on `Idempotency-Key`. @defaultValue [] */
  remoteDedupes?: readonly ChannelName[];
  smtpUrl?: string;
  smtpFrom?: string;
  webhook?: WebhookChannelOptions;
}

export interface SubmissionChannels {
  get(name: string): SubmissionChannel;
  names(): readonly ChannelName[];
  close(): void;
}

export function isChannelName(name: string): name is ChannelName {
  return (CHANNEL_NAMES as readonly string[]).includes(name);
}

export function createSubmissionChannels(
  config: SubmissionChannelsConfig = {},
): SubmissionChannels {
  const dedupes = new Set(config.remoteDedupes ?? []);
  const ats = (name: ChannelName, baseUrl: string) => ({
    baseUrl,
    ...(config.timeoutMs === undefined ? {} : { timeoutMs: config.timeoutMs }),
    remoteDedupes: dedupes.has(name),
  });
  const email = new EmailChannel({
    ...(config.smtpUrl === undefined ? {} : { smtpUrl: config.smtpUrl }),
    ...(config.smtpFrom === undefined ? {} : { from: config.smtpFrom }),
    ...(config.timeoutMs === undefined ? {} : { timeoutMs: config.timeoutMs }),
  });
  const channels: Record<ChannelName, SubmissionChannel> = {
    greenhouse: new GreenhouseChannel(
      ats('greenhouse', config.greenhouseUrl ?? ATS_DEFAULT_URLS.greenhouse),
    ),
    lever: new LeverChannel(ats('lever', config.leverUrl ?? ATS_DEFAULT_URLS.lever)),
    ashby: new AshbyChannel(ats('ashby', config.ashbyUrl ?? ATS_DEFAULT_URLS.ashby)),
    email,
    webhook: new WebhookChannel(config.webhook),
    manual: new ManualChannel(),
  };
  return {
    get(name) {
      if (!isChannelName(name)) throw new UnknownChannelError(name, CHANNEL_NAMES);
      return channels[name];
    },
    names: () => CHANNEL_NAMES,
    close: () => email.close(),
  };
}
