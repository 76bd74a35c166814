// Browser end-to-end for the table (issue 12): the X-card pressed in one Chromium context sets
// the scene aside for everyone (an ink story steps back to the previous choice point), the
// player whose press it voided is told, and nobody is told who pressed it; room to read (the
// scene's box measured on a desktop and a phone, the title image shrinking after the first
// scene, the cue of a long scene that scrolls); how windows run and the booter's control of
// their length. axe-core stays clean. Screenshots in test-artifacts/table-*.png.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { InkNarrator } from '../../src/narrator/ink.js';
import { LlmNarrator } from '../../src/narrator/llm.js';
import { type FakeOpenAI, reply, startFakeOpenAI } from '../helpers/fake-openai.js';
import { type Harness, startConsole } from './harness.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = 'test-artifacts';
const CHANNEL = 'table-room';
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

const skip = existsSync(CHROMIUM) ? false : `no Chromium at ${CHROMIUM}`;

describe('the table in a real browser', { skip, timeout: 180_000 }, () => {
  let h: Harness;
  let h2: Harness | undefined;
  let fake: FakeOpenAI | undefined;
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
    await h2?.close();
    await fake?.close();
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

  it('room to read: the scene has most of the screen, the title shrinks, a long scene says it scrolls', async () => {
    // A long scene from an OpenAI-compatible narrator (the local fake server).
    const long = Array.from(
      { length: 14 },
      (_, i) =>
        `Paragraph ${i + 1}: the arcade hums, a cabinet flickers, and somebody's high score blinks in the dark.`,
    ).join('\n\n');
    const scene = JSON.stringify({
      scene: long,
      choices: ['Insert a coin', 'Follow the hum', 'Wait'],
      summary: 'The arcade woke.',
      ended: false,
    });
    fake = await startFakeOpenAI([reply(scene)]);
    const llm = (fake as FakeOpenAI).baseURL;
    h2 = await startConsole({
      countdownSeconds: 3,
      llmEnabled: true,
      narrators: (spec) =>
        spec.kind === 'llm'
          ? new LlmNarrator({ baseURL: llm, model: 'fake-model', timeoutMs: 10_000 })
          : new InkNarrator(spec.cartridge),
    });
    const desk = await newPlayer({ width: 1280, height: 900 });
    const phone = await newPlayer({ width: 390, height: 844 });
    for (const [page, name] of [
      [desk, 'Dora'],
      [phone, 'Eli'],
    ] as const) {
      await page.goto(h2.web.url);
      await page.fill('#join-channel', 'room-to-read');
      await page.fill('#join-name', name);
      await page.click('#join-button');
      await page.locator('#link-state', { hasText: 'LINK' }).waitFor();
    }
    await desk.click('#new-button');
    await desk.fill('#llm-premise', 'a haunted arcade');
    await desk.click('#llm-form button[type="submit"]');
    for (const page of [desk, phone]) await atTurn(page, 0);
    const box = (page: Page, sel: string) =>
      page.locator(sel).evaluate((el) => {
        const r = el.getBoundingClientRect();
        return { width: r.width, height: r.height, top: r.top, bottom: r.bottom };
      });
    const titleAtFirst = await box(desk, '#title-img');
    // A long scene says that it scrolls; at its end the cue goes away.
    await phone.locator('#more-cue span').waitFor({ state: 'visible' });
    await shot(phone, '03-long-scene-cue-phone');
    await phone.locator('#scroll').evaluate((el) => {
      el.scrollTop = el.scrollHeight;
    });
    await phone.locator('#more-cue span').waitFor({ state: 'hidden' });

    // How windows run, and the booter's control of their length (hidden from the others).
    for (const page of [desk, phone])
      assert.equal(
        await page.locator('#rules-text').textContent(),
        '3 s window · runs its full length',
      );
    assert.equal(await desk.locator('#countdown-setting').isVisible(), true);
    assert.equal(await phone.locator('#countdown-setting').isVisible(), false);

    // During a countdown, with three choices on screen, the scene keeps most of the screen.
    await desk.locator('#choices .choice').first().click();
    for (const page of [desk, phone])
      await page.locator('#status-badge', { hasText: 'COUNTDOWN' }).waitFor();
    const sizes: string[] = [];
    for (const [page, vh, vw] of [
      [desk, 900, 1280],
      [phone, 844, 390],
    ] as const) {
      const screen = await box(page, '#screen');
      const sceneBox = await box(page, '#scroll');
      sizes.push(
        `${vw}x${vh}: screen ${screen.height}px, scene ${sceneBox.width}x${sceneBox.height}px`,
      );
      assert.ok(screen.height >= 0.7 * vh, `screen ${screen.height}px of ${vh}px`);
      // Issue 12: the old layout showed two lines of a scene during a countdown.
      assert.ok(sceneBox.height >= 0.42 * vh, `scene ${sceneBox.height}px of ${vh}px`);
      assert.ok(sceneBox.width >= 0.8 * Math.min(vw, 900) - 40, `scene ${sceneBox.width}px wide`);
      assert.ok(screen.bottom <= vh + 1, 'the screen fits in the window');
    }
    await shot(desk, '04-room-desktop-countdown');
    await shot(phone, '05-room-phone-countdown');
    await atTurn(desk, 1);
    // The title image shrinks after the first scene.
    const titleLater = await box(desk, '#title-img');
    assert.ok(
      titleLater.height <= titleAtFirst.height / 2,
      `title ${titleAtFirst.height}px, then ${titleLater.height}px`,
    );
    // The booter makes the window longer: everyone sees it (from the next window).
    await desk.selectOption('#countdown-select', '30');
    await desk.locator('#toast', { hasText: 'from the next window' }).waitFor();
    await phone.locator('#rules-text', { hasText: '30 s window' }).waitFor();
    assert.deepEqual(await axe(desk), [], 'axe on the wide layout');
    assert.deepEqual(await axe(phone), [], 'axe on the phone layout');
    assert.deepEqual(problems, []);
    console.log(`room to read: ${sizes.join('; ')}`);
  });
});
