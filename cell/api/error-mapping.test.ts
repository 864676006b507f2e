import { describe, expect, it } from 'vitest';
import { mapCellDomainError } from './error-mapping.ts';

function withCode(code: string, message = 'boom') {
  return Object.assign(new Error(message), { code });
}

describe('mapping dependency failures', () => {
  it.each([
    ['ECONNREFUSED'],
    ['CONNECTION_CLOSED'],
    ['CONNECT_TIMEOUT'],
    ['57P01'],
    ['57P03'],
    ['08006'],
    ['53300'],
  ])('turns a %s from Postgres into a retryable 503', (code) => {
    const mapped = mapCellDomainError(withCode(code));
    expect(mapped?.code).toBe('service_unavailable');
    expect(mapped?.headers['retry-after']).toBe('1');
    // The router counts these answers for passive health.
    expect(mapped?.headers['x-cell-dependency-down']).toBe('1');
  });

  it('turns a Redis client that gave up into a retryable 503', () => {
    const error = new Error('Reached the max retries per request limit (which is 1).');
    expect(mapCellDomainError(error)?.code).toBe('service_unavailable');
  });

  it('leaves real bugs alone so they become an opaque 500', () => {
    expect(mapCellDomainError(withCode('42P01', 'relation "nope" does not exist'))).toBeUndefined();
    expect(mapCellDomainError(new TypeError('x is undefined'))).toBeUndefined();
  });
});

describe('mapping text the database cannot store', () => {
  it.each([
    ['22021', 'invalid byte sequence for encoding "UTF8": 0x00'],
    ['22P05', 'unsupported Unicode escape sequence'],
    [
      '22P02',
      'invalid input syntax for type json (Unicode low surrogate must follow a high surrogate.)',
    ],
  ])('turns Postgres %s into a 400 validation_failed, not a 500', (code, message) => {
    const mapped = mapCellDomainError(withCode(code, message));
    expect(mapped?.status).toBe(400);
    expect(mapped?.code).toBe('validation_failed');
  });

  it('leaves other invalid input syntax alone', () => {
    expect(
      mapCellDomainError(withCode('22P02', 'invalid input syntax for type uuid')),
    ).toBeUndefined();
  });
});
