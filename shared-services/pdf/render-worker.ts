/**
 * Worker-thread entry for the render pool (PDF, DOCX and plain text). Fonts are parsed once per thread
 * (module state in render/fonts.ts) and reused by every task it runs.
 *
 * A refused text layer comes back as a value: an error's own fields (the
 * document hash, the mismatches) do not survive the thread boundary.
 */
import {
  type DocumentInput,
  type RenderedDocument,
  renderDocument,
} from './render/render-document.ts';
import { TextLayerError, type TextLayerMismatch } from './render/text-layer.ts';

export type WorkerOutcome =
  | { ok: true; result: RenderedDocument }
  | { ok: false; textLayer: { documentSha256: string; mismatches: TextLayerMismatch[] } };

export default async function render(input: DocumentInput): Promise<WorkerOutcome> {
  try {
    return { ok: true, result: await renderDocument(input) };
  } catch (error) {
    if (!(error instanceof TextLayerError)) throw error;
    const { documentSha256, mismatches } = error;
    return { ok: false, textLayer: { documentSha256, mismatches } };
  }
}
