/**
 * `make bench-web`: the web app's performance budget, measured in Debian's
 * Chromium against a real one-cell platform (the router serving the built app).
 *
 * - **Initial JavaScript**: the entry script and every module it preloads, as
 *   the router sends them (gzip, level 9). Budget: ≤ 150 KB.
 * - **Time to interactive of the jobs page**: from navigation start until the
 *   first page of jobs is drawn and the main thread has no long task after it
 *   (the later of the two), median of BENCH_WEB_LOADS loads. Budget: ≤ 1 s.
 * - **Scrolling 1,000 jobs**: the list is scrolled to its end until all
 *   BENCH_WEB_JOBS jobs are loaded by infinite scroll; every long task
 *   (`PerformanceObserver`, `longtask`) is recorded. Budget: none over 50 ms.
 *
 * Writes bench/results/web.json and prints the same JSON.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { ApiClient } from '../test/harness/api-client.ts';
import { buildWebApp, launchChromium } from '../test/harness/browser.ts';
import { startPlatform } from '../test/harness/platform.ts';

const JOBS = Number(process.env.BENCH_WEB_JOBS ?? 1_000);
const LOADS = Number(process.env.BENCH_WEB_LOADS ?? 5);

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

/** The entry script and its modulepreloads, from the built index.html, gzipped. */
function initialJavaScript(dir: string): { files: string[]; gzipBytes: number; rawBytes: number } {
  const html = readFileSync(join(dir, 'index.html'), 'utf8');
  const files = [
    ...html.matchAll(/<script[^>]+type="module"[^>]+src="([^"]+)"/g),
    ...html.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="([^"]+)"/g),
  ].map((match) => match[1] as string);
  let gzipBytes = 0;
  let rawBytes = 0;
  for (const file of files) {
    const body = readFileSync(join(dir, file.replace(/^\//, '')));
    rawBytes += body.byteLength;
    gzipBytes += gzipSync(body, { level: 9 }).byteLength;
  }
  return { files, gzipBytes, rawBytes };
}

/** Runs in the page before any script: collects long tasks and the first drawn job. */
const OBSERVE = `(() => {
  window.__longTasks = [];
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) window.__longTasks.push({ start: entry.startTime, duration: entry.duration });
  }).observe({ type: 'longtask', buffered: true });
  new MutationObserver((_, observer) => {
    if (document.querySelector('ul.jobs > li')) {
      window.__firstJobAt = performance.now();
      observer.disconnect();
    }
  }).observe(document, { childList: true, subtree: true });
})()`;

async function main() {
  const web = await buildWebApp();
  const platform = await startPlatform({
    cells: 1,
    env: { WEB_DIST_DIR: web.dir, PASSWORD_SCRYPT_LOG_N: '12', RATE_LIMIT_PER_MINUTE: '100000' },
  });
  const client = new ApiClient(platform.routerUrl, { connections: 8 });
  const browser = await launchChromium();
  try {
    const user = await client.signup('bench-web');
    const seedStarted = performance.now();
    for (let next = 0; next < JOBS; ) {
      const batch = Array.from({ length: Math.min(8, JOBS - next) }, (_, i) => next + i);
      next += batch.length;
      await Promise.all(
        batch.map(async (i) => {
          const res = await client.request('POST', '/v1/jobs', {
            token: user.accessToken,
            body: {
              title: `${['Backend', 'Frontend', 'Platform', 'Data'][i % 4]} Engineer #${i}`,
              company: `Company ${i % 97}`,
              description: 'TypeScript, PostgreSQL and Kubernetes; on call; 5+ years.',
              location: ['Berlin', 'Remote', 'London', 'New York'][i % 4],
            },
          });
          if (res.status >= 300)
            throw new Error(`job ${i}: ${res.status} ${JSON.stringify(res.body)}`);
        }),
      );
    }
    const seedSeconds = (performance.now() - seedStarted) / 1000;

    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await context.addInitScript(OBSERVE);
    const page = await context.newPage();
    await page.goto(`${platform.routerUrl}/login`);
    await page.getByLabel('Email').fill(user.email);
    await page.getByLabel('Password').fill(user.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'Your profile' }).waitFor();

    // Time to interactive of /jobs, from a fresh navigation each time (the session cookie stays).
    const loads: { ttiMs: number; firstJobMs: number; longTasksAfter: number }[] = [];
    for (let i = 0; i < LOADS; i++) {
      await page.goto(`${platform.routerUrl}/jobs`);
      await page.locator('ul.jobs > li').first().waitFor();
      await page.waitForTimeout(500); // a quiet window in which a late long task would show
      loads.push(
        await page.evaluate(`(() => {
          const first = window.__firstJobAt;
          const after = window.__longTasks.filter((t) => t.start + t.duration > first);
          const lastEnd = Math.max(first, ...window.__longTasks.map((t) => t.start + t.duration));
          return { ttiMs: lastEnd, firstJobMs: first, longTasksAfter: after.length };
        })()`),
      );
    }

    // Infinite scroll to the end of the list, recording every long task on the way.
    await page.goto(`${platform.routerUrl}/jobs`);
    await page.locator('ul.jobs > li').first().waitFor();
    await page.evaluate('window.__longTasks = []');
    const scrollStarted = performance.now();
    for (;;) {
      const shown = await page.locator('ul.jobs > li').count();
      if (shown >= JOBS) break;
      if (performance.now() - scrollStarted > 180_000)
        throw new Error(`only ${shown} jobs after 3 minutes`);
      await page.mouse.wheel(0, 4_000);
      await page.waitForTimeout(100);
    }
    const scrollSeconds = (performance.now() - scrollStarted) / 1000;
    await page.waitForTimeout(500);
    const longTasks = (await page.evaluate('window.__longTasks')) as { duration: number }[];
    const js = initialJavaScript(web.dir);
    const result = {
      benchmark: 'web',
      machine: { cpus: (await import('node:os')).cpus().length, node: process.version },
      setup: {
        browser: 'Debian chromium (headless, playwright-core)',
        platform: 'one cell, router serving the built app',
        jobs: JOBS,
        loads: LOADS,
        seedSeconds: Math.round(seedSeconds * 10) / 10,
      },
      initialJavaScript: {
        files: js.files,
        rawKB: Math.round(js.rawBytes / 102.4) / 10,
        gzipKB: Math.round(js.gzipBytes / 102.4) / 10,
        budgetKB: 150,
      },
      jobsPageTimeToInteractive: {
        medianMs: Math.round(median(loads.map((l) => l.ttiMs))),
        medianFirstJobMs: Math.round(median(loads.map((l) => l.firstJobMs))),
        loads: loads.map((l) => ({
          ttiMs: Math.round(l.ttiMs),
          firstJobMs: Math.round(l.firstJobMs),
        })),
        budgetMs: 1_000,
      },
      scrollThroughJobs: {
        jobs: JOBS,
        seconds: Math.round(scrollSeconds * 10) / 10,
        longTasks: longTasks.length,
        longTasksOver50Ms: longTasks.filter((t) => t.duration > 50).length,
        maxLongTaskMs: Math.round(Math.max(0, ...longTasks.map((t) => t.duration))),
        budget: 'no long task over 50 ms',
      },
    };
    mkdirSync('bench/results', { recursive: true });
    writeFileSync('bench/results/web.json', `${JSON.stringify(result, null, 2)}\n`);
    console.log(JSON.stringify(result, null, 2));
    await context.close();
  } finally {
    await browser.close();
    await client.close();
    await platform.stop();
    web.remove();
  }
}

await main();
