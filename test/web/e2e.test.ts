// Browser end-to-end: two players (two Chromium contexts) in one channel play a cartridge,
// change a choice mid-window, exit, reload, resume by id and hot-swap, with screenshots saved
// in test-artifacts/.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { InkNarrator } from '../../src/narrator/ink.js';
import { LlmNarrator } from '../../src/narrator/llm.js';
import { type Narrator, NarratorError } from '../../src/narrator/port.js';
import { reply, startFakeOpenAI } from '../helpers/fake-openai.js';
import { type Harness, startConsole } from './harness.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = 'test-artifacts';
const CHANNEL = 'e2e-room';

const skip = existsSync(CHROMIUM) ? false : `no Chromium at ${CHROMIUM}`;

describe('web console in a real browser', { skip, timeout: 120_000 }, () => {
  let h: Harness;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  let alice: Page;
  let bob: Page;
  const problems: string[] = [];

  async function newPlayer(): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 560, height: 940 } });
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

  /** Waits until the page shows turn `turn` ready for presses. */
  async function atTurn(page: Page, turn: number): Promise<void> {
    await page.locator('#status-badge', { hasText: `T${turn} · YOUR MOVE` }).waitFor();
  }

  async function choices(page: Page): Promise<string[]> {
    return page.locator('#choices .choice .label').allTextContents();
  }

  function shot(page: Page, name: string): Promise<Buffer> {
    return page.screenshot({ path: `${ARTIFACTS}/${name}.png`, fullPage: true });
  }

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    // Long enough for the mid-window change of mind on a loaded two-core machine.
    h = await startConsole({ countdownSeconds: 4 });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
    alice = await newPlayer();
    bob = await newPlayer();
  });

  after(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await h?.close();
  });

  it('two players join one channel and boot a cartridge', async () => {
    await joinAs(alice, 'Alice');
    await joinAs(bob, 'Bob <b>not bold</b>');
    await alice.locator('#idle').waitFor({ state: 'visible' });
    await shot(alice, '01-idle');

    await alice.click('#new-button');
    await alice.locator('#menu-new li[data-cartridge="low-battery"]').waitFor();
    await shot(alice, '02-new-game-menu');
    await alice.click('#menu-new li[data-cartridge="low-battery"] button');
    await atTurn(alice, 0);
    await atTurn(bob, 0);
    assert.equal(await alice.locator('#game-name').textContent(), 'Low Battery');
    assert.equal(await bob.locator('#game-name').textContent(), 'Low Battery');
    // The title screen is served by the console and really loads.
    const img = alice.locator('#title-img');
    await img.waitFor({ state: 'visible' });
    assert.match((await img.getAttribute('src')) ?? '', /^\/title\/.+\.png$/);
    await alice.waitForFunction(() => {
      const el = document.getElementById('title-img') as HTMLImageElement | null;
      return el?.complete === true && el.naturalWidth === 640;
    });
    assert.deepEqual(await choices(alice), await choices(bob));
    assert.ok((await choices(alice)).length >= 2);
    await shot(alice, '03-opening-scene');
  });

  it('plays three turns; a changed choice (last press wins) is visible to the other player', async () => {
    for (let turn = 0; turn < 3; turn++) {
      const options = await choices(alice);
      const first = options[0] as string;
      const other = options[1] ?? first;
      // Every button carries the turn stamp.
      assert.deepEqual(
        await alice.locator('#choices .choice .stamp').allTextContents(),
        options.map(() => `T${turn}`),
      );
      await alice.locator('#choices .choice', { hasText: first }).click();
      await bob.locator('#status-badge', { hasText: 'COUNTDOWN' }).waitFor();
      if (turn === 0) {
        await bob.locator('#choices .choice', { hasText: other }).click();
        await alice.locator('#chosen li', { hasText: `→ ${other}` }).waitFor();
        // Bob changes his mind inside the window: his earlier press is replaced.
        await bob.locator('#choices .choice', { hasText: first }).click();
        const bobEntry = alice.locator('#chosen li', { hasText: 'Bob' });
        await bobEntry.filter({ hasText: `→ ${first}` }).waitFor();
        assert.equal(await alice.locator('#chosen li').count(), 2);
        // The untrusted name is text, never markup.
        assert.equal(
          await alice.locator('#chosen li b').nth(1).textContent(),
          'Bob <b>not bold</b>',
        );
        assert.equal(await alice.locator('#chosen li b b').count(), 0);
        await bob.locator('#choices .choice.picked', { hasText: first }).waitFor();
        assert.equal(await bob.locator('#choices .choice.picked').count(), 1);
        const width = await alice.locator('#countdown-fill').evaluate((el) => el.style.width);
        assert.match(width, /^\d+(\.\d)?%$/);
        await shot(alice, '04-countdown-alice');
      }
      await atTurn(alice, turn + 1);
      await atTurn(bob, turn + 1);
    }
    await shot(bob, '05-bob-after-three-turns');
    await alice.click('#history-button');
    await alice.locator('#history-list:not([aria-busy]) li', { hasText: 'Turn 2' }).waitFor();
    // The story so far: the opening scene, then each turn with the scene it led to.
    assert.equal(await alice.locator('#history-list:not([aria-busy]) li').count(), 4);
    await shot(alice, '06-history');
    await alice.click('#menu-history [data-close]');
  });

  let savedScene = '';
  let savedChoices: string[] = [];

  it('exits (saving), survives a page reload, and resumes the game by id', async () => {
    savedScene = (await alice.locator('#scene-text').textContent()) ?? '';
    savedChoices = await choices(alice);
    // Only the player who booted may exit: Bob is refused with a readable message.
    await bob.click('#exit-button');
    await bob.locator('#toast', { hasText: 'only the player who booted' }).waitFor();

    await alice.click('#exit-button');
    await alice.locator('#idle').waitFor({ state: 'visible' });
    await bob.locator('#idle').waitFor({ state: 'visible' });
    await alice.reload();
    await alice.locator('#link-state', { hasText: 'LINK' }).waitFor();
    await alice.locator('#idle').waitFor({ state: 'visible' });
    await alice.click('#games-button');
    const row = alice.locator('#games-list:not([aria-busy]) li', { hasText: 'Low Battery' });
    await row.waitFor();
    assert.match((await row.textContent()) ?? '', /turn 3 · saved/);
    const gameId = await row.getAttribute('data-game-id');
    assert.ok(gameId);
    await shot(alice, '07-saved-games');
    await row.locator('button', { hasText: 'Load' }).click();
    await atTurn(alice, 3);
    await atTurn(bob, 3);
    assert.equal(await alice.locator('#scene-text').textContent(), savedScene);
    assert.deepEqual(await choices(bob), savedChoices);
  });

  it('hot-swaps to another game and back, resuming exactly', async () => {
    await alice.click('#new-button');
    await alice.click('#menu-new li[data-cartridge="midnight-arcade"] button');
    await atTurn(bob, 0);
    assert.equal(await bob.locator('#game-name').textContent(), 'Midnight Arcade');
    await shot(bob, '08-swapped-midnight-arcade');

    await bob.click('#games-button');
    await bob.locator('#games-list:not([aria-busy]) li', { hasText: 'Low Battery' }).waitFor();
    await bob.click('#menu-games [data-close]');

    await alice.click('#games-button');
    const row = alice.locator('#games-list:not([aria-busy]) li', { hasText: 'Low Battery' });
    await row.locator('button', { hasText: 'Load' }).click();
    await atTurn(alice, 3);
    await atTurn(bob, 3);
    assert.equal(await bob.locator('#game-name').textContent(), 'Low Battery');
    assert.equal(await bob.locator('#scene-text').textContent(), savedScene);
    await alice.click('#games-button');
    await alice
      .locator('#games-list:not([aria-busy]) li', { hasText: 'Midnight Arcade' })
      .waitFor();
    assert.match(
      (await alice
        .locator('#games-list:not([aria-busy]) li', { hasText: 'Midnight Arcade' })
        .textContent()) ?? '',
      /saved/,
    );
    await shot(alice, '09-swapped-back');
    await alice.click('#menu-games [data-close]');
  });

  it('shows a failing narrator, streams the retried narration, and keeps the press', async () => {
    // An ink narrator whose next scene fails once (HTTP 500), then streams slowly on retry.
    let failNext = true;
    const narrators = (): Narrator => {
      const ink = new InkNarrator('midnight-arcade');
      return {
        open: (input) => ink.open(input),
        async next(input) {
          if (failNext) {
            failNext = false;
            throw new NarratorError('http', 'HTTP 500 from the model server');
          }
          input.onText?.('The lights flicker');
          await new Promise((r) => setTimeout(r, 1500));
          return ink.next(input);
        },
      };
    };
    const h2 = await startConsole({ countdownSeconds: 0.5, narrators });
    const cleo = await newPlayer();
    try {
      await cleo.goto(h2.web.url);
      await cleo.fill('#join-channel', 'failing-room');
      await cleo.fill('#join-name', 'Cleo');
      await cleo.click('#join-button');
      await cleo.click('#new-button');
      await cleo.click('#menu-new li[data-cartridge="midnight-arcade"] button');
      await atTurn(cleo, 0);
      const pressed = (await choices(cleo))[0] as string;
      await cleo.locator('#choices .choice', { hasText: pressed }).click();
      await cleo.locator('#failed').waitFor({ state: 'visible' });
      assert.match(
        (await cleo.locator('#failed-text').textContent()) ?? '',
        /HTTP 500.*no press was lost/,
      );
      assert.equal(await cleo.locator('#choices .choice').count(), 0);
      await shot(cleo, '10-narrator-failed');
      await cleo.click('#retry-button');
      await cleo.locator('#stream-text', { hasText: 'The lights flicker' }).waitFor();
      assert.match((await cleo.locator('#status-badge').textContent()) ?? '', /NARRATING/);
      await shot(cleo, '11-narrating');
      await atTurn(cleo, 1);
      await cleo.click('#history-button');
      const turn = cleo.locator('#history-list:not([aria-busy]) li', { hasText: 'Turn 1' });
      await turn.waitFor();
      assert.match((await turn.textContent()) ?? '', new RegExp(`Cleo: ${pressed}`));
    } finally {
      await cleo.close(); // before the server, so it logs no reconnection attempts
      await h2.close();
    }
  });

  it("'host decides': the booter picks among the choices made; the open history grows", async () => {
    const h3 = await startConsole({ countdownSeconds: 3, settings: { aggregation: 'host' } });
    const [dana, eli] = [await newPlayer(), await newPlayer()];
    try {
      for (const [page, name] of [
        [dana, 'Dana'],
        [eli, 'Eli'],
      ] as const) {
        await page.goto(h3.web.url);
        await page.fill('#join-channel', 'deciding-room');
        await page.fill('#join-name', name);
        await page.click('#join-button');
        await page.locator('#link-state', { hasText: 'LINK' }).waitFor();
      }
      await dana.click('#new-button');
      await dana.click('#menu-new li[data-cartridge="low-battery"] button');
      await atTurn(dana, 0);
      await atTurn(eli, 0);
      const [first, second] = await choices(dana);
      assert.ok(first && second);
      await dana.locator('#choices .choice', { hasText: first }).click();
      await eli.locator('#choices .choice', { hasText: second }).click();
      // History open (still empty) on Eli's page while the turn is resolved.
      await eli.click('#history-button');
      await eli.locator('#history-list:not([aria-busy]) li', { hasText: 'Nothing yet' }).waitFor();
      // The window closes: Dana (who booted) is asked; Eli waits for her.
      await dana.locator('#decision').waitFor({ state: 'visible' });
      assert.deepEqual(await dana.locator('#decision-choices .choice').allTextContents(), [
        first,
        second,
      ]);
      await eli.locator('#decision-text', { hasText: 'Waiting for Dana' }).waitFor();
      assert.match((await eli.locator('#status-badge').textContent()) ?? '', /HOST DECIDES/);
      assert.equal(await eli.locator('#decision-choices .choice').count(), 0);
      await shot(dana, '12-host-decides');
      await dana.locator('#decision-choices .choice', { hasText: second }).click();
      await atTurn(dana, 1);
      // The turn record arrived with the event: Eli's open history shows it without reopening.
      const record = eli.locator('#history-list:not([aria-busy]) li', { hasText: 'Turn 1' });
      await record.waitFor();
      assert.match((await record.textContent()) ?? '', new RegExp(`Eli: ${second}`));
      assert.equal(
        await eli.locator('#history-list:not([aria-busy]) li', { hasText: 'Nothing yet' }).count(),
        0,
      );
    } finally {
      // Closed before the server, so they do not log reconnection attempts.
      await dana.close();
      await eli.close();
      await h3.close();
    }
  });

  it('boots an LLM story from the page (OpenAI-compatible server) and plays a turn', async () => {
    const opening = {
      scene: 'Neon hums in the empty arcade. A cabinet flickers "INSERT COIN".',
      choices: ['Insert a coin', 'Unplug it'],
      summary: 'The arcade woke up.',
      ended: false,
    };
    const next = {
      scene: 'The screen lights up: PLAYER 1, READY?',
      choices: ['Press start', 'Walk away'],
      summary: 'A coin went in.',
      ended: false,
    };
    const llm = await startFakeOpenAI([
      reply(JSON.stringify(opening), { pieces: 10, delayMs: 30 }),
      reply(JSON.stringify(next), { pieces: 10, delayMs: 30 }),
    ]);
    const h4 = await startConsole({
      countdownSeconds: 1,
      llmEnabled: true,
      narrators: (spec) =>
        spec.kind === 'llm'
          ? new LlmNarrator({ baseURL: llm.baseURL, model: 'fake-model', timeoutMs: 10_000 })
          : new InkNarrator(spec.cartridge),
    });
    const fay = await newPlayer();
    try {
      await fay.goto(h4.web.url);
      await fay.fill('#join-channel', 'llm-room');
      await fay.fill('#join-name', 'Fay');
      await fay.click('#join-button');
      await fay.click('#new-button');
      await fay.locator('#llm-form').waitFor({ state: 'visible' });
      await fay.fill('#llm-premise', 'a haunted arcade at midnight');
      await fay.click('#llm-form button[type="submit"]');
      await atTurn(fay, 0);
      assert.equal(await fay.locator('#scene-text').textContent(), opening.scene);
      assert.deepEqual(await choices(fay), opening.choices);
      assert.equal(await fay.locator('#game-name').textContent(), 'a haunted arcade at midnight');
      // The premise reached the model as data, inside the prompt.
      assert.match(llm.requests[0]?.raw ?? '', /a haunted arcade at midnight/);
      // The booter sees what the game has spent.
      assert.ok(await fay.locator('#spend-badge').isVisible());
      assert.match((await fay.locator('#spend-badge').textContent()) ?? '', /^\d+ tokens$/);
      await shot(fay, '13-llm-story');
      await fay.locator('#choices .choice', { hasText: 'Insert a coin' }).click();
      await atTurn(fay, 1);
      assert.equal(await fay.locator('#scene-text').textContent(), next.scene);
      assert.match(llm.requests[1]?.raw ?? '', /Insert a coin/);
    } finally {
      await fay.close();
      await h4.close();
      await llm.close();
    }
  });

  it('logged no page errors or CSP violations', () => {
    assert.deepEqual(problems, []);
  });
});
