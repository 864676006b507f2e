/** Small helpers for reading HTTP responses in tests. */

// biome-ignore lint/suspicious/noExplicitAny: tests assert on arbitrary JSON shapes
export type Json = Record<string, any>;

/** Parses a response body as JSON for assertions. */
export async function jsonOf<T = Json>(res: Response): Promise<T> {
  return (await res.json()) as T;
}
