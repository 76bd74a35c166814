// Browser end-to-end for the table (issue 12): the X-card pressed in one Chromium context sets
// the scene aside for everyone (an ink story steps back to the previous choice point), the
// player whose press it voided is told, and nobody is told who pressed it; axe-core stays clean.
// Screenshots in test-artifacts/table-*.png.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { type Harness, startConsole } from './harness.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = 'test-artifacts';
const CHANNEL = 'table-room';
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

const skip = existsSync(CHROMIUM) ? false : `no Chromium at ${CHROMIUM}`;

describe('the table in a real browser', { skip, timeout: 180_000 }, () => {
  let h: Harness;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const problems: string[] = [];
  let alice: Page;
  let bob: Page;
  let cat: Page;

  async function newPlayer(viewport: { width: number; height: number }): Promise<Page> {
    const context = await browser.newContext({
      viewport,
      hasTouch: viewport.width < 500,
      bypassCSP: true, // axe-core is injected as an inline script
    });
    contexts.push(context);
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    return page;
  }

  async function joinAs(page: Page, name: string): Promise<void> {
    await page.goto(h.web.url);
    await page.fill('#join-channel', CHANNEL);
    await page.fill('#join-name', name);
    await page.click('#join-button');
    await page.locator('#play').waitFor({ state: 'visible' });
    await page.locator('#link-state', { hasText: 'LINK' }).waitFor();
  }

  const atTurn = (page: Page, turn: number) =>
    page.locator('#status-badge', { hasText: `T${turn} · YOUR MOVE` }).waitFor();
  const choices = (page: Page) => page.locator('#choices .choice .label').allTextContents();
  const shot = (page: Page, name: string) =>
    page.screenshot({ path: `${ARTIFACTS}/table-${name}.png`, fullPage: true });

  async function axe(page: Page): Promise<string[]> {
    if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: AXE });
    return page.evaluate(async () => {
      type Result = {
        violations: Array<{
          id: string;
          impact: string | null;
          nodes: Array<{ target: string[] }>;
        }>;
      };
      const w = window as unknown as { axe: { run(): Promise<Result> } };
      const r = await w.axe.run();
      return r.violations
        .filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
    });
  }

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    h = await startConsole({ countdownSeconds: 4 });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'],
    });
    alice = await newPlayer({ width: 1280, height: 900 });
    bob = await newPlayer({ width: 390, height: 844 }); // a phone
    cat = await newPlayer({ width: 1280, height: 900 });
  });

  after(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await h?.close();
  });

  it('the X-card: one player sets the scene aside, everyone gets the step back, nobody learns who', async () => {
    for (const [page, name] of [
      [alice, 'Alice'],
      [bob, 'Bob'],
      [cat, 'Cat'],
    ] as const)
      await joinAs(page, name);
    await alice.click('#new-button');
    await alice.click('#menu-new li[data-cartridge="low-battery"] button');
    await atTurn(cat, 0);
    // The opening scene has no choice point before it; the button is there and explained.
    const xcard = cat.getByRole('button', { name: 'X-card', exact: true });
    assert.equal(await xcard.count(), 1);
    assert.match((await xcard.getAttribute('title')) ?? '', /anonymously/);
    const described = await xcard.evaluate(
      (el) => document.getElementById(el.getAttribute('aria-describedby') ?? '')?.textContent,
    );
    assert.match(described ?? '', /Nobody is told who/);
    const opening = (await alice.locator('#scene-text').textContent()) ?? '';
    const openingChoices = await choices(alice);
    const taken = openingChoices[0] as string;
    await alice.locator('#choices .choice', { hasText: taken }).first().click();
    for (const page of [alice, bob, cat]) await atTurn(page, 1);
    const vetoed = (await alice.locator('#scene-text').textContent()) ?? '';
    assert.notEqual(vetoed, opening);

    // Bob presses; then Cat, on another page, plays the X-card during Bob's window.
    const bobsChoice = (await choices(bob))[0] as string;
    await bob.locator('#choices .choice').first().click();
    await cat.locator('#chosen li', { hasText: 'Bob' }).waitFor();
    await xcard.click();
    await cat.locator('#toast', { hasText: 'Scene set aside' }).waitFor();
    for (const page of [alice, bob, cat]) {
      await atTurn(page, 2);
      // The story stepped back to the choice point before: the opening, without the way taken.
      assert.equal(await page.locator('#scene-text').textContent(), opening);
      assert.deepEqual(
        await choices(page),
        openingChoices.filter((c) => c !== taken),
      );
      const said = (await page.locator('#reveal-text').textContent()) ?? '';
      assert.match(said, /set aside with the X-card/);
      assert.ok(said.includes(`Bob: “${bobsChoice}”`), 'Bob is told his press was void');
      assert.match(said, /choose again/);
      assert.doesNotMatch(said, /Cat/);
      assert.doesNotMatch((await page.locator('#announcer').textContent()) ?? '', /Cat/);
    }
    // Only Cat's page was told it went through.
    for (const page of [alice, bob])
      assert.equal(await page.locator('#toast', { hasText: 'Scene set aside' }).count(), 0);
    await shot(alice, '01-xcard-desktop');
    await shot(bob, '02-xcard-phone');
    const b = await bob.getByRole('button', { name: 'X-card', exact: true }).boundingBox();
    assert.ok(b !== null && b.height >= 44, `X-card ${b?.height}px tall on a phone`);
    assert.deepEqual(await axe(bob), [], 'axe on the phone after an X-card');
    assert.deepEqual(await axe(alice), [], 'axe on the desktop after an X-card');

    // The rewound scene has no earlier choice point kept: a second X-card is refused clearly.
    await xcard.click();
    await cat.locator('#toast', { hasText: 'cannot step back' }).waitFor();
    assert.equal(await cat.locator('#status-badge').textContent(), 'T2 · YOUR MOVE');
    assert.deepEqual(problems, []);
  });
});
