// The page names its channel in the WebSocket address (`/ws?channel=…`), so a proxy in front of
// several serve processes can send all of a channel's players to one process (README, "Several
// processes"). Joining another channel opens a socket that names it and closes the old one; a
// reload opens the socket for the stored channel at once.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { type Browser, chromium, type Page, type WebSocket } from 'playwright-core';
import { type Harness, startConsole } from './harness.js';

const CHROMIUM = '/usr/bin/chromium';
const skip = existsSync(CHROMIUM) ? false : `no Chromium at ${CHROMIUM}`;

/** The query of a WebSocket address as a plain object. */
function query(ws: WebSocket): Record<string, string> {
  return Object.fromEntries(new URL(ws.url()).searchParams);
}

describe('the page names its channel in the WebSocket address', { skip, timeout: 120_000 }, () => {
  let h: Harness;
  let browser: Browser;
  const problems: string[] = [];

  before(async () => {
    h = await startConsole({ countdownSeconds: 4 });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'],
    });
  });
  after(async () => {
    await browser?.close();
    await h?.close();
  });

  async function join(page: Page, channel: string): Promise<WebSocket> {
    const opened = page.waitForEvent('websocket');
    await page.fill('#join-channel', channel);
    await page.fill('#join-name', 'Ada');
    await page.click('#join-button');
    return opened;
  }

  it('opens a socket for each channel joined, and for the stored one after a reload', async () => {
    const context = await browser.newContext({ viewport: { width: 560, height: 940 } });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));

    // A first visit knows no channel yet: its socket names none.
    const first = page.waitForEvent('websocket');
    await page.goto(h.web.url);
    const unnamed = await first;
    assert.deepEqual(query(unnamed), {});

    // Joining opens a socket that names the channel (characters encoded), and closes the first.
    const north = await join(page, 'north & co');
    assert.deepEqual(query(north), { channel: 'north & co' });
    assert.match(north.url(), /\/ws\?channel=north(%20|\+)%26(%20|\+)co$/);
    await page.locator('#idle').waitFor({ state: 'visible' });
    await page.click('#new-button');
    await page.click('#menu-new li[data-cartridge="low-battery"] button');
    await page.locator('#status-badge', { hasText: 'T0 · YOUR MOVE' }).waitFor();
    assert.equal(unnamed.isClosed(), true);

    // Another channel: a socket of its own, the other one closed; its (idle) channel is shown.
    await page.click('#leave-button');
    const south = await join(page, 'south');
    assert.deepEqual(query(south), { channel: 'south' });
    await page.locator('#idle').waitFor({ state: 'visible' });
    assert.equal(north.isClosed(), true);
    assert.equal(south.isClosed(), false);

    // Joining the same channel again keeps its socket.
    await page.click('#leave-button');
    let reopened = false;
    page.once('websocket', () => {
      reopened = true;
    });
    await page.fill('#join-name', 'Ada');
    await page.click('#join-button');
    await page.locator('#idle').waitFor({ state: 'visible' });
    assert.equal(reopened, false);
    assert.equal(south.isClosed(), false);

    // A reload opens its socket for the stored channel straight away, and plays there.
    const again = page.waitForEvent('websocket');
    await page.reload();
    assert.deepEqual(query(await again), { channel: 'south' });
    await page.locator('#idle').waitFor({ state: 'visible' });
    await context.close();
    assert.deepEqual(problems, []);
  });
});
