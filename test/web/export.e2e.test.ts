// The story as a download from the page, in a real Chromium: two players of a private channel
// play a turn, open History and download the Markdown transcript and the JSON archive (players
// by handle, never by user id). Over plain HTTP: who may download (session cookie, join code).
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { parseArchive } from '../../src/core/archive.js';
import { type Harness, startConsole, TestClient } from './harness.js';

const CHROMIUM = '/usr/bin/chromium';
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const skip = existsSync(CHROMIUM) ? false : `no Chromium at ${CHROMIUM}`;

describe('export from the web console', { skip, timeout: 120_000 }, () => {
  let h: Harness;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  async function player(name: string): Promise<Page> {
    // bypassCSP: axe-core is injected as an inline script (the console's CSP allows none).
    const context = await browser.newContext({ acceptDownloads: true, bypassCSP: true });
    contexts.push(context);
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    await page.goto(h.web.inviteLink('den'));
    await page.fill('#join-name', name);
    await page.click('#join-button');
    await page.locator('#idle').waitFor({ state: 'visible' });
    return page;
  }

  async function download(page: Page, link: string): Promise<{ name: string; text: string }> {
    const [file] = await Promise.all([page.waitForEvent('download'), page.click(link)]);
    const path = await file.path();
    return { name: file.suggestedFilename(), text: readFileSync(path, 'utf8') };
  }

  /** axe-core in the page: violations of serious or critical impact, as readable lines. */
  async function axe(page: Page): Promise<string[]> {
    await page.addScriptTag({ path: AXE });
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
    h = await startConsole({
      countdownSeconds: 30,
      settings: { closeWhenAllChosen: true },
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
  });

  it('downloads the Markdown transcript and the JSON archive of the channel’s game', async () => {
    const alice = await player('Alice');
    const bob = await player('Bob');
    await alice.click('#new-button');
    await alice.click('#menu-new li[data-cartridge="low-battery"] button');
    await bob.locator('#status-badge', { hasText: 'T0 · YOUR MOVE' }).waitFor();
    await alice.locator('#choices .choice').first().click();
    await bob.locator('#choices .choice').nth(1).click();
    await alice.locator('#status-badge', { hasText: 'T1 · YOUR MOVE' }).waitFor();

    await bob.click('#history-button');
    await bob.locator('#export-markdown').waitFor({ state: 'visible' });
    assert.deepEqual(await axe(bob), [], 'no serious or critical axe-core violation');
    const md = await download(bob, '#export-markdown');
    assert.equal(md.name, 'low-battery.md');
    assert.match(md.text, /^# Low Battery/m);
    assert.match(md.text, /- Players: Alice \(from turn 0\), Bob \(from turn 0\)/);
    assert.match(md.text, /^## Turn 1 · /m);
    assert.match(md.text, /^- \*\*Alice\*\* chose “/m);
    assert.match(md.text, /^- \*\*Bob\*\* chose “/m);
    assert.match(md.text, /^> /m, 'the reveal sentence');
    assert.doesNotMatch(md.text, /web:/);

    const json = await download(bob, '#export-json');
    assert.equal(json.name, 'low-battery.json');
    assert.doesNotMatch(json.text, /web:/, 'no user id on the web wire');
    const archive = parseArchive(JSON.parse(json.text));
    assert.deepEqual(
      Object.values(archive.game.players).map((p) => p.user_name),
      ['Alice', 'Bob'],
    );
    assert.equal(archive.turns.length, 1);
    // Players are named by the handles the page knows them by.
    const handles = Object.keys(archive.game.players);
    assert.ok(
      handles.every((id) => /^[A-Za-z0-9_-]{12}$/.test(id)),
      handles.join(),
    );
    assert.deepEqual(Object.keys(archive.turns[0]?.choices ?? {}).sort(), [...handles].sort());
  });

  it('is refused without a session, without the join code, where no game runs, and past ten a minute', async () => {
    const url = (q: string) => `${h.web.url}export?${q}`;
    assert.equal((await fetch(url('channel=den'))).status, 401);
    const cookie = await TestClient.sessionCookie(h.web.url);
    const get = (q: string) => fetch(url(q), { headers: { cookie } });
    assert.equal((await get('channel=den&format=markdown')).status, 403);
    const invite = new URL(h.web.inviteLink('den').replace('#den?', '?'));
    const code = invite.searchParams.get('code') ?? '';
    const ok = await get(`channel=den&format=markdown&code=${code}`);
    assert.equal(ok.status, 200);
    assert.match(ok.headers.get('content-disposition') ?? '', /^attachment; filename="/);
    assert.equal((await get(`channel=den&format=pdf&code=${code}`)).status, 400);
    const attic = new URL(h.web.inviteLink('attic').replace('#attic?', '?'));
    const atticCode = attic.searchParams.get('code') ?? '';
    assert.equal((await get(`channel=attic&code=${atticCode}`)).status, 404);
    // Ten downloads a minute per player: two so far, eight more, then 429.
    for (let i = 0; i < 8; i++) {
      const r = await get(`channel=den&format=json&code=${code}`);
      assert.equal(r.status, 200);
      await r.arrayBuffer();
    }
    const limited = await get(`channel=den&format=json&code=${code}`);
    assert.equal(limited.status, 429);
    assert.ok(Number(limited.headers.get('retry-after')) >= 1);
  });
});
