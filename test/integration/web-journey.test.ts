/**
 * A job seeker's first visit, in real Chromium against a real platform: the
 * router serving the built web app, a real cell behind it. Debian's chromium
 * (installed by deploy/local/ensure-deps.sh) is driven by playwright-core; no
 * browser is downloaded. Every page is checked with axe (no serious or
 * critical violation); a failure leaves a screenshot in test-results/.
 */
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../lib/ids.ts';
import {
  type FakeJobBoards,
  jobBoardSettings,
  startFakeJobBoards,
  uniqueBoard,
} from '../fakes/job-boards/fake-job-boards.ts';
import { fakePosting } from '../fakes/job-boards/postings.ts';
import {
  buildWebApp,
  dragWithMouse,
  expectAccessible,
  hasText,
  headingFocused,
  invalid,
  launchChromium,
  screenshot,
  visible,
  WAIT,
  watchedPage,
} from '../harness/browser.ts';
import { type Platform, startPlatform } from '../harness/platform.ts';

const fixture = (name: string) => join(import.meta.dirname, '..', 'fixtures', name);

let platform: Platform;
let boards: FakeJobBoards;
let browser: Browser;
let web: Awaited<ReturnType<typeof buildWebApp>>;

beforeAll(async () => {
  web = await buildWebApp();
  boards = await startFakeJobBoards();
  platform = await startPlatform({
    cells: 1,
    env: {
      ...jobBoardSettings(boards),
      PASSWORD_SCRYPT_LOG_N: '12',
      WEB_DIST_DIR: web.dir,
      // Short-lived access tokens: the journey outlives several, so refreshing must be silent.
      ACCESS_TOKEN_TTL_SECONDS: '3',
    },
  });
  browser = await launchChromium();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await platform?.stop();
  await boards?.close();
  web?.remove();
}, 60_000);

async function atUrl(page: Page, pattern: RegExp) {
  await expect.poll(() => page.url(), WAIT).toMatch(pattern);
}

/** An application's status as the API answers it now, asked in a session of its own. */
async function applicationStatus(email: string, id: string): Promise<unknown> {
  const login = await fetch(`${platform.routerUrl}/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: 'correct horse battery' }),
  });
  const { accessToken } = (await login.json()) as { accessToken: string };
  const answer = await fetch(`${platform.routerUrl}/v1/applications/${id}`, {
    headers: { authorization: `Bearer ${accessToken}` },
  });
  return ((await answer.json()) as { status: unknown }).status;
}

/** Drops a file on the element as a user dragging it from their desktop would. */
async function dropFile(page: Page, selector: string, name: string, text: string) {
  // Runs in the page (this file is type-checked without the DOM library).
  const transfer = await page.evaluateHandle(
    `(() => {
      const data = new DataTransfer();
      data.items.add(new File([${JSON.stringify(text)}], ${JSON.stringify(name)}, { type: 'application/json' }));
      return data;
    })()`,
  );
  await page.dispatchEvent(selector, 'dragover', { dataTransfer: transfer });
  await page.dispatchEvent(selector, 'drop', { dataTransfer: transfer });
}

describe('web app: a job seeker in Chromium', () => {
  it('signs up, imports a resume with an error then a good one, sees and exports the profile, stays signed in across a reload, logs out, and is told plainly when their cell is down', async () => {
    const context = await browser.newContext();
    const { page, problems } = await watchedPage(context);

    // A first visit lands on the log-in page.
    await page.goto(`${platform.routerUrl}/`);
    await visible(page.getByRole('heading', { name: 'Log in' }));
    await expectAccessible(page, 'log in');

    // Sign up: the server's problems appear at their fields.
    await page.getByRole('link', { name: 'Create an account' }).click();
    await visible(page.getByRole('heading', { name: 'Create your account' }));
    await expectAccessible(page, 'sign up');
    await page.getByLabel('Name').fill('Richard Hendriks');
    await page.getByLabel('Email').fill('not-an-email');
    await page.getByLabel('Password').fill('short');
    await page.getByRole('button', { name: 'Sign up' }).click();
    await hasText(page.getByRole('alert'), 'Invalid body');
    await hasText(page.getByRole('alert'), 'Request id:');
    await invalid(page.getByLabel('Email'));
    await invalid(page.getByLabel('Password'));
    await expectAccessible(page, 'sign up with errors');
    await screenshot(page, 'sign-up-errors');

    const email = `richard-${newId()}@example.com`;
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill('correct horse battery');
    await page.getByRole('button', { name: 'Sign up' }).click();

    // The profile page, empty at first.
    await visible(page.getByRole('heading', { name: 'Your profile' }));
    await atUrl(page, /\/profile$/);
    await visible(page.getByText('No profile yet'));
    await hasText(page.getByRole('navigation', { name: 'Main' }), email);
    await expectAccessible(page, 'empty profile');

    // A resume with mistakes, dropped on the panel: each problem at its field.
    const { readFileSync } = await import('node:fs');
    await dropFile(
      page,
      '.dropzone',
      'broken.resume.json',
      readFileSync(fixture('web/broken.resume.json'), 'utf8'),
    );
    const notice = page.getByRole('alert').filter({ hasText: 'was not imported' });
    await hasText(notice, 'broken.resume.json was not imported');
    await hasText(notice, /Request id: \S+/);
    const byField = page.getByRole('list', { name: 'Problems by field' });
    await hasText(byField, 'Work › #1 › Highlights');
    await hasText(byField, '/work/0/highlights');
    await hasText(byField, '"Won TechCrunch Disrupt"');
    await hasText(byField, 'must be array');
    await hasText(byField, 'Skills › #1 › Keywords');
    await expectAccessible(page, 'import with problems');
    await screenshot(page, 'profile-import-problems');

    // Broken JSON never leaves the browser, and says why.
    await page.getByLabel('Choose a file').setInputFiles({
      name: 'half.json',
      mimeType: 'application/json',
      buffer: Buffer.from('{"basics": {"name": "Richard"'),
    });
    await hasText(page.getByRole('alert'), 'half.json is not valid JSON');

    // The access token expires while the user reads; the next call refreshes it silently.
    const seen: string[] = [];
    page.on('response', (response) => {
      const url = new URL(response.url());
      seen.push(`${response.request().method()} ${url.pathname} ${response.status()}`);
    });
    await page.waitForTimeout(4_000);

    // The good one, through the file picker.
    await page.getByLabel('Choose a file').setInputFiles(fixture('jsonresume/sample.resume.json'));
    await hasText(
      page.getByRole('status').filter({ hasText: 'Imported' }),
      'Imported sample.resume.json as version 1',
    );
    expect(seen.slice(0, 3)).toEqual([
      'PUT /v1/profile 401',
      'POST /v1/auth/refresh 200',
      'PUT /v1/profile 200',
    ]);
    const profile = page.getByRole('article', { name: 'Profile' });
    await visible(profile.getByRole('heading', { name: 'Richard Hendriks' }));
    await hasText(profile, 'Pied Piper');
    await hasText(page.getByRole('region', { name: 'Versions' }), 'Version 1');
    await expectAccessible(page, 'profile');
    await screenshot(page, 'profile');

    // Export gives back the imported file byte for byte.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export JSON Resume' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('resume.json');
    const exported = readFileSync((await download.path()) ?? '', 'utf8');
    expect(exported).toBe(readFileSync(fixture('jsonresume/sample.resume.json'), 'utf8'));

    // A reload forgets the in-memory access token; the HttpOnly cookie brings the session back.
    const cookies = await context.cookies(`${platform.routerUrl}/v1/auth/refresh`);
    expect(cookies.find((c) => c.name === 'refresh_token')).toMatchObject({
      httpOnly: true,
      sameSite: 'Strict',
      path: '/v1/auth',
    });
    expect(await page.evaluate('document.cookie')).toBe('');
    await page.reload();
    await visible(
      page
        .getByRole('article', { name: 'Profile' })
        .getByRole('heading', { name: 'Richard Hendriks' }),
    );

    // Log out: back to the log-in page, and the session is gone for good.
    await page.getByRole('button', { name: 'Log out' }).click();
    await visible(page.getByRole('heading', { name: 'Log in' }));
    expect((await context.cookies(`${platform.routerUrl}/v1/auth/refresh`)).length).toBe(0);
    await page.goto(`${platform.routerUrl}/profile`);
    await atUrl(page, /\/login\?next=%2Fprofile$/);
    await visible(page.getByRole('heading', { name: 'Log in' }));

    // Logging in again returns to the page the user asked for.
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill('correct horse battery');
    await page.getByRole('button', { name: 'Log in' }).click();
    await visible(page.getByRole('heading', { name: 'Your profile' }));
    await atUrl(page, /\/profile$/);
    await visible(page.getByRole('article', { name: 'Profile' }));

    // The user's cell goes down: a clear message with the request id, not a broken page.
    await platform.kill(1, 'api');
    await page.reload();
    const down = page.getByRole('alert').filter({ hasText: 'Could not load your profile' });
    await hasText(down, 'Your data is temporarily unavailable');
    await hasText(down, /Request id: \S+/);
    await visible(page.getByRole('heading', { name: 'Your profile' }));
    await expectAccessible(page, 'cell unavailable');
    await platform.startCell(1);
    // The next journey's new user may be placed on cell 1.
    await platform.untilRouted(1);

    expect(problems).toEqual([]);
    await context.close();
  }, 240_000);
  it('follows a Greenhouse board with a location filter, sees its jobs with match scores and keyword chips, adds a job by hand, saves one, filters to the saved and unfollows', async () => {
    const board = uniqueBoard('web');
    // Postings 0, 1 and 2 are in Berlin, New York and London: the filter keeps two.
    boards.setBoard(
      'greenhouse',
      board,
      [0, 1, 2].map((i) => fakePosting(i, 7_000_000)),
    );
    const context = await browser.newContext();
    const { page, problems } = await watchedPage(context);

    await page.goto(`${platform.routerUrl}/signup`);
    await page.getByLabel('Name').fill('Bertram Gilfoyle');
    await page.getByLabel('Email').fill(`gilfoyle-${newId()}@example.com`);
    await page.getByLabel('Password').fill('correct horse battery');
    await page.getByRole('button', { name: 'Sign up' }).click();
    await visible(page.getByRole('heading', { name: 'Your profile' }));
    await page.getByLabel('Choose a file').setInputFiles(fixture('jsonresume/sample.resume.json'));
    await visible(page.getByRole('status').filter({ hasText: 'Imported' }));

    // Job sources: empty at first; a board token that is a URL is refused at its field.
    await page.getByRole('link', { name: 'Job sources' }).click();
    await visible(page.getByRole('heading', { name: 'Job sources', level: 1 }));
    await visible(page.getByText('You follow no boards yet'));
    await expectAccessible(page, 'no job sources');
    await page.getByLabel('Board token').fill('boards.greenhouse.io/acme');
    await page.getByRole('button', { name: 'Follow', exact: true }).click();
    await hasText(page.getByRole('alert'), 'Request id:');
    await invalid(page.getByLabel('Board token'));

    // Follow with the keyboard: the provider is Greenhouse by default.
    await page.getByLabel('Board token').fill(board);
    await page.getByLabel('Locations (comma-separated, any)').fill('Berlin, London');
    await page.getByLabel('Locations (comma-separated, any)').press('Enter');
    await hasText(page.getByRole('status').filter({ hasText: 'Following' }), board);
    const source = page.getByRole('listitem', { name: `Greenhouse ${board}` });
    await hasText(source, 'locations: Berlin, London');
    // The cell's worker fetches the new board at once; the page polls until it has.
    await hasText(source, 'OK, 3 open postings');
    await expectAccessible(page, 'job sources');
    await screenshot(page, 'job-sources');

    // Jobs: the board's two postings that pass the filter, scored against the profile.
    await page.getByRole('link', { name: 'Jobs', exact: true }).click();
    await visible(page.getByRole('heading', { name: 'Jobs', level: 1 }));
    const jobs = page.getByRole('list', { name: 'Jobs' });
    const backend = jobs.getByRole('listitem', { name: /Backend Engineer #0 at/ });
    await visible(backend);
    await visible(jobs.getByRole('listitem', { name: /Platform Engineer #2 at/ }));
    expect(await jobs.getByRole('listitem', { name: /Frontend Engineer #1/ }).count()).toBe(0);
    // Analysis and matching run in the worker; Refresh shows the scores once they are in.
    await expect
      .poll(
        async () => {
          await page.getByRole('button', { name: 'Refresh' }).click();
          // biome-ignore lint/performance/useDomNodeTextContent: the rendered text is what the user reads
          return backend.innerText();
        },
        { timeout: 60_000, interval: 1_000 },
      )
      .toMatch(/Match \d+%/);
    await visible(backend.getByRole('list', { name: /Missing keywords|Matched keywords/ }));

    // A job added by hand comes first (newest), waiting for its score.
    await page.getByText('Add a job by hand', { exact: true }).click();
    await page.getByLabel('Title', { exact: true }).fill('Compression Engineer');
    await page.getByLabel('Company', { exact: true }).fill('Hooli');
    await page.getByLabel('Location', { exact: true }).first().fill('Palo Alto');
    await page
      .getByLabel('Description')
      .fill('Build middle-out compression in C++ and Python for the Nucleus platform.');
    await page.getByRole('button', { name: 'Add job' }).click();
    await hasText(page.getByRole('status').filter({ hasText: 'Added' }), 'Compression Engineer');
    await hasText(jobs.locator(':scope > li').first(), 'Compression Engineer');
    await expectAccessible(page, 'jobs');
    await screenshot(page, 'jobs');

    // Save one, then filter to the saved: only it remains.
    await backend.getByRole('button', { name: 'Save' }).click();
    await expect
      .poll(() => backend.getByRole('button', { name: 'Saved' }).getAttribute('aria-pressed'), WAIT)
      .toBe('true');
    await page.getByLabel('Status').selectOption('saved');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await expect.poll(() => jobs.locator(':scope > li').count(), WAIT).toBe(1);
    await hasText(jobs, 'Backend Engineer #0');

    // Unfollow, with the keyboard: the board leaves the list.
    await page.getByRole('link', { name: 'Job sources' }).click();
    await headingFocused(page, 'Job sources');
    await page.getByRole('button', { name: `Unfollow Greenhouse ${board}` }).press('Enter');
    await visible(page.getByText('You follow no boards yet'));

    expect(problems).toEqual([]);
    await context.close();
  }, 180_000);

  it('opens a job from a followed board, applies in review mode, follows it on the board, sees its PDF and variant, approves, moves it to interview with the menu and on to offer by drag and drop, and sees the funnel change', async () => {
    const board = uniqueBoard('apply');
    boards.setBoard(
      'greenhouse',
      board,
      [0, 1].map((i) => fakePosting(i, 8_000_000)),
    );
    const context = await browser.newContext();
    const { page, problems } = await watchedPage(context);

    await page.goto(`${platform.routerUrl}/signup`);
    await page.getByLabel('Name').fill('Erlich Bachman');
    const email = `erlich-${newId()}@example.com`;
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill('correct horse battery');
    await page.getByRole('button', { name: 'Sign up' }).click();
    await visible(page.getByRole('heading', { name: 'Your profile' }));
    await page.getByLabel('Choose a file').setInputFiles(fixture('jsonresume/sample.resume.json'));
    await visible(page.getByRole('status').filter({ hasText: 'Imported' }));

    // Empty board and an empty funnel first.
    await page.getByRole('link', { name: 'Applications' }).click();
    await visible(page.getByRole('heading', { name: 'Applications', level: 1 }));
    await visible(page.getByText('No applications yet'));
    await expectAccessible(page, 'no applications');
    await page.getByRole('link', { name: 'Analytics' }).click();
    await visible(page.getByRole('heading', { name: 'Analytics', level: 1 }));
    await visible(page.getByText('No jobs yet'));
    await expectAccessible(page, 'empty analytics');

    await page.getByRole('link', { name: 'Job sources' }).click();
    await page.getByLabel('Board token').fill(board);
    await page.getByRole('button', { name: 'Follow', exact: true }).click();
    await hasText(
      page.getByRole('listitem', { name: `Greenhouse ${board}` }),
      'OK, 2 open postings',
    );

    // The job's page: its analysis, its match explained and the board it came from.
    await page.getByRole('link', { name: 'Jobs', exact: true }).click();
    await page.getByRole('link', { name: /Backend Engineer #0/ }).click();
    await visible(page.getByRole('heading', { name: /Backend Engineer #0/, level: 1 }));
    await atUrl(page, /\/jobs\/[0-9a-f-]{36}$/);
    const analysis = page.getByRole('region', { name: 'Analysis' });
    // The worker analyzes and scores the new jobs; the page polls until it has.
    await expect
      .poll(() => analysis.getByRole('list', { name: 'Must-have skills' }).count(), {
        timeout: 60_000,
      })
      .toBe(1);
    await hasText(analysis, 'Seniority');
    await hasText(analysis, 'Years of experience');
    const match = page.getByRole('region', { name: 'Match' });
    // biome-ignore lint/performance/useDomNodeTextContent: the rendered text is what the user reads
    await expect.poll(() => match.innerText(), { timeout: 60_000 }).toMatch(/Match \d+%/);
    await visible(match.getByRole('list', { name: /Matched keywords|Missing keywords/ }));
    await hasText(page.getByRole('region', { name: 'Seen on' }), `Greenhouse ${board}`);
    await expectAccessible(page, 'job detail');
    await screenshot(page, 'job-detail');

    // Apply in review mode through the manual channel (the defaults).
    expect(await page.getByRole('radio', { name: /^Review/ }).isChecked()).toBe(true);
    expect(await page.getByLabel('Channel').inputValue()).toBe('manual');
    await page.getByRole('button', { name: 'Apply', exact: true }).click();
    await hasText(
      page.getByRole('status').filter({ hasText: 'Applied to' }),
      'Backend Engineer #0',
    );

    // The board: the card arrives in "Awaiting approval" without a reload.
    await page.getByRole('link', { name: 'Applications' }).click();
    const column = (name: string) =>
      page.getByRole('region', { name: new RegExp(`^${name} \\d+$`) });
    const card = (name: string) =>
      column(name).getByRole('listitem', { name: /Backend Engineer #0 at/ });
    await card('Awaiting approval').waitFor({ state: 'visible', timeout: 90_000 });
    await visible(page.getByRole('heading', { name: 'Awaiting approval 1', level: 2 }));
    await expectAccessible(page, 'applications board');
    await screenshot(page, 'applications');

    // The application: its PDF in the page, the variant against the profile, steps, timeline.
    await card('Awaiting approval').getByRole('link').click();
    await visible(page.getByRole('heading', { name: /Backend Engineer #0/, level: 1 }));
    await atUrl(page, /\/applications\/[0-9a-f-]{36}$/);
    const frame = page.getByTitle(/^Tailored resume for .*Backend Engineer #0/);
    await visible(frame);
    expect(await frame.getAttribute('src')).toMatch(/^blob:/);
    await expect
      .poll(() => page.frames().some((f) => f.url().startsWith('blob:')), WAIT)
      .toBe(true);
    await hasText(page.getByRole('region', { name: 'Resume PDF' }), /\d+ KB/);
    const variant = page.getByRole('region', { name: 'Tailored resume vs your profile' });
    await hasText(variant, 'chosen');
    await hasText(variant, 'passed');
    await visible(variant.getByRole('region', { name: 'Work' }));
    await hasText(variant.getByRole('region', { name: 'Work' }), /\d+ of \d+ selected/);
    const steps = page.getByRole('region', { name: 'Steps' });
    await hasText(steps, /Render\s+done\s+1/);
    await hasText(page.getByRole('region', { name: 'Timeline' }), 'resume.verified');
    await expectAccessible(page, 'application detail');
    await screenshot(page, 'application');

    // Edit, then approve: an invented figure is refused at its text, with the rule and the
    // words; put back, the edit is approved.
    await page.getByRole('button', { name: 'Edit, then approve…' }).click();
    const edit = page.getByRole('form', { name: 'Edit the tailored resume' });
    const first = edit.getByRole('textbox').first();
    const original = await first.inputValue();
    await first.fill(`${original.replace(/\.$/, '')}, growing revenue by 937%.`);
    await edit.getByRole('button', { name: 'Approve with my edits' }).click();
    await hasText(edit.getByRole('alert'), 'Not approved');
    await invalid(first);
    await hasText(edit, '937');
    await expectAccessible(page, 'edit and approve refused');
    await first.fill(original);
    await edit.getByRole('button', { name: 'Approve with my edits' }).click();
    await expect
      // biome-ignore lint/performance/useDomNodeTextContent: the rendered text is what the user reads
      .poll(() => page.locator('.badge').innerText(), { timeout: 60_000 })
      .toBe('Submitted');

    // Back on the board, the card moves to "Interview" with its menu, by keyboard.
    await page.getByRole('link', { name: '← Applications' }).click();
    await card('Submitted').waitFor({ state: 'visible', ...WAIT });
    const menu = card('Submitted').getByLabel(/^Move .*Backend Engineer #0 at .* to$/);
    await menu.focus();
    await menu.selectOption('interview');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await hasText(page.getByRole('status').filter({ hasText: 'Moved' }), 'to Interview');
    await card('Interview').waitFor({ state: 'visible', ...WAIT });
    await visible(page.getByRole('heading', { name: 'Interview 1', level: 2 }));
    expect(await card('Submitted').count()).toBe(0);
    await expectAccessible(page, 'applications board after a move');

    // The board polls; the cell's ETag makes an unchanged answer a 304 without a body.
    const revalidated = await page.evaluate(`(async () => {
      const refresh = await fetch('/v1/auth/refresh', {
        method: 'POST', headers: { 'x-csrf-protection': '1' },
      });
      const headers = { authorization: 'Bearer ' + (await refresh.json()).accessToken };
      const url = '/v1/applications?limit=100';
      const first = await fetch(url, { headers, cache: 'no-store' });
      const etag = first.headers.get('etag');
      const again = await fetch(url, {
        headers: { ...headers, 'if-none-match': etag }, cache: 'no-store',
      });
      return { first: first.status, etag, again: again.status, body: (await again.text()).length };
    })()`);
    expect(revalidated).toMatchObject({
      first: 200,
      etag: expect.any(String),
      again: 304,
      body: 0,
    });

    // And on to "Offer" by drag and drop with the mouse, grabbing the card by its text: the
    // drag's events are Chromium's own (trusted), and the server records the outcome.
    const trusted = await page.evaluateHandle(`(() => {
      const seen = [];
      for (const type of ['dragstart', 'drop']) {
        document.addEventListener(type, (event) => seen.push(type + ':' + event.isTrusted), true);
      }
      return seen;
    })()`);
    const href = await card('Interview').getByRole('link').getAttribute('href');
    const applicationId = href?.split('/').pop() ?? '';
    expect(await applicationStatus(email, applicationId)).toBe('interview');
    await dragWithMouse(card('Interview').getByText(/· review via manual$/), column('Offer'));
    await card('Offer').waitFor({ state: 'visible', ...WAIT });
    await visible(page.getByRole('heading', { name: 'Offer 1', level: 2 }));
    expect(await trusted.jsonValue()).toEqual(['dragstart:true', 'drop:true']);
    // The drop recorded the outcome on the server, not only on the board.
    expect(await applicationStatus(email, applicationId)).toBe('offer');
    await hasText(page.getByRole('status').filter({ hasText: 'Moved' }), 'to Offer');

    // The funnel counts the application, its interview and its offer.
    await page.getByRole('link', { name: 'Analytics' }).click();
    await visible(
      page.getByRole('img', {
        name: 'Funnel: discovered 2, applied 1, responded 1, interview 1, offer 1',
      }),
    );
    await visible(page.getByRole('img', { name: /^Response rate by strategy: / }));
    await hasText(page.getByRole('table', { name: 'Response rate by strategy' }), /\d+%–\d+%/);
    await expectAccessible(page, 'analytics');
    await screenshot(page, 'analytics');

    expect(problems).toEqual([]);
    await context.close();
  }, 300_000);
});
