/**
 * Chat providers over the official SDKs: OpenAI (and any OpenAI-compatible
 * local server through `baseURL`) and Anthropic. SDK retries are off
 * (`maxRetries: 0`): the provider chain owns retries, timeouts and fallbacks.
 * Every SDK failure is normalized to a {@link ProviderCallError}.
 */
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import type { ProviderKind } from './catalog.ts';
import { requestFetch } from './provider-fetch.ts';

export interface ChatMessage {
  role: 'user' | 'assistant';
  content: string;
}

export interface ChatRequest {
  model: string;
  system: string;
  messages: ChatMessage[];
  maxOutputTokens: number;
  /** Asks for a JSON object where the API supports it. */
  json: boolean;
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface ChatResponse {
  text: string;
  inputTokens: number;
  outputTokens: number;
}

export interface ChatProvider {
  readonly kind: Exclude<ProviderKind, 'embedded'>;
  complete(request: ChatRequest): Promise<ChatResponse>;
}

export type ProviderFailure =
  | 'http'
  | 'rate_limited'
  | 'timeout'
  | 'connection'
  | 'invalid_output'
  | 'aborted';

/** A failed provider call, whatever the SDK threw. */
export class ProviderCallError extends Error {
  constructor(
    readonly kind: ProviderFailure,
    message: string,
    readonly options: {
      status?: number;
      retryAfterMs?: number;
      retryable: boolean;
      cause?: unknown;
    },
  ) {
    super(message, { cause: options.cause });
    this.name = 'ProviderCallError';
  }
  get retryable(): boolean {
    return this.options.retryable;
  }
  get retryAfterMs(): number | undefined {
    return this.options.retryAfterMs;
  }
}

/** Parses `retry-after-ms`, then `Retry-After` as seconds or an HTTP date. */
export function retryAfterMs(headers: Headers | undefined, now = Date.now()): number | undefined {
  if (!headers) return undefined;
  const ms = headers.get('retry-after-ms');
  if (ms && Number.isFinite(Number(ms))) return Math.max(0, Number(ms));
  const value = headers.get('retry-after');
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Math.max(0, Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

const RETRYABLE_STATUS = new Set([408, 409, 429, 500, 502, 503, 504, 529]);

/** Maps an SDK error (either SDK) to a {@link ProviderCallError}. */
export function normalizeError(error: unknown): ProviderCallError {
  if (error instanceof ProviderCallError) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof OpenAI.APIUserAbortError || error instanceof Anthropic.APIUserAbortError)
    return new ProviderCallError('aborted', message, { retryable: false, cause: error });
  if (
    error instanceof OpenAI.APIConnectionTimeoutError ||
    error instanceof Anthropic.APIConnectionTimeoutError
  )
    return new ProviderCallError('timeout', message, { retryable: true, cause: error });
  if (error instanceof OpenAI.APIConnectionError || error instanceof Anthropic.APIConnectionError)
    return new ProviderCallError('connection', message, { retryable: true, cause: error });
  if (error instanceof OpenAI.APIError || error instanceof Anthropic.APIError) {
    const status = error.status;
    const after = retryAfterMs(error.headers as Headers | undefined);
    return new ProviderCallError(status === 429 ? 'rate_limited' : 'http', message, {
      ...(status === undefined ? {} : { status }),
      ...(after === undefined ? {} : { retryAfterMs: after }),
      retryable: status === undefined || RETRYABLE_STATUS.has(status),
      cause: error,
    });
  }
  return new ProviderCallError('connection', message, { retryable: true, cause: error });
}

export interface OpenAiProviderOptions {
  kind: 'openai' | 'local';
  apiKey: string;
  baseURL?: string;
  /** @defaultValue {@link requestFetch}() */
  fetch?: typeof fetch;
}

export function createOpenAiProvider(options: OpenAiProviderOptions): ChatProvider {
  const client = new OpenAI({
    apiKey: options.apiKey,
    ...(options.baseURL ? { baseURL: options.baseURL } : {}),
    maxRetries: 0,
    fetch: options.fetch ?? requestFetch(),
  });
  return {
    kind: options.kind,
    async complete(request) {
      try {
        const completion = await client.chat.completions.create(
          {
            model: request.model,
            messages: [{ role: 'system', content: request.system }, ...request.messages],
            max_tokens: request.maxOutputTokens,
            temperature: 0,
            ...(request.json ? { response_format: { type: 'json_object' as const } } : {}),
          },
          {
            timeout: request.timeoutMs,
            maxRetries: 0,
            ...(request.signal ? { signal: request.signal } : {}),
          },
        );
        return {
          text: completion.choices[0]?.message?.content ?? '',
          inputTokens: completion.usage?.prompt_tokens ?? 0,
          outputTokens: completion.usage?.completion_tokens ?? 0,
        };
      } catch (error) {
        throw normalizeError(error);
      }
    },
  };
}

export interface AnthropicProviderOptions {
  apiKey: string;
  baseURL?: string;
  /** @defaultValue {@link requestFetch}() */
  fetch?: typeof fetch;
}

export function createAnthropicProvider(options: AnthropicProviderOptions): ChatProvider {
  const client = new Anthropic({
    apiKey: options.apiKey,
    ...(options.baseURL ? { baseURL: options.baseURL } : {}),
    maxRetries: 0,
    fetch: options.fetch ?? requestFetch(),
  });
  return {
    kind: 'anthropic',
    async complete(request) {
      try {
        const message = await client.messages.create(
          {
            model: request.model,
            system: request.system,
            messages: request.messages,
            max_tokens: request.maxOutputTokens,
          },
          {
            timeout: request.timeoutMs,
            maxRetries: 0,
            ...(request.signal ? { signal: request.signal } : {}),
          },
        );
        const text = message.content
          .map((block) => (block.type === 'text' ? block.text : ''))
          .join('');
        return {
          text,
          inputTokens: message.usage.input_tokens,
          outputTokens: message.usage.output_tokens,
        };
      } catch (error) {
        throw normalizeError(error);
      }
    },
  };
}
