// Identity in a real browser: the session is an HttpOnly cookie the page cannot read (nothing of
// it in localStorage), it survives a reload (the booter may still exit), another player is
// refused; a private channel is joined only through its invite link.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { type Harness, startConsole } from './harness.js';

const CHROMIUM = '/usr/bin/chromium';
const skip = existsSync(CHROMIUM) ? false : `no Chromium at ${CHROMIUM}`;

describe('web console identity in a real browser', { skip, timeout: 120_000 }, () => {
  let h: Harness;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const problems: string[] = [];

  async function newPlayer(): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 560, height: 940 } });
    contexts.push(context);
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    return page;
  }

  async function joinAs(page: Page, url: string, channel: string, name: string) {
    await page.goto(url);
    await page.fill('#join-channel', channel);
    await page.fill('#join-name', name);
    await page.click('#join-button');
  }

  before(async () => {
    h = await startConsole({ countdownSeconds: 4, web: { joinCodes: true } });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'],
    });
  });
  after(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await h?.close();
  });

  it('a private channel refuses a join without its code and accepts the invite link', async () => {
    const eve = await newPlayer();
    await joinAs(eve, h.web.url, 'den', 'Eve');
    await eve.locator('#toast', { hasText: 'this channel is private' }).waitFor();
    await eve.locator('#join-form').waitFor({ state: 'visible' });
  });

  it('the identity is an HttpOnly cookie: kept across a reload, unreadable by the page, not forgeable by another player', async () => {
    const alice = await newPlayer();
    const bob = await newPlayer();
    const invite = h.web.inviteLink('den');
    await alice.goto(invite);
    assert.equal(await alice.inputValue('#join-channel'), 'den');
    await alice.fill('#join-name', 'Alice');
    await alice.click('#join-button');
    await alice.locator('#idle').waitFor({ state: 'visible' });
    await bob.goto(invite);
    await bob.fill('#join-name', 'Bob');
    await bob.click('#join-button');
    await bob.locator('#idle').waitFor({ state: 'visible' });

    await alice.click('#new-button');
    await alice.click('#menu-new li[data-cartridge="low-battery"] button');
    await bob.locator('#status-badge', { hasText: 'T0 · YOUR MOVE' }).waitFor();

    // The page can read neither the session nor any user id.
    assert.equal(await alice.evaluate(() => document.cookie), '');
    const stored = await alice.evaluate(() => JSON.stringify({ ...localStorage }));
    assert.doesNotMatch(stored, /userId|web:/);
    const cookies = await contexts[1]?.cookies();
    assert.equal(cookies?.find((c) => c.name === 'gg_session')?.httpOnly, true);

    await bob.click('#exit-button');
    await bob.locator('#toast', { hasText: 'only the player who booted' }).waitFor();

    // After a reload Alice is still the booter (the cookie, not the page, says who she is).
    await alice.reload();
    await alice.locator('#status-badge', { hasText: 'T0 · YOUR MOVE' }).waitFor();
    await alice.click('#exit-button');
    await bob.locator('#idle').waitFor({ state: 'visible' });
    assert.deepEqual(problems, []);
  });
});
