/** Credential schemas of the channels, and the parse that turns a miss into a domain error. */
import { z } from 'zod';
import { ChannelNotConfiguredError } from '../../domain/applications/errors.ts';
import type { ChannelName } from './types.ts';

/** An employer's API key for an ATS application API. */
export const apiKeyCredentialsSchema = z.object({ apiKey: z.string().min(1) });

/** The user's own webhook: where to post, and the secret the posts are signed with. */
export const webhookCredentialsSchema = z.object({
  url: z.url({ protocol: /^https?$/ }),
  secret: z.string().min(16),
});

export function parseCredentials<S extends z.ZodType>(
  channel: ChannelName,
  schema: S,
  credentials: unknown,
): z.infer<S> {
  if (credentials === undefined || credentials === null) {
    throw new ChannelNotConfiguredError(channel, `The ${channel} channel has no credentials`);
  }
  const result = schema.safeParse(credentials);
  if (result.success) return result.data;
  throw new ChannelNotConfiguredError(channel, `The ${channel} channel's credentials are invalid`, {
    problems: result.error.issues.map((issue) => ({ path: issue.path, message: issue.message })),
  });
}
