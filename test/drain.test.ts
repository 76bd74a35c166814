// Graceful drain, with real signals to `gamegirl serve` child processes: SIGTERM during a
// streaming narration lets it finish (the players get the scene, then close code 1012), and
// SIGTERM during a countdown keeps the window's choices: the turn is played on the next start.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { reply, startFakeOpenAI } from './helpers/fake-openai.js';
import { startServe } from './helpers/serve.js';
import { TestClient } from './web/harness.js';

type Msg = TestClient['messages'][number];
const isTurn = (n: number) => (m: Msg) =>
  m.type === 'turn' && (m.record as { turn: number }).turn === n;
const playing = (turn: number) => (m: Msg) =>
  m.type === 'view' &&
  (m.view as { status: string; turn: number }).status === 'playing' &&
  (m.view as { turn: number }).turn === turn;

async function joined(wsUrl: string, channelId: string, name: string): Promise<TestClient> {
  const c = await TestClient.open(wsUrl);
  const r = await c.reply(c.send({ type: 'join', channelId, name }));
  assert.equal(r.type, 'ok');
  return c;
}

/** A turn event's choices as [player's name, choice] pairs (the page never sees user ids). */
const choicesOf = (m: Msg) =>
  (m.record as { choices: Array<{ name: string; choice: string }> }).choices.map((c) => [
    c.name,
    c.choice,
  ]);

const scene = (text: string) =>
  JSON.stringify({ scene: text, choices: ['Left', 'Right'], summary: text, ended: false });

describe('graceful drain on SIGTERM (one process, SQLite)', { timeout: 180_000 }, () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'gg-drain-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('a narration streaming when SIGTERM arrives finishes; players then hear 1012', async () => {
    // The second scene streams in 20 pieces over ~4 s.
    const llm = await startFakeOpenAI([
      reply(scene('The arcade wakes.')),
      reply(scene('A long scene, told slowly, piece by piece, to the very end.'), {
        pieces: 20,
        delayMs: 200,
      }),
    ]);
    const served = await startServe(['--countdown', '1'], {
      GAMEGIRL_DATA_DIR: join(dir, 'stream'),
      GAMEGIRL_LLM_BASE_URL: llm.baseURL,
      GAMEGIRL_LLM_MODEL: 'fake-model',
    });
    try {
      const ann = await joined(served.wsUrl, 'drain-den', 'ann');
      const boot = ann.send({ type: 'boot', spec: { kind: 'llm', premise: 'an arcade' } });
      assert.equal((await ann.reply(boot, 20_000)).type, 'ok');
      await ann.waitFor(playing(0), 20_000);
      assert.equal(
        (await ann.reply(ann.send({ type: 'press', turn: 0, choice: 'Left' }))).type,
        'ok',
      );
      const from = ann.messages.length;
      await ann.waitFor((m) => m.type === 'text', 20_000, from);
      served.child.kill('SIGTERM');
      const turn = await ann.waitFor(isTurn(1), 20_000, from);
      assert.deepEqual(choicesOf(turn), [['ann', 'Left']]);
      assert.equal(await served.exited, 0);
      assert.equal(ann.closeCode, 1012, 'told the server is restarting');
    } finally {
      await served.stop('SIGKILL');
      await llm.close();
    }
  });

  it('SIGTERM during a countdown keeps the choices; the turn is played after the restart', async () => {
    const data = join(dir, 'countdown');
    // The window must still be open when the signal comes: no early close for Ann's press.
    const full = { GAMEGIRL_DATA_DIR: data, GAMEGIRL_CLOSE_WHEN_ALL_CHOSEN: 'no' };
    const first = await startServe(['--countdown', '8'], full);
    let choice = '';
    try {
      const ann = await joined(first.wsUrl, 'drain-den', 'ann');
      const boot = ann.send({ type: 'boot', spec: { kind: 'ink', cartridge: 'midnight-arcade' } });
      assert.equal((await ann.reply(boot, 20_000)).type, 'ok');
      const view = await ann.waitFor(playing(0), 20_000);
      choice = (view.view as { scene: { choices: string[] } }).scene.choices[0] as string;
      assert.equal((await ann.reply(ann.send({ type: 'press', turn: 0, choice }))).type, 'ok');
      assert.equal(await first.stop(), 0);
      assert.equal(ann.closeCode, 1012);
    } finally {
      await first.stop('SIGKILL');
    }
    const second = await startServe(['--countdown', '8'], full);
    try {
      const ann = await joined(second.wsUrl, 'drain-den', 'ann');
      // The window (8 s) outlived the first process; it closes here and its turn is played.
      const turn = await ann.waitFor(isTurn(1), 30_000);
      assert.deepEqual(choicesOf(turn), [['ann', choice]], 'the press survived');
    } finally {
      assert.equal(await second.stop(), 0);
    }
  });
});
