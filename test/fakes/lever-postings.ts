/**
 * Fake Lever Postings API apply endpoint, `POST /v0/postings/{site}/{postingId}?key=…`
 * (github.com/lever/postings-api): multipart/form-data or JSON, `name` and an
 * `email` with an "@" required, answers `{ok: true, applicationId}` or
 * `{ok: false, error}`.
 */
import { randomUUID } from 'node:crypto';
import {
  type FakeApiOptions,
  FakeApplicationApi,
  type FakeOutcome,
  formFields,
  json,
} from './http-fake.ts';

export interface FakeLeverOptions extends FakeApiOptions {
  apiKey: string;
}

export async function startFakeLever(options: FakeLeverOptions): Promise<FakeApplicationApi> {
  const handle = async (request: Request): Promise<FakeOutcome> => {
    const url = new URL(request.url);
    const match = /^\/v0\/postings\/([^/]+)\/([^/]+)$/.exec(url.pathname);
    if (request.method !== 'POST' || !match) {
      return { kind: 'respond', response: json(404, { ok: false, error: 'Not found' }) };
    }
    if (url.searchParams.get('key') !== options.apiKey) {
      return { kind: 'respond', response: json(401, { ok: false, error: 'Invalid API key' }) };
    }
    const type = request.headers.get('content-type') ?? '';
    const fields: Record<string, unknown> = type.startsWith('multipart/form-data')
      ? await formFields(await request.formData())
      : ((await request.json()) as Record<string, unknown>);
    if (typeof fields.name !== 'string' || !fields.name) {
      return { kind: 'respond', response: json(400, { ok: false, error: 'Missing name' }) };
    }
    if (typeof fields.email !== 'string' || !fields.email.includes('@')) {
      return { kind: 'respond', response: json(400, { ok: false, error: 'Invalid email' }) };
    }
    const applicationId = randomUUID();
    return {
      kind: 'accept',
      application: { site: match[1], postingId: match[2], applicationId, ...fields },
      response: () => json(200, { ok: true, applicationId }),
    };
  };
  return new FakeApplicationApi(handle, options).start();
}
