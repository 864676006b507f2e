/**
 * The signed-in session, in memory only: the access token and who it is for.
 * The refresh token never reaches page scripts: the router keeps it in an
 * HttpOnly cookie on /v1/auth. Components subscribe with `useSession()`.
 */
import { useSyncExternalStore } from 'preact/compat';

export interface SessionUser {
  id: string;
  email: string;
  name: string;
}

export type SessionState =
  | { status: 'unknown' }
  | { status: 'signed-out'; reason?: 'expired' }
  | { status: 'signed-in'; user: SessionUser; accessToken: string; expiresAt: number };

let state: SessionState = { status: 'unknown' };
const listeners = new Set<() => void>();

export function getSession(): SessionState {
  return state;
}

export function setSession(next: SessionState): void {
  state = next;
  for (const listener of listeners) listener();
}

export function signIn(session: { user: SessionUser; accessToken: string; expiresIn: number }) {
  setSession({
    status: 'signed-in',
    user: session.user,
    accessToken: session.accessToken,
    expiresAt: Date.now() + session.expiresIn * 1000,
  });
}

function subscribe(listener: () => void) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function useSession(): SessionState {
  return useSyncExternalStore(subscribe, getSession);
}
