// The invite link in a real browser: in a private channel, a player who may manage it (anyone
// while no game runs, then the game's booter) copies the channel's invite link from the page; the
// link carries the join code and lets a new player in. Others do not get the button.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { type Harness, startConsole } from './harness.js';

const CHROMIUM = '/usr/bin/chromium';
const skip = existsSync(CHROMIUM) ? false : `no Chromium at ${CHROMIUM}`;

describe('copying a private channel invite link in a real browser', {
  skip,
  timeout: 120_000,
}, () => {
  let h: Harness;
  let open: Harness;
  let shared: Harness;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const problems: string[] = [];

  async function newPlayer(): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 560, height: 940 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    contexts.push(context);
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    return page;
  }

  async function joinThrough(page: Page, link: string, name: string) {
    await page.goto(link);
    await page.fill('#join-name', name);
    await page.click('#join-button');
    await page.locator('#play').waitFor({ state: 'visible' });
  }

  before(async () => {
    h = await startConsole({ countdownSeconds: 30, web: { joinCodes: true } });
    open = await startConsole({ countdownSeconds: 30 });
    shared = await startConsole({
      countdownSeconds: 30,
      settings: { anyoneMayManage: true },
      web: { joinCodes: true },
    });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'],
    });
  });
  after(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await h?.close();
    await open?.close();
    await shared?.close();
  });

  it('the booter copies the link with its code; it lets a new player in; others see no button', async () => {
    const alice = await newPlayer();
    const bob = await newPlayer();
    const cy = await newPlayer();
    await joinThrough(alice, h.web.inviteLink('den'), 'Alice');
    // No game yet: anyone at the table may boot one, and may invite.
    const invite = alice.locator('#invite-button');
    await invite.waitFor({ state: 'visible' });

    await alice.click('#new-button');
    await alice.click('#menu-new li[data-cartridge="low-battery"] button');
    await alice.locator('#status-badge', { hasText: 'T0 · YOUR MOVE' }).waitFor();
    await invite.click();
    await alice.locator('#toast', { hasText: 'Invite link copied' }).waitFor();
    const copied = await alice.evaluate(() => navigator.clipboard.readText());
    const expected = h.web.inviteLink('den');
    assert.equal(copied, expected, 'the link the server would print, join code included');
    assert.match(copied, /#den\?code=[A-Za-z0-9_-]+$/);

    // Bob joins with the copied link; the game is Alice's, so he has no invite button.
    await joinThrough(bob, copied, 'Bob');
    await bob.locator('#status-badge', { hasText: 'T0 · YOUR MOVE' }).waitFor();
    assert.equal(await bob.locator('#invite-button').isVisible(), false);

    // Without the code the channel stays closed.
    await cy.goto(`${h.web.url}#den`);
    await cy.fill('#join-name', 'Cy');
    await cy.click('#join-button');
    await cy.locator('#toast', { hasText: 'this channel is private' }).waitFor();
    assert.equal(await cy.locator('#invite-button').isVisible(), false);
    assert.deepEqual(problems, []);
  });

  it('a public channel (no join codes) shows no invite button', async () => {
    const dee = await newPlayer();
    await joinThrough(dee, `${open.web.url}#lobby`, 'Dee');
    await dee.locator('#idle').waitFor({ state: 'visible' });
    assert.equal(await dee.locator('#invite-button').isVisible(), false);
    assert.deepEqual(problems, []);
  });

  it('where anyone may manage the game, every player may invite', async () => {
    const eve = await newPlayer();
    const fay = await newPlayer();
    const link = shared.web.inviteLink('club');
    await joinThrough(eve, link, 'Eve');
    await eve.click('#new-button');
    await eve.click('#menu-new li[data-cartridge="low-battery"] button');
    await joinThrough(fay, link, 'Fay');
    await fay.locator('#status-badge', { hasText: 'T0 · YOUR MOVE' }).waitFor();
    await fay.locator('#invite-button').click();
    assert.equal(await fay.evaluate(() => navigator.clipboard.readText()), link);
    assert.deepEqual(problems, []);
  });
});
