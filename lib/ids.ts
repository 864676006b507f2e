/** Identifiers: UUIDv7 everywhere, so ids sort by creation time. */
import { v7, validate, version } from 'uuid';

export function newId(): string {
  return v7();
}

export function isUuid(value: string): boolean {
  return validate(value);
}

export function isUuidV7(value: string): boolean {
  return validate(value) && version(value) === 7;
}
