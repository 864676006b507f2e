/** zod pieces for query strings and path ids shared by the cell's routes. */
import { z } from 'zod';
import { isUuid } from '../../lib/ids.ts';
import { NotFoundError } from '../domain/errors.ts';

/** An integer query parameter in [min, max]; `''`, `1.5` or `abc` are rejected. */
export function intParam(min: number, max: number) {
  return z
    .string()
    .regex(/^-?\d{1,9}$/, 'must be an integer')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));
}

export const booleanParam = z.enum(['true', 'false']).transform((value) => value === 'true');

/** A path id that is not a UUID cannot name anything: "not found", like any other unknown id. */
export function requireUuid(id: string, what: string): string {
  if (!isUuid(id)) throw new NotFoundError(`No such ${what}`);
  return id;
}
