/**
 * Worker-thread entry for the render pool. Fonts are parsed once per thread
 * (module state in render/fonts.ts) and reused by every task it runs.
 */
import { type RenderInput, type RenderResult, renderResume } from './render/render-resume.ts';

export default function render(input: RenderInput): Promise<RenderResult> {
  return renderResume(input);
}
