/** The router's Hono env: node bindings when served, services and request context. */
import type { HttpBindings } from '@hono/node-server';
import type { RequestContextVariables } from '../lib/request-id.ts';
import type { RouterServices } from './services.ts';

export interface RouterEnv {
  /** Present when served by router/listener.ts (@hono/node-server); absent under `app.request()`. */
  Bindings: Partial<HttpBindings>;
  Variables: RequestContextVariables & { services: RouterServices; userId: string };
}
