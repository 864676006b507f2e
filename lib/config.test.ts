import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, configFields, parseConfig } from './config.ts';

const schema = z.object({
  PORT: configFields.port.default(8080),
  DATABASE_URL: configFields.postgresUrl,
  ROUTER_SECRET: configFields.secret,
});

describe('parseConfig', () => {
  it('returns typed values with defaults applied', () => {
    const config = parseConfig(schema, {
      DATABASE_URL: 'postgres://u@h/db',
      ROUTER_SECRET: 's'.repeat(32),
    });
    expect(config).toEqual({
      PORT: 8080,
      DATABASE_URL: 'postgres://u@h/db',
      ROUTER_SECRET: 's'.repeat(32),
    });
  });

  it('names a missing variable as required', () => {
    expect(() => parseConfig(schema, { ROUTER_SECRET: 's'.repeat(32) })).toThrow(
      /invalid configuration: DATABASE_URL is required/,
    );
  });

  it('names every invalid variable with the reason', () => {
    try {
      parseConfig(schema, { PORT: 'http', DATABASE_URL: 'mysql://x', ROUTER_SECRET: 'short' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const problems = (error as ConfigError).problems;
      expect(problems.map((p) => p.split(' ')[0]).sort()).toEqual([
        'DATABASE_URL',
        'PORT',
        'ROUTER_SECRET',
      ]);
      expect(problems.join('\n')).toMatch(/ROUTER_SECRET must be at least 32 characters/);
    }
  });
});
