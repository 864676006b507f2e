/**
 * Per-process configuration loading: each process declares one zod schema,
 * parses `process.env` once at start, and fails fast naming the bad variable.
 */
import { z } from 'zod';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration: ${problems.join('; ')}`);
    this.name = 'ConfigError';
  }
}

/** Parses `env` against `schema`; throws {@link ConfigError} naming every bad variable. */
export function parseConfig<S extends z.ZodType>(
  schema: S,
  env: Record<string, string | undefined> = process.env,
): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const name = issue.path.join('.') || '(root)';
    const value = env[String(issue.path[0])];
    const reason = value === undefined || value === '' ? 'is required' : issue.message;
    return `${name} ${reason}`;
  });
  throw new ConfigError(problems);
}

/**
 * Loads configuration for a process entry point. On failure it writes one line
 * to stderr naming the variable(s) and exits with status 78 (EX_CONFIG).
 */
export function loadConfig<S extends z.ZodType>(schema: S, env = process.env): z.infer<S> {
  try {
    return parseConfig(schema, env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78);
    }
    throw error;
  }
}

/** Reusable field schemas so every process spells the same things the same way. */
export const configFields = {
  port: z.coerce.number().int().min(0).max(65535),
  url: z.url(),
  postgresUrl: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL'),
  redisUrl: z.string().regex(/^rediss?:\/\//, 'must be a redis:// URL'),
  secret: z.string().min(32, 'must be at least 32 characters'),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  boolean: z
    .enum(['true', 'false', '1', '0'])
    .transform((value) => value === 'true' || value === '1'),
  cellId: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be a lowercase id like cell-1'),
  durationMs: z.coerce.number().int().positive(),
};
