/**
 * PDF benchmark (`make bench-pdf`, or `npx tsx bench/pdf.ts`):
 *  1. in-process `renderResume` median for a one-page and a three-page resume,
 *     embedded fonts, after warm-up;
 *  2. service throughput in PDFs/s through the HTTP service and its worker
 *     pool, driven by undici with a bounded number of requests and seconds;
 *  3. where Debian's `chromium` is installed, the same resume as HTML printed
 *     by a warm headless Chromium (driven by playwright-core, as the browser
 *     tests drive it), as the baseline the ratio is reported against;
 *  4. DOCX and plain text of the one-page resume, in process, each render
 *     alternated with a PDF render so the ratio to PDF comes from one loop;
 *  5. each script's corpus resume (CJK, Arabic, Hebrew, Indic, Thai…), per
 *     page and against the Latin one, and the RSS with every fallback font loaded;
 *  6. with `BENCH_PDF_BASELINE=<git ref>` (the Makefile passes the commit
 *     before the text-layer fix), that commit's `renderResume` loaded into this
 *     same process and timed in alternation with today's on the one-page
 *     resume, so the cost of a change is a ratio from one run.
 * Prints JSON and writes bench/results/pdf.json.
 */
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium as playwrightChromium } from 'playwright-core';
import { Pool } from 'undici';
import { parseConfig } from '../lib/config.ts';
import { listen } from '../lib/http-server.ts';
import { createLogger } from '../lib/logger.ts';
import { createApp } from '../shared-services/pdf/app.ts';
import { pdfConfigSchema } from '../shared-services/pdf/config.ts';
import { loadFaceSet } from '../shared-services/pdf/render/font-fallback.ts';
import { renderDocument } from '../shared-services/pdf/render/render-document.ts';
import { renderResume } from '../shared-services/pdf/render/render-resume.ts';
import { ModelBuilder } from '../shared-services/pdf/render/resume-model.ts';
import type { Resume } from '../shared-services/pdf/render/resume-schema.ts';
import { TEMPLATES } from '../shared-services/pdf/render/templates.ts';
import { CoverageReport } from '../shared-services/pdf/render/text-coverage.ts';
import { createPdfServices } from '../shared-services/pdf/services.ts';

const fixture = (name: string): Resume =>
  JSON.parse(
    readFileSync(
      new URL(
        `../shared-services/pdf/test-fixtures/jsonresume/${name}.resume.json`,
        import.meta.url,
      ),
      'utf8',
    ),
  ) as Resume;

const ONE_PAGE = fixture('one-page');
const THREE_PAGE = fixture('three-page');
const TEMPLATE = 'modern' as const;

function quantile(sorted: number[], q: number): number {
  const index = Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))));
  return sorted[index] ?? Number.NaN;
}
const round = (value: number, digits = 2) => Number(value.toFixed(digits));

async function timeRenders(resume: Resume, warmup: number, runs: number) {
  for (let i = 0; i < warmup; i += 1) await renderResume({ resume, template: TEMPLATE });
  const times: number[] = [];
  let pages = 0;
  let bytes = 0;
  for (let i = 0; i < runs; i += 1) {
    const start = performance.now();
    const result = await renderResume({ resume, template: TEMPLATE });
    times.push(performance.now() - start);
    pages = result.pages;
    bytes = result.pdf.byteLength;
  }
  times.sort((a, b) => a - b);
  return {
    runs,
    pages,
    bytes,
    medianMs: round(quantile(times, 0.5)),
    p95Ms: round(quantile(times, 0.95)),
    minMs: round(times[0] ?? Number.NaN),
  };
}

/** DOCX and text medians, each render alternated with a PDF one, and their ratios to PDF. */
async function otherFormats(resume: Resume, warmup: number, runs: number) {
  const formats = ['pdf', 'docx', 'txt'] as const;
  const render = (format: (typeof formats)[number]) =>
    renderDocument({ resume, template: TEMPLATE, format });
  for (let i = 0; i < warmup; i += 1) for (const format of formats) await render(format);
  const times = { pdf: [] as number[], docx: [] as number[], txt: [] as number[] };
  let docxBytes = 0;
  for (let i = 0; i < runs; i += 1) {
    for (const format of formats) {
      const start = performance.now();
      const result = await render(format);
      times[format].push(performance.now() - start);
      if (format === 'docx') docxBytes = result.bytes.byteLength;
    }
  }
  const median = (list: number[]) =>
    quantile(
      [...list].sort((a, b) => a - b),
      0.5,
    );
  return {
    runs,
    docxBytes,
    pdfMedianMs: round(median(times.pdf)),
    docxMedianMs: round(median(times.docx)),
    docxMinMs: round(Math.min(...times.docx)),
    txtMedianMs: round(median(times.txt), 3),
    docxOverPdf: round(median(times.docx) / median(times.pdf), 2),
  };
}

const SCRIPT_FIXTURES = ['zh', 'ja', 'ko', 'ar', 'he', 'hi', 'bn', 'ta', 'th', 'vi', 'ru'] as const;

/**
 * Each script's corpus resume (shared-services/pdf/test-fixtures/scripts), in
 * process, alternated with the Latin one-page resume so each ratio comes from
 * one loop; the process's RSS before the first fallback font is loaded (fonts
 * load lazily, per script, on first use) and after every script rendered.
 */
async function scriptRenders(warmup: number, runs: number) {
  const rssBeforeMiB = round(process.memoryUsage().rss / 2 ** 20, 1);
  const rows: Record<string, unknown> = {};
  for (const script of SCRIPT_FIXTURES) {
    const resume = JSON.parse(
      readFileSync(
        new URL(
          `../shared-services/pdf/test-fixtures/scripts/${script}.resume.json`,
          import.meta.url,
        ),
        'utf8',
      ),
    ) as Resume;
    for (let i = 0; i < warmup; i += 1) await renderResume({ resume, template: TEMPLATE });
    const times: number[] = [];
    const latin: number[] = [];
    let pages = 0;
    let bytes = 0;
    for (let i = 0; i < runs; i += 1) {
      let start = performance.now();
      const result = await renderResume({ resume, template: TEMPLATE });
      times.push(performance.now() - start);
      pages = result.pages;
      bytes = result.pdf.byteLength;
      start = performance.now();
      await renderResume({ resume: ONE_PAGE, template: TEMPLATE });
      latin.push(performance.now() - start);
    }
    const median = (list: number[]) =>
      quantile(
        [...list].sort((a, b) => a - b),
        0.5,
      );
    rows[script] = {
      pages,
      kilobytes: round(bytes / 1024, 1),
      medianMs: round(median(times)),
      medianMsPerPage: round(median(times) / Math.max(1, pages)),
      overLatinOnePage: round(median(times) / median(latin), 2),
    };
  }
  return {
    runs,
    rssBeforeFallbackFontsMiB: rssBeforeMiB,
    rssWithAllFallbackFontsMiB: round(process.memoryUsage().rss / 2 ** 20, 1),
    perScript: rows,
  };
}

type RenderFn = typeof renderResume;

/** Loads `renderResume` as it was at `ref`, from a `git archive` of it, into this process. */
async function loadBaseline(
  ref: string,
): Promise<{ render: RenderFn; commit: string; dir: string }> {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const commit = execFileSync('git', ['rev-parse', '--short', ref], { cwd: root })
    .toString()
    .trim();
  const dir = mkdtempSync(join(tmpdir(), 'pdf-baseline-'));
  const archive = join(dir, 'baseline.tar');
  execFileSync(
    'git',
    ['archive', '-o', archive, ref, 'package.json', 'tsconfig.json', 'lib', 'shared-services/pdf'],
    { cwd: root },
  );
  execFileSync('tar', ['-x', '-f', archive, '-C', dir]);
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
  const module = (await import(
    pathToFileURL(join(dir, 'shared-services/pdf/render/render-resume.ts')).href
  )) as { renderResume: RenderFn };
  return { render: module.renderResume, commit, dir };
}

/**
 * Times `current` and `baseline` on the same resume in alternation (the
 * order flips every round), so both see the same machine. Reports each
 * median and the median of the per-round ratios.
 */
async function pairedRenders(
  resume: Resume,
  current: RenderFn,
  baseline: RenderFn,
  warmup: number,
  rounds: number,
) {
  const input = { resume, template: TEMPLATE };
  for (let i = 0; i < warmup; i += 1) {
    await current(input);
    await baseline(input);
  }
  const time = async (render: RenderFn) => {
    const start = performance.now();
    await render(input);
    return performance.now() - start;
  };
  const currentTimes: number[] = [];
  const baselineTimes: number[] = [];
  const ratios: number[] = [];
  for (let i = 0; i < rounds; i += 1) {
    let now: number;
    let before: number;
    if (i % 2 === 0) {
      now = await time(current);
      before = await time(baseline);
    } else {
      before = await time(baseline);
      now = await time(current);
    }
    currentTimes.push(now);
    baselineTimes.push(before);
    ratios.push(now / before);
  }
  for (const list of [currentTimes, baselineTimes, ratios]) list.sort((a, b) => a - b);
  return {
    rounds,
    currentMedianMs: round(quantile(currentTimes, 0.5)),
    baselineMedianMs: round(quantile(baselineTimes, 0.5)),
    currentP95Ms: round(quantile(currentTimes, 0.95)),
    baselineP95Ms: round(quantile(baselineTimes, 0.95)),
    /** Median over rounds of current / baseline: 1.05 means 5% slower than the baseline. */
    medianRatio: round(quantile(ratios, 0.5), 3),
  };
}

async function baselineComparison(ref: string | undefined): Promise<Record<string, unknown>> {
  if (!ref) return { skipped: 'set BENCH_PDF_BASELINE=<git ref> to compare with another commit' };
  let loaded: Awaited<ReturnType<typeof loadBaseline>>;
  try {
    loaded = await loadBaseline(ref);
  } catch (error) {
    return { ref, skipped: `cannot load ${ref}: ${(error as Error).message.split('\n')[0]}` };
  }
  try {
    return {
      ref,
      commit: loaded.commit,
      onePage: await pairedRenders(ONE_PAGE, renderResume, loaded.render, 30, 300),
    };
  } finally {
    rmSync(loaded.dir, { recursive: true, force: true });
  }
}

async function serviceThroughput(options: {
  threads: number;
  concurrency: number;
  maxRequests: number;
  maxSeconds: number;
}) {
  const config = parseConfig(pdfConfigSchema, {
    PORT: '0',
    PDF_THREADS: String(options.threads),
    PDF_MAX_QUEUE: String(options.concurrency * 2),
  });
  const services = createPdfServices(
    config,
    createLogger({ service: 'pdf-bench', level: 'silent' }),
  );
  const server = await listen(createApp(services), { port: 0 });
  const client = new Pool(server.url, { connections: options.concurrency, pipelining: 1 });
  const body = JSON.stringify({ resume: ONE_PAGE, template: TEMPLATE });
  const statuses = new Map<number, number>();
  const send = async () => {
    const response = await client.request({
      path: '/v1/render',
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    await response.body.arrayBuffer();
    statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1);
    return response.statusCode;
  };
  try {
    // Warm-up: start the threads' fonts and JIT.
    await Promise.all(Array.from({ length: options.concurrency * 5 }, send));
    statuses.clear();
    let issued = 0;
    let ok = 0;
    const cpuBefore = process.cpuUsage();
    const start = performance.now();
    const deadline = start + options.maxSeconds * 1000;
    const worker = async () => {
      while (issued < options.maxRequests && performance.now() < deadline) {
        issued += 1;
        if ((await send()) === 200) ok += 1;
      }
    };
    await Promise.all(Array.from({ length: options.concurrency }, worker));
    const seconds = (performance.now() - start) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    // CPU time of this whole process: HTTP server, worker threads and the undici client.
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    return {
      threads: options.threads,
      concurrency: options.concurrency,
      requests: issued,
      ok,
      statuses: Object.fromEntries(statuses),
      seconds: round(seconds, 3),
      pdfsPerSecond: round(ok / seconds, 1),
      cpuSeconds: round(cpuSeconds, 3),
      coresUsed: round(cpuSeconds / seconds, 2),
      pdfsPerCpuSecond: round(ok / cpuSeconds, 1),
      /** What the same work rate gives when the process has every core to itself. */
      projectedPdfsPerSecondOnIdleCores: round((ok / cpuSeconds) * availableParallelism(), 1),
    };
  } finally {
    await client.close();
    await server.close();
    await services.close();
  }
}

/** The same content as simple, ATS-style HTML for the Chromium baseline. */
function resumeHtml(resume: Resume): string {
  const fonts = loadFaceSet(TEMPLATES[TEMPLATE].fonts);
  const model = new ModelBuilder(new CoverageReport(fonts)).build(resume);
  const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const runs = (list: { text: string; bold?: boolean; link?: string }[]) =>
    list
      .map((r) => {
        const text = escapeHtml(r.text);
        const inner = r.bold ? `<b>${text}</b>` : text;
        return r.link ? `<a href="${escapeHtml(r.link)}">${inner}</a>` : inner;
      })
      .join('');
  const sections = model.sections
    .map(
      (s) =>
        `<h2>${escapeHtml(s.heading)}</h2>${s.entries
          .map(
            (e) =>
              `<div class="entry">${e.paragraphs
                .map((p) =>
                  p.role === 'bullet'
                    ? `<li>${runs(p.runs)}</li>`
                    : `<p class="${p.role}">${runs(p.runs)}</p>`,
                )
                .join('')}</div>`,
          )
          .join('')}`,
    )
    .join('');
  return `<!doctype html><html><head><meta charset="utf-8"><style>
    body{font-family:'DejaVu Sans',sans-serif;font-size:9.5pt;margin:0}h1{font-size:24pt;margin:0}
    h2{font-size:12pt;color:#1f5fa8;margin:14pt 0 5pt}p{margin:2pt 0}.meta{color:#555;font-size:8.5pt}
    li{margin-left:14pt}.entry{break-inside:avoid;margin-bottom:9pt}</style></head><body>
    <h1>${escapeHtml(model.name ?? '')}</h1><p>${escapeHtml(model.label ?? '')}</p><p>${runs(model.contact)}</p>${sections}</body></html>`;
}

async function chromiumBaseline(runs: number): Promise<Record<string, unknown>> {
  const executablePath = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((path) =>
    existsSync(path),
  );
  if (!executablePath) {
    return { skipped: 'Debian chromium is not installed (apt-get install chromium)' };
  }
  // playwright-core drives the system browser; it never downloads one.
  const browser = await playwrightChromium.launch({
    executablePath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu'],
  });
  try {
    const page = await browser.newPage();
    const html = resumeHtml(ONE_PAGE);
    const print = async () => {
      await page.setContent(html, { waitUntil: 'load' });
      return page.pdf({ format: 'Letter', printBackground: true });
    };
    for (let i = 0; i < 10; i += 1) await print();
    const times: number[] = [];
    let bytes = 0;
    for (let i = 0; i < runs; i += 1) {
      const start = performance.now();
      bytes = (await print()).byteLength;
      times.push(performance.now() - start);
    }
    times.sort((a, b) => a - b);
    return {
      executablePath,
      version: browser.version(),
      runs,
      bytes,
      medianMs: round(quantile(times, 0.5)),
      p95Ms: round(quantile(times, 0.95)),
    };
  } finally {
    await browser.close();
  }
}

const loadBefore = loadavg();
const onePage = await timeRenders(ONE_PAGE, 30, 200);
const threePage = await timeRenders(THREE_PAGE, 10, 100);
const formats = await otherFormats(ONE_PAGE, 20, 100);
const scripts = await scriptRenders(5, 30);
const baseline = await baselineComparison(process.env.BENCH_PDF_BASELINE);
const chromium = await chromiumBaseline(40);
const threads = availableParallelism();
const service = await serviceThroughput({
  threads,
  concurrency: 8,
  maxRequests: 3000,
  maxSeconds: 10,
});

const scriptRow = (script: (typeof SCRIPT_FIXTURES)[number]) =>
  scripts.perScript[script] as { medianMsPerPage: number; kilobytes: number };
const chromiumMedian = typeof chromium.medianMs === 'number' ? chromium.medianMs : undefined;
const result = {
  benchmark: 'pdf',
  date: new Date().toISOString(),
  machine: {
    cpus: cpus().length,
    model: cpus()[0]?.model,
    node: process.version,
    // The machine is shared: a load average above the core count means wall-clock figures are depressed.
    loadAverage1mBefore: round(loadBefore[0] ?? 0),
    loadAverage1mAfter: round(loadavg()[0] ?? 0),
  },
  template: TEMPLATE,
  inProcess: { onePage, threePage, formats, scripts },
  service,
  baseline,
  chromium,
  ratios: {
    chromiumOverNativeOnePage: chromiumMedian ? round(chromiumMedian / onePage.medianMs, 1) : null,
    threePageOverOnePage: round(threePage.medianMs / onePage.medianMs, 2),
  },
  targets: {
    onePageMedianMs: { target: 15, met: onePage.medianMs <= 15 },
    docxOnePageMedianMs: { target: 20, met: formats.docxMedianMs <= 20 },
    // The corpus resumes run over one page: per page is the comparable figure.
    cjkMedianMsPerPage: {
      target: 30,
      value: scriptRow('zh').medianMsPerPage,
      met: scriptRow('zh').medianMsPerPage <= 30,
    },
    arabicMedianMsPerPage: {
      target: 20,
      value: scriptRow('ar').medianMsPerPage,
      met: scriptRow('ar').medianMsPerPage <= 20,
    },
    cjkPdfKilobytes: {
      target: 300,
      value: scriptRow('zh').kilobytes,
      met: scriptRow('zh').kilobytes <= 300,
    },
    pdfsPerSecond: {
      target: 100,
      met: service.pdfsPerSecond >= 100,
      metOnIdleCores: service.projectedPdfsPerSecondOnIdleCores >= 100,
    },
    chromiumRatio: {
      target: 10,
      met: chromiumMedian ? chromiumMedian / onePage.medianMs >= 10 : null,
    },
  },
};

mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(
  new URL('./results/pdf.json', import.meta.url),
  `${JSON.stringify(result, null, 2)}\n`,
);
console.log(JSON.stringify(result, null, 2));
