/**
 * The profile editor and the settings in real Chromium against a real
 * platform: a new user writes a profile in the form editor and sees it in the
 * live PDF preview, sees a problem at its field, saves, edits again (a section
 * entry added and reordered), saves a second version and compares the two
 * versions; a refused import is fixed in the editor. In Settings a user stores
 * channel credentials that are never shown back, sets and removes the status
 * webhook, downloads their data and deletes their account.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../lib/ids.ts';
import {
  buildWebApp,
  expectAccessible,
  hasText,
  invalid,
  launchChromium,
  screenshot,
  visible,
  WAIT,
  watchedPage,
} from '../harness/browser.ts';
import { type Platform, startPlatform } from '../harness/platform.ts';

let platform: Platform;
let browser: Browser;
let web: Awaited<ReturnType<typeof buildWebApp>>;

beforeAll(async () => {
  web = await buildWebApp();
  platform = await startPlatform({
    cells: 1,
    env: { PASSWORD_SCRYPT_LOG_N: '12', WEB_DIST_DIR: web.dir },
  });
  browser = await launchChromium();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await platform?.stop();
  web?.remove();
}, 60_000);

describe('web app: the profile editor', () => {
  it('opens a refused import in the editor, where its problems sit at their fields until fixed', async () => {
    const context = await browser.newContext();
    const { page, problems } = await watchedPage(context);
    await page.goto(`${platform.routerUrl}/signup`);
    await page.getByLabel('Name').fill('Jared Dunn');
    await page.getByLabel('Email').fill(`jared-${newId()}@example.com`);
    await page.getByLabel('Password').fill('correct horse battery');
    await page.getByRole('button', { name: 'Sign up' }).click();
    await visible(page.getByRole('heading', { name: 'Your profile' }));
    await page
      .getByLabel('Choose a file')
      .setInputFiles(join(import.meta.dirname, '..', 'fixtures', 'web', 'broken.resume.json'));
    await hasText(page.getByRole('alert'), 'broken.resume.json was not imported');
    await page.getByRole('button', { name: 'Fix broken.resume.json in the form editor' }).click();
    const editor = page.getByRole('form', { name: 'Profile editor' });
    // The preview refuses the draft as the import did: each problem at its field.
    const highlights = editor.getByLabel('Highlights (one per line)');
    await invalid(highlights);
    await expect.poll(() => highlights.inputValue(), WAIT).toBe('Won TechCrunch Disrupt');
    await invalid(editor.getByLabel('Keywords (one per line)').first());
    await highlights.fill('Won TechCrunch Disrupt');
    await editor.getByLabel('Keywords (one per line)').first().fill('middle-out');
    const preview = page.getByRole('complementary', { name: 'PDF preview' });
    await hasText(preview.getByRole('status'), 'Preview up to date');
    await editor.getByRole('button', { name: 'Save as a new version' }).click();
    await hasText(page.getByRole('status').filter({ hasText: 'Saved as' }), 'Saved as version 1');
    expect(problems).toEqual([]);
    await context.close();
  }, 240_000);

  it('writes a profile with a live PDF preview, shows a problem at its field, saves two versions and compares them', async () => {
    const context = await browser.newContext();
    const { page, problems } = await watchedPage(context);
    await page.goto(`${platform.routerUrl}/signup`);
    await page.getByLabel('Name').fill('Monica Hall');
    await page.getByLabel('Email').fill(`monica-${newId()}@example.com`);
    await page.getByLabel('Password').fill('correct horse battery');
    await page.getByRole('button', { name: 'Sign up' }).click();
    await visible(page.getByRole('heading', { name: 'Your profile' }));

    // No profile yet: write one in the form editor.
    await page.getByRole('button', { name: 'Write one in the form editor' }).click();
    await visible(page.getByRole('heading', { name: 'Edit your profile' }));
    const editor = page.getByRole('form', { name: 'Profile editor' });
    await editor.getByLabel('Name', { exact: true }).fill('Monica Hall');
    await editor.getByLabel('Headline').fill('Venture Partner');
    await editor.getByRole('button', { name: 'Add to Work' }).click();
    await editor.getByLabel('Employer').fill('Raviga Capital');
    await editor.getByLabel('Position').fill('Associate');
    await editor.getByLabel('Start date (YYYY, YYYY-MM or YYYY-MM-DD)').fill('2014-03');
    await editor
      .getByLabel('Highlights (one per line)')
      .fill('Led the Series A\nSat on two boards');

    // The preview renders the draft: the frame holds a PDF, and the status says it is current.
    const preview = page.getByRole('complementary', { name: 'PDF preview' });
    await hasText(preview.getByRole('status'), 'Preview up to date');
    const frame = preview.locator('iframe');
    await expect.poll(() => frame.getAttribute('src'), WAIT).toMatch(/^blob:/);
    await expectAccessible(page, 'profile editor');
    await screenshot(page, 'profile-editor');

    // The template can change; the preview follows.
    await preview.getByLabel('Template').selectOption('classic');
    await visible(preview.getByTitle('PDF preview, classic template'));
    await hasText(preview.getByRole('status'), 'Preview up to date');

    // A resume needs a name: cleared, it is refused at its field by the save and the preview alike.
    await editor.getByLabel('Name', { exact: true }).fill('');
    await editor.getByRole('button', { name: 'Save as a new version' }).click();
    await hasText(page.getByRole('alert').filter({ hasText: 'Not saved' }), 'Request id:');
    await invalid(editor.getByLabel('Name', { exact: true }));
    await hasText(editor.getByRole('list', { name: 'Problems by field' }), '/basics/name');
    await hasText(preview.getByRole('alert'), 'Could not render the preview');

    // A date that is no date is kept as written, with a warning at its field.
    await editor.getByLabel('Name', { exact: true }).fill('Monica Hall');
    await editor.getByLabel('Start date (YYYY, YYYY-MM or YYYY-MM-DD)').fill('spring 2014');
    await editor.getByRole('button', { name: 'Save as a new version' }).click();
    await hasText(page.getByRole('status').filter({ hasText: 'Saved as' }), 'Saved as version 1');
    await hasText(editor.getByRole('list', { name: 'Warnings by field' }), '/work/0/startDate');

    // A second entry, moved above the first with the keyboard-operable buttons, then saved.
    await editor.getByRole('button', { name: 'Add to Work' }).click();
    await editor.getByLabel('Employer').nth(1).fill('Bream-Hall');
    await editor.getByRole('button', { name: 'Move up: Work #2: Bream-Hall' }).focus();
    await page.keyboard.press('Enter');
    await visible(editor.getByRole('group', { name: 'Work #1: Bream-Hall' }));
    await editor.getByRole('button', { name: 'Save as a new version' }).click();
    await hasText(page.getByRole('status').filter({ hasText: 'Saved as' }), 'Saved as version 2');
    await page.getByRole('button', { name: 'Close the editor' }).click();

    // The profile shows the saved content; version 2 compares with version 1.
    await visible(page.getByRole('article', { name: 'Profile' }));
    await hasText(page.getByRole('article', { name: 'Profile' }), 'Bream-Hall');
    await page.getByRole('button', { name: 'Compare with version 1' }).click();
    const changes = page.getByRole('figure');
    await hasText(changes, 'Version 1 → 2');
    await hasText(changes.locator('ins').filter({ hasText: 'Bream-Hall' }), 'Bream-Hall');
    await expectAccessible(page, 'version diff');
    await screenshot(page, 'profile-versions');

    expect(problems).toEqual([]);
    await context.close();
  }, 240_000);
});

describe('web app: settings', () => {
  it('stores channel credentials without showing them back, sets the status webhook, exports the data and deletes the account', async () => {
    const context = await browser.newContext({ acceptDownloads: true });
    const { page, problems } = await watchedPage(context);
    const email = `gavin-${newId()}@example.com`;
    await page.goto(`${platform.routerUrl}/signup`);
    await page.getByLabel('Name').fill('Gavin Belson');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill('correct horse battery');
    await page.getByRole('button', { name: 'Sign up' }).click();
    await visible(page.getByRole('heading', { name: 'Your profile' }));
    await page.getByRole('link', { name: 'Settings' }).click();
    await visible(page.getByRole('heading', { name: 'Settings', level: 1 }));

    // An employer key for one board: stored, listed by board, never shown back; then removed.
    const greenhouse = page.getByRole('region', { name: 'Channel greenhouse' });
    await greenhouse.getByLabel('greenhouse API key').fill('gh-secret-key-0123456789');
    await greenhouse.getByLabel('Board token (empty: every board)').fill('hooli');
    await greenhouse.getByRole('button', { name: 'Store greenhouse credentials' }).click();
    await hasText(greenhouse, 'Board hooli: stored');
    await expect.poll(() => page.content()).not.toContain('gh-secret-key-0123456789');
    await expectAccessible(page, 'settings');
    await screenshot(page, 'settings');
    await greenhouse
      .getByRole('button', { name: 'Remove greenhouse credentials for hooli' })
      .click();
    await hasText(greenhouse, 'No credentials stored.');

    // The status webhook: set (its secret never shown), then removed.
    const webhook = page.getByRole('region', { name: 'Status webhook' });
    await webhook.getByLabel('Status webhook URL').fill('http://127.0.0.1:9/status');
    await webhook.getByLabel('Status webhook secret').fill('status-secret-0123456789');
    await webhook.getByRole('button', { name: 'Set the webhook' }).click();
    await hasText(webhook.getByRole('status'), 'Posting to http://127.0.0.1:9/status');
    await expect.poll(() => page.content()).not.toContain('status-secret-0123456789');
    await webhook.getByRole('button', { name: 'Remove the webhook' }).click();
    await hasText(webhook.getByRole('status'), 'No webhook set.');

    // Everything the user owns, as one JSON document.
    const downloading = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Download all my data' }).click();
    const file = await (await downloading).path();
    const exported = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    expect(JSON.stringify(exported)).toContain(email);

    // Deletion needs the password: a wrong one is refused plainly, the right one signs out.
    const danger = page.getByRole('region', { name: 'Delete your account' });
    await danger.getByLabel('Your password').fill('wrong password entirely');
    await danger.getByLabel('I understand everything will be deleted').check();
    await danger.getByRole('button', { name: 'Delete my account' }).click();
    await hasText(danger.getByRole('alert'), 'The account was not deleted');
    await danger.getByLabel('Your password').fill('correct horse battery');
    await danger.getByRole('button', { name: 'Delete my account' }).click();
    await visible(page.getByRole('heading', { name: 'Log in' }));
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill('correct horse battery');
    await page.getByRole('button', { name: 'Log in' }).click();
    await hasText(page.getByRole('alert'), 'Request id:');

    expect(problems).toEqual([]);
    await context.close();
  }, 240_000);
});
