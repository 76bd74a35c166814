// Browser end-to-end for the players' side (issue 12): three players in three Chromium contexts
// (one on a phone viewport, one joining late), the reveal, "waiting for", names in the history
// after a reload, the countdown drawn to scale after a reload, keyboard-only presses that keep
// focus, the screen-reader announcements, 44 px touch targets, the story so far and a returning
// player's recap, the whole game downloaded as Markdown, an X-card rewrite, and axe-core with no
// serious or critical violation. Screenshots in test-artifacts/players-*.png.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { type Harness, startConsole } from './harness.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = 'test-artifacts';
const CHANNEL = 'players-room';
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

const skip = existsSync(CHROMIUM) ? false : `no Chromium at ${CHROMIUM}`;

describe('players in a real browser', { skip, timeout: 180_000 }, () => {
  let h: Harness;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const problems: string[] = [];
  let alice: Page;
  let bob: Page;
  let cat: Page;

  async function newPlayer(viewport: { width: number; height: number }): Promise<Page> {
    // bypassCSP: axe-core is injected as an inline script (the console's CSP allows none; the
    // CSP itself is checked by e2e.test.ts).
    const context = await browser.newContext({
      viewport,
      hasTouch: viewport.width < 500,
      bypassCSP: true,
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
  const counting = (page: Page) =>
    page.locator('#status-badge', { hasText: 'COUNTDOWN' }).waitFor();
  const choices = (page: Page) => page.locator('#choices .choice .label').allTextContents();
  const shot = (page: Page, name: string) =>
    page.screenshot({ path: `${ARTIFACTS}/players-${name}.png`, fullPage: true });

  /** axe-core in the page: violations of serious or critical impact, as readable lines. */
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
    // Long enough for a late join and two presses inside one window on a loaded machine.
    h = await startConsole({ countdownSeconds: 6 });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'],
    });
    alice = await newPlayer({ width: 1280, height: 900 });
    bob = await newPlayer({ width: 390, height: 844 }); // a phone
  });

  after(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await h?.close();
  });

  it('the reveal of a window is shown to everyone, with names and the tally', async () => {
    await joinAs(alice, 'Alice');
    await joinAs(bob, 'Bob');
    await alice.click('#new-button');
    await alice.click('#menu-new li[data-cartridge="low-battery"] button');
    await atTurn(alice, 0);
    await atTurn(bob, 0);
    assert.equal(await alice.locator('#reveal').isVisible(), false, 'nothing decided yet');
    const [first, second] = (await choices(alice)) as [string, string];
    await alice.locator('#choices .choice', { hasText: first }).click();
    await counting(bob);
    await bob.locator('#choices .choice', { hasText: second }).click();
    await alice.locator('#chosen li', { hasText: 'Bob' }).waitFor();
    await atTurn(alice, 1);
    await atTurn(bob, 1);
    for (const page of [alice, bob]) {
      const text = (await page.locator('#reveal-text').textContent()) ?? '';
      assert.equal(text, `Every choice went to the narrator: “${first}” 1, “${second}” 1.`);
      assert.match((await page.locator('#reveal-head').textContent()) ?? '', /LAST TURN · T0/);
    }
    // The screen reader heard the reveal and the new scene.
    const said = (await alice.locator('#announcer').textContent()) ?? '';
    assert.match(said, /New scene, turn 1\./);
    await shot(alice, '01-reveal-desktop');
    await shot(bob, '02-reveal-phone');
  });

  it('keyboard only: focus stays on the chosen button while others press; waiting for', async () => {
    const options = await choices(bob);
    assert.ok(options.length >= 2);
    // Every choice on the phone is a 44 px touch target; names are what is printed.
    for (const box of await bob.locator('#choices .choice').all()) {
      const b = await box.boundingBox();
      assert.ok(b !== null && b.height >= 44, `choice ${b?.height}px tall`);
    }
    assert.equal(
      await bob
        .locator('#choices .choice')
        .first()
        .evaluate((el) => el.getAttribute('aria-pressed')),
      'false',
    );
    // Accessible names are what is printed: the choice, the button's letter with its label.
    await bob.getByRole('button', { name: options[0], exact: true }).waitFor();
    for (const name of ['B SAVE&EXIT', 'A HISTORY', 'SELECT SAVES', 'START NEW GAME'])
      assert.equal(await bob.getByRole('button', { name, exact: true }).count(), 1, name);
    // Bob (phone, keyboard): focus the first choice, Tab to the second, Enter.
    await bob.locator('#choices .choice').first().focus();
    await bob.keyboard.press('Tab');
    await bob.keyboard.press('Enter');
    await counting(alice);
    const focused = () =>
      bob.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.choice ?? null);
    assert.equal(await focused(), options[1]);
    // Both played the last turn: the window waits for Alice.
    await alice.locator('#waiting', { hasText: 'waiting for Alice' }).waitFor();
    await bob.locator('#waiting', { hasText: 'waiting for Alice' }).waitFor();
    // Cat joins late, mid-window: her countdown is drawn to scale (the server sends the length).
    cat = await newPlayer({ width: 800, height: 900 });
    await joinAs(cat, 'Cat');
    // A newcomer to a game under way gets "previously on…" (to her only), and dismisses it.
    await cat.locator('#recap-head', { hasText: 'Previously on…' }).waitFor();
    assert.match((await cat.locator('#recap-lead').textContent()) ?? '', /1 turn played so far/);
    await cat.locator('#recap-list li', { hasText: 'Turn 1' }).waitFor();
    await cat.click('#recap-close');
    await cat.locator('#recap').waitFor({ state: 'hidden' });
    await counting(cat);
    const { width, secs } = await cat.evaluate(() => ({
      width: Number.parseFloat(
        (document.getElementById('countdown-fill') as HTMLElement).style.width,
      ),
      secs: Number.parseFloat(document.getElementById('countdown-secs')?.textContent ?? ''),
    }));
    assert.ok(Math.abs(width - (secs / 6) * 100) < 8, `bar ${width}% for ${secs}s of 6s`);
    // Alice presses: Bob's buttons update in place, his focus does not move.
    await alice.locator('#choices .choice').first().click();
    await bob.locator('#chosen li', { hasText: 'Alice' }).waitFor();
    assert.equal(await focused(), options[1], 'focus kept across another player’s press');
    assert.equal(await bob.locator('#choices .choice').nth(1).getAttribute('aria-pressed'), 'true');
    await shot(bob, '03-keyboard-phone');
    await shot(cat, '04-late-join');
    assert.deepEqual(await axe(bob), [], 'axe on the phone during a countdown');
    assert.deepEqual(await axe(alice), [], 'axe on the desktop during a countdown');
    await atTurn(bob, 2);
    // The window closed by its timer: Bob's focus moves to the same choice of the new scene,
    // or its first one, never to <body>.
    assert.notEqual(await focused(), null);
  });

  it('a third player changes their mind; the story so far after a reload, every scene with names', async () => {
    await atTurn(cat, 2);
    const [a, b] = (await choices(cat)) as [string, string];
    await cat.locator('#choices .choice', { hasText: a }).click();
    await counting(alice);
    await cat.locator('#choices .choice', { hasText: b ?? a }).click(); // changed her mind
    await alice.locator('#chosen li', { hasText: `→ ${b ?? a}` }).waitFor();
    await atTurn(alice, 3);
    await cat.reload();
    await cat.locator('#link-state', { hasText: 'LINK' }).waitFor();
    await atTurn(cat, 3);
    assert.match((await cat.locator('#reveal-text').textContent()) ?? '', /1 of 1|“/);
    const onScreen = (await cat.locator('#scene-text').textContent()) ?? '';
    // Keyboard only: A opens the story, focus on its heading; every scene in order.
    await cat.locator('#history-button').focus();
    await cat.keyboard.press('Enter');
    const rows = cat.locator('#history-list:not([aria-busy]) li');
    await rows.filter({ hasText: 'Turn 3' }).waitFor();
    assert.equal(await cat.evaluate(() => document.activeElement?.id), 'history-head');
    assert.deepEqual(
      (await rows.locator('strong').allTextContents()).map((t) => t.trim()),
      ['Opening', 'Turn 1', 'Turn 2', 'Turn 3'],
    );
    const scenes = await rows.locator('.story-text').allTextContents();
    assert.equal(scenes.length, 4, 'the opening and the scene after each turn');
    assert.ok(scenes.every((t) => t.trim().length > 0));
    assert.equal(scenes[3], onScreen, 'the last scene is the one on screen');
    assert.notEqual(scenes[0], scenes[1]);
    const all = (await rows.allTextContents()).join('\n');
    assert.match(all, /Alice: /);
    assert.match(all, /Bob: /);
    assert.match(all, new RegExp(`Cat: ${b ?? a}`));
    assert.doesNotMatch(all, /someone/);
    assert.match(all, /went to the narrator|The group chose/);
    await shot(cat, '05-story-after-reload');
    assert.deepEqual(await axe(cat), [], 'axe with the story open');
    await cat.keyboard.press('Escape');
    await cat.locator('#menu-history').waitFor({ state: 'hidden' });
  });

  it('who is at the table; a spectator is not waited for and plays from the next window', async () => {
    const table = (page: Page) => page.locator('#table li').allTextContents();
    await alice.locator('#table li', { hasText: 'Cat' }).waitFor();
    assert.deepEqual((await table(alice)).length, 3);
    // Each page marks itself by its own handle (the page never sees a user id).
    await alice.locator('#table li.me', { hasText: 'Alice' }).waitFor();
    assert.equal(await alice.locator('#table li.me').count(), 1);
    // Bob watches (one press): everyone sees it, his presses are refused.
    await bob.click('#role-button');
    await alice.locator('#table li', { hasText: 'Bob watching' }).waitFor();
    // Bob's own page redraws on the same event, maybe a moment after Alice's.
    await bob.locator('#role-button', { hasText: /^Play$/ }).waitFor();
    await cat.locator('#choices .choice').first().click();
    await alice.locator('#waiting', { hasText: 'waiting for Alice' }).waitFor();
    assert.doesNotMatch((await alice.locator('#waiting').textContent()) ?? '', /Bob/);
    await alice.locator('#table li', { hasText: 'Cat ✓ chosen' }).waitFor();
    await bob.locator('#choices .choice').first().click();
    await bob.locator('#toast', { hasText: 'you are watching' }).waitFor();
    // One press to play: from the next window; this one goes on without him.
    await bob.click('#role-button');
    await alice.locator('#table li', { hasText: 'Bob plays next window' }).waitFor();
    await shot(alice, '06-table-spectator');
    assert.deepEqual(await axe(bob), [], 'axe on the phone while watching');
    await atTurn(alice, 4);
    await alice.locator('#table li', { hasText: /^Bob$/ }).waitFor();
    await alice.locator('#choices .choice').first().click();
    await bob.locator('#waiting', { hasText: 'waiting for Bob, Cat' }).waitFor();
    // A page that leaves is no longer at the table.
    await cat.close();
    await alice.locator('#table li', { hasText: 'Cat' }).waitFor({ state: 'detached' });
    await alice.locator('#waiting', { hasText: /^waiting for Bob$/ }).waitFor();
    assert.deepEqual(problems, []);
  });

  it('while you were away: a returning player gets a recap of the turns played without her', async () => {
    // Cat left during turn 4's window (her last press was in window 3, recorded as turn 4).
    await atTurn(alice, 5);
    await alice.locator('#choices .choice').first().click();
    await atTurn(alice, 6);
    assert.equal(await alice.locator('#recap').isVisible(), false, 'only the one who was away');
    // She comes back in the same browser (her session cookie says who she is).
    const context = contexts[2] as BrowserContext;
    cat = await context.newPage();
    cat.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    await cat.goto(h.web.url);
    await cat.locator('#recap-head', { hasText: 'While you were away' }).waitFor();
    const lead = (await cat.locator('#recap-lead').textContent()) ?? '';
    assert.match(lead, /^You last chose “.+” \(turn 4\)\. 2 turns went on without you:$/);
    const missed = cat.locator('#recap-list li');
    assert.deepEqual(
      (await missed.locator('strong').allTextContents()).map((t) => t.trim()),
      ['Turn 5', 'Turn 6'],
    );
    const text = (await missed.allTextContents()).join('\n');
    assert.match(text, /Alice: /);
    assert.doesNotMatch(text, /Cat: /);
    assert.equal(await missed.locator('.story-text').count(), 2, 'each scene she missed');
    assert.equal(await cat.evaluate(() => document.activeElement?.id), 'recap-head');
    await shot(cat, '07-recap');
    assert.deepEqual(await axe(cat), [], 'axe with the recap open');
    // Keyboard: Tab to "Back to the game", Enter; focus lands on the scene's first choice.
    await cat.keyboard.press('Tab');
    await cat.keyboard.press('Enter');
    await cat.locator('#recap').waitFor({ state: 'hidden' });
    assert.equal(
      typeof (await cat.evaluate(
        () => (document.activeElement as HTMLElement | null)?.dataset.choice,
      )),
      'string',
      'focus on a choice of the scene',
    );
    // Dismissed: a reload does not show it again.
    await cat.reload();
    await atTurn(cat, 6);
    await cat.locator('#link-state', { hasText: 'LINK' }).waitFor();
    await alice.locator('#table li', { hasText: 'Cat' }).waitFor();
    assert.equal(await cat.locator('#recap').isVisible(), false);
    assert.deepEqual(problems, []);
  });
  it('the whole story downloads from the page, with every player by name', async () => {
    await cat.click('#history-button');
    await cat.locator('#export-markdown').waitFor({ state: 'visible' });
    const [file] = await Promise.all([cat.waitForEvent('download'), cat.click('#export-markdown')]);
    const md = readFileSync(await file.path(), 'utf8');
    assert.match(md, /^# Low Battery/m);
    for (const turn of [1, 2, 3, 4, 5, 6]) assert.match(md, new RegExp(`^## Turn ${turn} · `, 'm'));
    for (const name of ['Alice', 'Bob', 'Cat'])
      assert.match(md, new RegExp(`^- \\*\\*${name}\\*\\* chose “`, 'm'), name);
    assert.doesNotMatch(md, /web:/, 'no user id');
    await cat.keyboard.press('Escape');
    await atTurn(cat, 6);
  });

  it('the X-card: Cat sets the scene aside, everyone gets another, nobody is told who', async () => {
    const before = (await alice.locator('#scene-text').textContent()) ?? '';
    await cat.getByRole('button', { name: 'X-card', exact: true }).click();
    await cat.locator('#toast', { hasText: 'Scene set aside' }).waitFor();
    for (const page of [alice, cat]) {
      await atTurn(page, 7);
      assert.notEqual(await page.locator('#scene-text').textContent(), before);
      const said = (await page.locator('#reveal-text').textContent()) ?? '';
      assert.match(said, /set aside with the X-card/);
      assert.doesNotMatch(said, /Cat/);
    }
    assert.equal(await alice.locator('#toast', { hasText: 'Scene set aside' }).count(), 0);
    await shot(alice, '08-xcard');
    assert.deepEqual(await axe(alice), [], 'axe after the X-card');
    assert.deepEqual(problems, []);
  });
});
