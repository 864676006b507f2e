/**
 * The operator console in real Chromium against a real two-cell platform: the
 * operator opens /admin with the admin token, drains a cell (the confirmation
 * says how many users move), watches it end drained with no users while its
 * users keep their data, reactivates it, plans and runs a rebalance, and finds
 * where a user lives. A wrong token gets a clear refusal.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, type TestUser } from '../harness/api-client.ts';
import {
  buildWebApp,
  expectAccessible,
  hasText,
  launchChromium,
  screenshot,
  visible,
  watchedPage,
} from '../harness/browser.ts';
import { type Platform, startPlatform } from '../harness/platform.ts';

const SLOW = { timeout: 90_000 };

let platform: Platform;
let browser: Browser;
let web: Awaited<ReturnType<typeof buildWebApp>>;
let client: ApiClient;
const users: TestUser[] = [];

beforeAll(async () => {
  web = await buildWebApp();
  platform = await startPlatform({
    cells: 2,
    env: { PASSWORD_SCRYPT_LOG_N: '12', WEB_DIST_DIR: web.dir },
  });
  browser = await launchChromium();
  client = new ApiClient(platform.routerUrl);
  // Users on both cells, each with a profile that must survive the moves.
  while (users.filter((u) => u.cellId === 'cell-2').length < 2 || users.length < 4) {
    const user = await client.signup('operator-web');
    const put = await client.request('PUT', '/v1/profile', {
      token: user.accessToken,
      body: { basics: { name: `Owner of ${user.email}` } },
    });
    expect(put.status).toBe(200);
    users.push(user);
  }
}, 300_000);

afterAll(async () => {
  await client?.close();
  await browser?.close();
  await platform?.stop();
  web?.remove();
}, 60_000);

async function everyoneKeepsTheirProfile() {
  for (const user of users) {
    const res = await client.request('GET', '/v1/profile', { token: user.accessToken });
    expect(res.status, user.email).toBe(200);
    expect((res.body.basics as { name: string }).name).toBe(`Owner of ${user.email}`);
  }
}

describe('web app: the operator console', () => {
  it('refuses a wrong admin token plainly', async () => {
    const context = await browser.newContext();
    const { page, problems } = await watchedPage(context);
    await page.goto(`${platform.routerUrl}/admin`);
    await visible(page.getByRole('heading', { name: 'Operator console' }));
    await page.getByLabel('Admin token').fill('not-the-token');
    await page.getByRole('button', { name: 'Open the console' }).click();
    await hasText(page.getByRole('alert'), 'The router refused the token');
    await hasText(page.getByRole('alert'), 'Request id:');
    await expectAccessible(page, 'admin token refused');
    expect(problems).toEqual([]);
    await context.close();
  }, 120_000);

  it('drains a cell with migration, reactivates it, rebalances, and finds a user', async () => {
    const context = await browser.newContext();
    const { page, problems } = await watchedPage(context);
    await page.goto(`${platform.routerUrl}/admin`);
    await page.getByLabel('Admin token').fill(platform.adminToken);
    await page.getByRole('button', { name: 'Open the console' }).click();
    const cells = page.getByRole('table', { name: /Cells/ });
    const row = (id: string) => cells.getByRole('row').filter({ hasText: id });
    // Cells of a row: state, health, last check, users, actions (the cell id is the row header).
    const usersOn = (id: string) => row(id).getByRole('cell').nth(3).textContent();
    await visible(row('cell-2'));
    await hasText(row('cell-1'), 'up');
    await expectAccessible(page, 'operator console');
    await screenshot(page, 'operator-console');

    // Drain cell-2: the confirmation says how many users move.
    const onCell2 = users.filter((u) => u.cellId === 'cell-2').length;
    await row('cell-2').getByRole('button', { name: 'Drain cell-2' }).click();
    const confirm = page.getByRole('alertdialog', { name: 'Drain cell-2' });
    await hasText(confirm, `${onCell2} users of cell-2 will move`);
    await expectAccessible(page, 'drain confirmation');
    // The confirm button has the focus: Enter confirms, as with a mouse.
    await page.keyboard.press('Enter');
    await hasText(row('cell-2'), 'drained');
    await expect.poll(() => usersOn('cell-2'), SLOW).toBe('0');
    await hasText(page.getByRole('region', { name: 'Migration' }), 'No migration is running');
    await everyoneKeepsTheirProfile();

    // Back to active, then a planned rebalance moves users back to their ring owner.
    await row('cell-2').getByRole('button', { name: 'Activate cell-2' }).click();
    await page
      .getByRole('alertdialog', { name: 'Activate cell-2' })
      .getByRole('button', { name: 'Activate cell-2' })
      .click();
    await hasText(row('cell-2'), 'active');
    await page.getByRole('button', { name: 'Plan a rebalance' }).click();
    const plan = page.getByRole('region', { name: 'Rebalance' });
    await hasText(plan, `${onCell2} users would move`);
    await hasText(plan, 'cell-1 → cell-2');
    await plan.getByRole('button', { name: 'Start the rebalance…' }).click();
    await page
      .getByRole('alertdialog', { name: 'Start the rebalance' })
      .getByRole('button', { name: `Move ${onCell2} users` })
      .click();
    await expect.poll(() => usersOn('cell-2'), SLOW).toBe(String(onCell2));
    await everyoneKeepsTheirProfile();

    // Where does a user live, and why?
    const someone = users.find((u) => u.cellId === 'cell-2') as TestUser;
    await page.getByLabel('User id or email').fill(someone.email);
    await page.getByRole('button', { name: 'Find' }).click();
    await hasText(
      page.getByRole('region', { name: 'Users' }).getByRole('status'),
      'lives on cell-2',
    );
    await hasText(page.getByRole('region', { name: 'Users' }).getByRole('status'), 'because: ring');
    await expectAccessible(page, 'user lookup');

    expect(problems).toEqual([]);
    await context.close();
  }, 300_000);
});
