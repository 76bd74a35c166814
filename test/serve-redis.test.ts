// Two `gamegirl serve` processes on one Redis, WebSocket players spread over both (as behind a
// load balancer): every player receives every turn event and the streamed text of every scene,
// whichever process narrated it; no press is lost and no turn is doubled or skipped.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Responder, reply, startFakeOpenAI } from './helpers/fake-openai.js';
import { type RedisNode, startRedis, stopAllRedis } from './helpers/redis-server.js';
import { type Served, startServe } from './helpers/serve.js';
import { TestClient } from './web/harness.js';

type Msg = TestClient['messages'][number];
const CHANNELS = 3;
const PLAYERS = 4;
const TURNS = 2;

const turnEvents = (c: TestClient, n: number): Msg[] =>
  c.messages.filter((m) => m.type === 'turn' && (m.record as { turn: number }).turn === n);
const sceneOf = (m: Msg) => (m.view as { scene: { text: string } | null }).scene?.text ?? '';
const playingAt = (turn: number) => (m: Msg) =>
  m.type === 'view' &&
  (m.view as { status: string; turn: number }).status === 'playing' &&
  (m.view as { turn: number }).turn === turn;

describe('two serve processes on one Redis', { timeout: 240_000 }, () => {
  let node: RedisNode;
  before(async () => {
    node = await startRedis();
  });
  after(async () => {
    await stopAllRedis([node]);
  });

  it('every player on either process sees every turn and every streamed scene', async () => {
    let scenes = 0;
    // Every scene is streamed in pieces, so players see 'text' before the scene arrives.
    const scene: Responder = (req, res) => {
      const n = ++scenes;
      const text = `Scene number ${n} unfolds, slowly, for everyone at the table.`;
      const json = JSON.stringify({ scene: text, choices: ['Left', 'Right'], summary: text });
      return reply(json, { pieces: 6, delayMs: 30 })(req, res);
    };
    const llm = await startFakeOpenAI([scene]);
    const env = {
      REDIS_URL: node.url,
      GAMEGIRL_LLM_BASE_URL: llm.baseURL,
      GAMEGIRL_LLM_MODEL: 'fake-model',
      // Every player presses in every window: they must all land in it, not close it early.
      GAMEGIRL_CLOSE_WHEN_ALL_CHOSEN: 'no',
    };
    const servers: Served[] = [];
    const clients: TestClient[] = [];
    try {
      servers.push(await startServe(['--countdown', '1'], env));
      servers.push(await startServe(['--countdown', '1'], env));
      const tables: TestClient[][] = [];
      for (let ch = 0; ch < CHANNELS; ch++) {
        const table: TestClient[] = [];
        for (let p = 0; p < PLAYERS; p++) {
          const served = servers[(ch + p) % 2] as Served; // spread over both processes
          const c = await TestClient.open(served.wsUrl);
          const r = await c.reply(c.send({ type: 'join', channelId: `den-${ch}`, name: `p${p}` }));
          assert.equal(r.type, 'ok');
          table.push(c);
          clients.push(c);
        }
        tables.push(table);
      }
      await Promise.all(
        tables.map(async (table) => {
          const booter = table[0] as TestClient;
          const boot = booter.send({ type: 'boot', spec: { kind: 'llm', premise: 'a diner' } });
          assert.equal((await booter.reply(boot, 30_000)).type, 'ok');
          await Promise.all(table.map((c) => c.waitFor(playingAt(0), 30_000)));
        }),
      );
      for (let turn = 0; turn < TURNS; turn++) {
        await Promise.all(
          tables.map(async (table) => {
            for (const [p, c] of table.entries()) {
              const choice = p % 2 === 0 ? 'Left' : 'Right';
              assert.equal((await c.reply(c.send({ type: 'press', turn, choice }))).type, 'ok');
            }
            // p1 changes their mind: their later press replaces the earlier one.
            const p1 = table[1] as TestClient;
            assert.equal(
              (await p1.reply(p1.send({ type: 'press', turn, choice: 'Left' }))).type,
              'ok',
            );
            await Promise.all(table.map((c) => c.waitFor(playingAt(turn + 1), 30_000)));
          }),
        );
      }
      for (const table of tables) {
        for (const c of table) {
          for (let t = 1; t <= TURNS; t++) {
            const events = turnEvents(c, t);
            assert.equal(events.length, 1, `one turn ${t} event for every player`);
            const choices = (
              (events[0] as Msg).record as { choices: Array<{ name: string; choice: string }> }
            ).choices.map((x) => `${x.name}=${x.choice}`);
            assert.deepEqual(choices.sort(), ['p0=Left', 'p1=Left', 'p2=Left', 'p3=Right']);
          }
          // The streamed text of every scene this player saw reached them, on either process.
          const streamed = c.messages
            .filter((m) => m.type === 'text')
            .map((m) => m.delta as string)
            .join('');
          for (let t = 0; t <= TURNS; t++) {
            const shown = sceneOf(c.messages.find(playingAt(t)) as Msg);
            assert.ok(shown !== '' && streamed.includes(shown), `scene ${t} was streamed`);
          }
        }
      }
      // One narration per scene: the boot and every turn of every channel, none twice.
      assert.equal(scenes, CHANNELS * (TURNS + 1));
      // The story so far reads the same through either process: every scene as it was shown.
      const table = tables[0] as TestClient[];
      const shownScenes = Array.from({ length: TURNS + 1 }, (_, t) =>
        sceneOf((table[0] as TestClient).messages.find(playingAt(t)) as Msg),
      );
      const pages = await Promise.all(
        table.slice(0, 2).map(async (c) => {
          const id = c.send({ type: 'story' });
          const m = await c.waitFor((x) => x.type === 'story' && x.id === id);
          return m.page as {
            opening: { text: string } | null;
            turns: Array<{ turn: number; scene: { text: string } | null }>;
          };
        }),
      );
      for (const page of pages) {
        assert.deepEqual(
          [page.opening?.text, ...page.turns.map((t) => t.scene?.text)],
          shownScenes,
        );
      }
      // A newcomer joining through the other process gets "previously on…", to them only.
      const late = await TestClient.open((servers[1] as Served).wsUrl);
      clients.push(late);
      const joined = late.send({ type: 'join', channelId: 'den-0', name: 'late' });
      assert.equal((await late.reply(joined)).type, 'ok');
      const recap = (await late.waitFor((m) => m.type === 'recap')).recap as {
        last: unknown;
        missed: Array<{ scene: { text: string } | null }>;
        missedCount: number;
      };
      assert.equal(recap.last, null);
      assert.equal(recap.missedCount, TURNS);
      assert.deepEqual(
        recap.missed.map((t) => t.scene?.text),
        shownScenes.slice(1),
      );
      assert.equal(
        table.some((c) => c.messages.some((m) => m.type === 'recap')),
        false,
        'nobody else was sent a recap',
      );
    } finally {
      await Promise.all(clients.map((c) => c.close()));
      await Promise.all(servers.map((s) => s.stop()));
      await llm.close();
    }
  });

  it('Redis stalled (SIGSTOP) past the command timeout: the press "may have been recorded", then every page is shown it', async () => {
    const served = await startServe(['--countdown', '2'], { REDIS_URL: node.url });
    const clients: TestClient[] = [];
    let stopped = false;
    try {
      for (const name of ['Ann', 'Ben']) {
        const c = await TestClient.open(served.wsUrl);
        assert.equal(
          (await c.reply(c.send({ type: 'join', channelId: 'stall', name }))).type,
          'ok',
        );
        clients.push(c);
      }
      const [ann, ben] = clients as [TestClient, TestClient];
      const boot = ann.send({ type: 'boot', spec: { kind: 'ink', cartridge: 'robot-diner' } });
      assert.equal((await ann.reply(boot, 30_000)).type, 'ok');
      const playing = (await ann.waitFor(playingAt(0), 30_000)).view as {
        scene: { choices: string[] };
      };
      const choice = playing.scene.choices[0] as string;

      node.signal('SIGSTOP');
      stopped = true;
      const from = ben.messages.length;
      const refused = await ann.reply(ann.send({ type: 'press', turn: 0, choice }), 30_000);
      assert.equal(refused.type, 'error');
      assert.equal(refused.code, 'STORE_UNCERTAIN');
      assert.match(String(refused.message), /may have been recorded/);
      node.signal('SIGCONT');
      stopped = false;
      // Nobody presses again: both pages are shown the window Redis opened when it resumed.
      const counting = (m: Msg) =>
        m.type === 'view' &&
        (m.view as { status: string }).status === 'counting' &&
        (m.view as { window: { chosen: unknown[] } }).window.chosen.length === 1;
      await Promise.all([ann, ben].map((c) => c.waitFor(counting, 30_000, from)));
      const turn = await ben.waitFor((m) => m.type === 'turn', 30_000, from);
      const chosen = (turn.record as { choices: Array<{ name: string; choice: string }> }).choices;
      assert.deepEqual(
        chosen.map((x) => `${x.name}=${x.choice}`),
        [`Ann=${choice}`],
      );
    } finally {
      if (stopped) node.signal('SIGCONT');
      await Promise.all(clients.map((c) => c.close()));
      await served.stop();
    }
  });
});
