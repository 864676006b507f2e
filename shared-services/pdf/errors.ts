/** Maps the PDF service's domain errors to the one API error contract. */
import { ApiError, type DomainErrorMapper } from '../../lib/errors.ts';
import { PoolClosedError, PoolOverloadedError, RenderTimeoutError } from './pool.ts';
import { TextLayerError } from './render/text-layer.ts';

export const mapPdfError: DomainErrorMapper = (error) => {
  if (error instanceof PoolOverloadedError) {
    return new ApiError('overloaded', 'The PDF renderer is at capacity; retry shortly', {
      headers: { 'Retry-After': String(error.retryAfterSeconds) },
      details: { retryAfterSeconds: error.retryAfterSeconds },
    });
  }
  if (error instanceof RenderTimeoutError) {
    return new ApiError('timeout', error.message, { details: { timeoutMs: error.timeoutMs } });
  }
  if (error instanceof PoolClosedError) {
    return new ApiError('service_unavailable', 'The PDF service is shutting down', {
      headers: { 'Retry-After': '1' },
    });
  }
  if (error instanceof TextLayerError) {
    // Loud on purpose: a PDF whose text an ATS would misread is never sent.
    return new ApiError(
      'internal_error',
      'The rendered PDF failed its text-layer check and was not sent',
      { details: { documentSha256: error.documentSha256 } },
    );
  }
  return undefined;
};
