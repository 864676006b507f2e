/** The Hono environment shared by the PDF service's app and route files. */
import type { RequestContextVariables } from '../../lib/request-id.ts';
import type { PdfServices } from './services.ts';

export interface PdfEnv {
  Variables: RequestContextVariables & { services: PdfServices };
}
