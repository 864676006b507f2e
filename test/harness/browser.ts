/**
 * Shared pieces of the Chromium journeys: Debian's chromium driven by
 * playwright-core (never a downloaded browser), the web app built once into a
 * temporary directory, axe checks, patient locators, and pages that collect
 * script errors and leave a screenshot in test-results/ when a test fails.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import {
  type Browser,
  type BrowserContext,
  chromium,
  type Locator,
  type Page,
} from 'playwright-core';
import { build } from 'vite';
import { expect, onTestFailed } from 'vitest';

export const CHROMIUM = '/usr/bin/chromium';
const RESULTS = 'test-results';
export const WAIT = { timeout: 15_000 };

/** Builds the web app into a temporary directory; `remove` deletes it. */
export async function buildWebApp(): Promise<{ dir: string; remove(): void }> {
  const dir = mkdtempSync(join(tmpdir(), 'web-e2e-'));
  await build({ configFile: 'web/vite.config.ts', logLevel: 'silent', build: { outDir: dir } });
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: run deploy/local/ensure-deps.sh (make deps)`);
  }
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
}

/** `UPDATE_SCREENSHOTS=1` rewrites the README's screenshots of the main pages. */
const SCREENSHOTS = process.env.UPDATE_SCREENSHOTS === '1' ? 'docs/screenshots' : undefined;

export async function screenshot(page: Page, name: string) {
  if (!SCREENSHOTS) return;
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** Fails on any serious or critical axe violation of the page as it is now. */
export async function expectAccessible(page: Page, where: string) {
  const { violations } = await new AxeBuilder({ page }).analyze();
  const serious = violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${where}: ${v.id} (${v.impact}): ${v.nodes.map((n) => n.target).join(', ')}`);
  expect(serious).toEqual([]);
}

export async function visible(locator: Locator) {
  await locator.first().waitFor({ state: 'visible', ...WAIT });
}

export async function hasText(locator: Locator, text: string | RegExp) {
  const read = () =>
    locator
      .first()
      // biome-ignore lint/performance/useDomNodeTextContent: the rendered text is what the user reads
      .innerText()
      .catch(() => '');
  if (typeof text === 'string') await expect.poll(read, WAIT).toContain(text);
  else await expect.poll(read, WAIT).toMatch(text);
}

/**
 * Drags `source` onto `target` with the mouse, as Chromium's own input (trusted
 * drag events): pressed on the source, moved in steps, released over the
 * target. Both are scrolled into view before the press and nothing scrolls
 * after it: Chromium never starts a drag when the page scrolls between the
 * press and the first move, which `dragTo` does by itself when the target is
 * out of view (a wide board). Fails if either cannot be reached unscrolled.
 */
export async function dragWithMouse(source: Locator, target: Locator) {
  const nearest = { block: 'nearest', inline: 'nearest' } as const;
  await target.evaluate((element, options) => element.scrollIntoView(options), nearest);
  await source.evaluate((element, options) => element.scrollIntoView(options), nearest);
  await source.dragTo(target, { scroll: 'none', steps: 10, ...WAIT });
}

export async function invalid(locator: Locator) {
  await expect.poll(() => locator.getAttribute('aria-invalid'), WAIT).toBe('true');
}

/**
 * A new page whose script errors and console errors are collected (a test
 * ends expecting none), screenshotted into test-results/ when the test fails.
 */
export async function watchedPage(context: BrowserContext) {
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    // A 4xx the app handles is logged by Chromium as a failed resource; anything else is a bug.
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
      problems.push(`console: ${message.text()}`);
    }
  });
  onTestFailed(async ({ task }) => {
    mkdirSync(RESULTS, { recursive: true });
    await page.screenshot({
      path: join(RESULTS, `${task.name.slice(0, 60).replace(/\W+/g, '-')}.png`),
      fullPage: true,
    });
  });
  return { page, problems };
}

/**
 * Waits until the page has moved focus to its `<h1>` (pages do once mounted, for screen
 * readers). A key pressed before that move can lose its focus to the heading: a page drawn
 * at once from cached data shows its buttons before the move happens.
 */
export async function headingFocused(page: Page, name: string) {
  // A string: evaluated in the page (this project's types have no DOM).
  const focused = `document.activeElement?.tagName === 'H1' && document.activeElement.textContent.trim() === ${JSON.stringify(name)}`;
  await page.waitForFunction(focused, undefined, WAIT);
}
