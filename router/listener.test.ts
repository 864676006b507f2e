import { describe, expect, it } from 'vitest';
import { isPlainProxyTarget } from './listener.ts';

describe('isPlainProxyTarget', () => {
  it('takes plain /v1 targets outside /v1/auth/ for the fast path', () => {
    for (const url of ['/v1/jobs', '/v1/jobs?limit=20&q=a,b', '/v1/auth', '/v1/documents/1/pdf']) {
      expect(isPlainProxyTarget(url)).toBe(true);
    }
  });

  it('leaves auth, non-/v1, encoded, dot-segment and absolute targets to Hono', () => {
    for (const url of [
      '/v1/auth/login',
      '/v1',
      '/metrics',
      '/admin/v1/cells',
      '/v1/%61uth/login',
      '/v1/../admin/v1/cells',
      '/v1/jobs/./1',
      '/v1/jobs/..',
      '/v1/jobs\\..\\x',
      '/v1/jobs with space',
      'http://router/v1/jobs',
    ]) {
      expect(isPlainProxyTarget(url)).toBe(false);
    }
  });
});
