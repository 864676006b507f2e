/**
 * A small client of the public API through the router, for cross-process
 * tests and benchmarks: sign users up and make authenticated requests.
 */
import { randomBytes } from 'node:crypto';
import { Pool } from 'undici';

export interface TestUser {
  id: string;
  email: string;
  password: string;
  cellId: string;
  accessToken: string;
  refreshToken: string;
}

export interface ApiResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  cellId: string | undefined;
  // biome-ignore lint/suspicious/noExplicitAny: callers assert on arbitrary JSON
  body: any;
  latencyMs: number;
}

export class ApiClient {
  readonly pool: Pool;

  constructor(
    readonly baseUrl: string,
    options: { connections?: number } = {},
  ) {
    this.pool = new Pool(baseUrl, {
      connections: options.connections ?? 64,
      connectTimeout: 2_000,
      headersTimeout: 30_000,
      bodyTimeout: 30_000,
    });
  }

  async request(
    method: string,
    path: string,
    options: {
      token?: string;
      body?: unknown;
      headers?: Record<string, string>;
      timeoutMs?: number;
    } = {},
  ): Promise<ApiResponse> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let body: string | undefined;
    if (options.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.body);
    }
    const start = performance.now();
    const res = await this.pool.request({
      method: method as 'GET',
      path,
      headers,
      body,
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
    });
    const text = await res.body.text();
    const latencyMs = performance.now() - start;
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: keep the text
    }
    const cellId = res.headers['x-cell-id'];
    return {
      status: res.statusCode,
      headers: res.headers,
      cellId: typeof cellId === 'string' ? cellId : undefined,
      body: parsed,
      latencyMs,
    };
  }

  /** Signs a new user up; retries while the user's cell is briefly unavailable. */
  async signup(label = 'user'): Promise<TestUser> {
    const email = `${label}-${randomBytes(6).toString('hex')}@example.test`;
    const password = `pw-${randomBytes(12).toString('hex')}`;
    let res = await this.request('POST', '/v1/auth/signup', {
      body: { email, password, name: `Test ${label}` },
    });
    // A cell that just came back is 503 until the router's health checks see it
    // again; a client retries after a moment, as Retry-After says.
    for (let attempt = 0; res.status === 503 && attempt < 20; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      res = await this.request('POST', '/v1/auth/signup', {
        body: { email, password, name: `Test ${label}` },
      });
    }
    if (res.status !== 201 && res.status !== 200) {
      throw new Error(`signup failed: ${res.status} ${JSON.stringify(res.body)}`);
    }
    return {
      id: res.body.user.id,
      email,
      password,
      cellId: res.body.cellId,
      accessToken: res.body.accessToken,
      refreshToken: res.body.refreshToken,
    };
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
