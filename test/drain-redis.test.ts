// Graceful drain in Redis mode, with real signals: two `gamegirl serve --redis-url` processes on
// one redis-server, players on both. SIGTERM to the process narrating a turn (its narration
// streaming, and outlasting the drain bound) or to one of them during a countdown loses nothing:
// the other process plays the turn with every press, once, and the drained process's players are
// told it is restarting (close code 1012).

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Responder, reply, stall, startFakeOpenAI } from './helpers/fake-openai.js';
import { type RedisNode, startRedis, stopAllRedis } from './helpers/redis-server.js';
import { type Served, startServe } from './helpers/serve.js';
import { TestClient } from './web/harness.js';

type Msg = TestClient['messages'][number];
const turnEvents = (c: TestClient, n: number): Msg[] =>
  c.messages.filter((m) => m.type === 'turn' && (m.record as { turn: number }).turn === n);
const playing = (turn: number) => (m: Msg) =>
  m.type === 'view' &&
  (m.view as { status: string; turn: number }).status === 'playing' &&
  (m.view as { turn: number }).turn === turn;
/** A turn event's choices as sorted `name=choice` strings (the page never sees user ids). */
const choicesOf = (m: Msg): string[] =>
  (m.record as { choices: Array<{ name: string; choice: string }> }).choices
    .map((c) => `${c.name}=${c.choice}`)
    .sort();
const scene = (text: string) =>
  JSON.stringify({ scene: text, choices: ['Left', 'Right'], summary: text, ended: false });

/** The streamed text as the page keeps it: appended, restarted by a `first` piece. */
function streamed(c: TestClient, from: number): string {
  let text = '';
  for (const m of c.messages.slice(from)) {
    if (m.type !== 'text') continue;
    text = (m.first === true ? '' : text) + (m.delta as string);
  }
  return text;
}

/** Players at one table, each on the process given, joined to `channelId`. */
async function seat(
  channelId: string,
  players: Array<[name: string, served: Served]>,
): Promise<TestClient[]> {
  const out: TestClient[] = [];
  for (const [name, served] of players) {
    const c = await TestClient.open(served.wsUrl);
    assert.equal((await c.reply(c.send({ type: 'join', channelId, name }))).type, 'ok');
    out.push(c);
  }
  return out;
}

async function press(c: TestClient, turn: number, choice: string): Promise<void> {
  const r = await c.reply(c.send({ type: 'press', turn, choice }));
  assert.equal(r.type, 'ok', JSON.stringify(r));
}

describe('graceful drain on SIGTERM (two processes, Redis)', { timeout: 240_000 }, () => {
  let node: RedisNode;
  before(async () => {
    node = await startRedis();
  });
  after(async () => {
    await stopAllRedis([node]);
  });

  it('SIGTERM to the process narrating: the other one plays the turn with every press', async () => {
    // Scene 0 at once; the first narration of turn 1 streams a little and then hangs (longer
    // than the drain bound); any later request answers at once.
    const responders: Responder[] = [
      reply(scene('The arcade wakes.')),
      stall('{"scene": "The lights flicker, and'),
      reply(scene('The other cabinet finishes the tale.')),
    ];
    const llm = await startFakeOpenAI(responders);
    const env = (key: string) => ({
      REDIS_URL: node.url,
      GAMEGIRL_LLM_BASE_URL: llm.baseURL,
      GAMEGIRL_LLM_MODEL: 'fake-model',
      // Tells the fake LLM which process is asking.
      GAMEGIRL_LLM_API_KEY: key,
      // Every press must land in the window: no early close when all chose.
      GAMEGIRL_CLOSE_WHEN_ALL_CHOSEN: 'no',
    });
    const args = ['--countdown', '2', '--shutdown-seconds', '4'];
    const a = await startServe(args, env('key-a'));
    const b = await startServe(args, env('key-b'));
    const byKey: Record<string, Served> = { 'Bearer key-a': a, 'Bearer key-b': b };
    const clients: TestClient[] = [];
    try {
      const [ann, bob, cy, dee] = await seat('relay', [
        ['ann', a],
        ['bob', b],
        ['cy', a],
        ['dee', b],
      ]);
      clients.push(ann as TestClient, bob as TestClient, cy as TestClient, dee as TestClient);
      const boot = (ann as TestClient).send({ type: 'boot', spec: { kind: 'llm', premise: 'x' } });
      assert.equal((await (ann as TestClient).reply(boot, 30_000)).type, 'ok');
      await Promise.all(clients.map((c) => c.waitFor(playing(0), 30_000)));
      const from = clients.map((c) => c.messages.length);
      await press(ann as TestClient, 0, 'Left');
      await press(bob as TestClient, 0, 'Right');
      await press(cy as TestClient, 0, 'Left');
      await press(dee as TestClient, 0, 'Left');
      await press(cy as TestClient, 0, 'Right'); // cy changes their mind
      // The narration of turn 1 streams to every player, whichever process runs it.
      await Promise.all(
        clients.map((c, i) => c.waitFor((m) => m.type === 'text', 30_000, from[i])),
      );
      const asking = llm.requests[1]?.headers.authorization ?? '';
      const holder = byKey[asking];
      assert.ok(holder, `the narrating process is known (${asking})`);
      const survivor = holder === a ? b : a;
      const [drained, kept] =
        holder === a
          ? [
              [ann, cy],
              [bob, dee],
            ]
          : [
              [bob, dee],
              [ann, cy],
            ];

      holder.child.kill('SIGTERM');
      assert.equal(await holder.exited, 0, 'the drained process exits cleanly within the bound');
      for (const c of drained as TestClient[])
        assert.equal(c.closeCode, 1012, 'its players are told it restarts');

      for (const c of kept as TestClient[]) {
        await c.waitFor(playing(1), 30_000);
        const turns = turnEvents(c, 1);
        assert.equal(turns.length, 1, 'turn 1 is played once');
        // What the page shows while narrating: the cut-off attempt's text is dropped when the
        // survivor's attempt starts, not run together with it.
        assert.equal(
          streamed(c, from[clients.indexOf(c)] ?? 0),
          'The other cabinet finishes the tale.',
        );
        assert.deepEqual(choicesOf(turns[0] as Msg), [
          'ann=Left',
          'bob=Right',
          'cy=Right',
          'dee=Left',
        ]);
      }
      assert.equal(llm.requests.length, 3, 'narrated again once, by the survivor');
      assert.equal(
        llm.requests[2]?.headers.authorization,
        asking === 'Bearer key-a' ? 'Bearer key-b' : 'Bearer key-a',
      );
      assert.equal(await survivor.stop(), 0);
    } finally {
      await Promise.all(clients.map((c) => c.close()));
      await Promise.all([a.stop('SIGKILL'), b.stop('SIGKILL')]);
      await llm.close();
    }
  });

  it('SIGTERM to the process narrating, within the bound: it finishes the scene, then 1012', async () => {
    // The narration of turn 1 streams for about 3 s, well within the drain bound (20 s).
    const llm = await startFakeOpenAI([
      reply(scene('The arcade wakes.')),
      reply(scene('A slow scene, told piece by piece, to the very end.'), {
        pieces: 12,
        delayMs: 250,
      }),
      reply(scene('Never asked for.')),
    ]);
    const env = (key: string) => ({
      REDIS_URL: node.url,
      GAMEGIRL_LLM_BASE_URL: llm.baseURL,
      GAMEGIRL_LLM_MODEL: 'fake-model',
      GAMEGIRL_LLM_API_KEY: key,
      GAMEGIRL_CLOSE_WHEN_ALL_CHOSEN: 'no', // every press lands in the window
    });
    const a = await startServe(['--countdown', '2'], env('key-a'));
    const b = await startServe(['--countdown', '2'], env('key-b'));
    const clients: TestClient[] = [];
    try {
      clients.push(
        ...(await seat('finish', [
          ['ann', a],
          ['bob', b],
        ])),
      );
      const [ann, bob] = clients as [TestClient, TestClient];
      const boot = ann.send({ type: 'boot', spec: { kind: 'llm', premise: 'x' } });
      assert.equal((await ann.reply(boot, 30_000)).type, 'ok');
      await Promise.all(clients.map((c) => c.waitFor(playing(0), 30_000)));
      const from = clients.map((c) => c.messages.length);
      await press(ann, 0, 'Left');
      await press(bob, 0, 'Right');
      await Promise.all(
        clients.map((c, i) => c.waitFor((m) => m.type === 'text', 30_000, from[i])),
      );
      const holder = llm.requests[1]?.headers.authorization === 'Bearer key-a' ? a : b;
      const drained = holder === a ? ann : bob;
      holder.child.kill('SIGTERM');
      assert.equal(await holder.exited, 0);
      // The drained process's player saw the scene before hearing it restarts; the other
      // process's player sees it too (through Redis).
      await (drained === ann ? bob : ann).waitFor(playing(1), 30_000);
      for (const c of [drained, drained === ann ? bob : ann]) {
        const turns = turnEvents(c, 1);
        assert.equal(
          turns.length,
          1,
          `turn 1 is played once (${c === drained ? 'drained' : 'other'})`,
        );
        assert.deepEqual(choicesOf(turns[0] as Msg), ['ann=Left', 'bob=Right']);
      }
      assert.ok(drained.messages.some(playing(1)), 'the scene reached the drained player');
      assert.equal(drained.closeCode, 1012);
      assert.equal(llm.requests.length, 2, 'not narrated twice');
      assert.equal(await (holder === a ? b : a).stop(), 0);
    } finally {
      await Promise.all(clients.map((c) => c.close()));
      await Promise.all([a.stop('SIGKILL'), b.stop('SIGKILL')]);
      await llm.close();
    }
  });

  it('SIGTERM to one process during a countdown: the other plays the turn with every press', async () => {
    // The window must still be open when the signal comes.
    const env = { REDIS_URL: node.url, GAMEGIRL_CLOSE_WHEN_ALL_CHOSEN: 'no' };
    const args = ['--countdown', '8'];
    const a = await startServe(args, env);
    const b = await startServe(args, env);
    const clients: TestClient[] = [];
    try {
      const [ann, bob, cy] = await seat('countdown', [
        ['ann', a],
        ['bob', b],
        ['cy', a],
      ]);
      clients.push(ann as TestClient, bob as TestClient, cy as TestClient);
      const boot = (ann as TestClient).send({
        type: 'boot',
        spec: { kind: 'ink', cartridge: 'midnight-arcade' },
      });
      assert.equal((await (ann as TestClient).reply(boot, 30_000)).type, 'ok');
      const view = await (bob as TestClient).waitFor(playing(0), 30_000);
      const [first, second] = (view.view as { scene: { choices: string[] } }).scene.choices;
      assert.ok(first && second);
      await press(ann as TestClient, 0, first);
      await press(bob as TestClient, 0, second);
      await press(cy as TestClient, 0, second);
      await press(ann as TestClient, 0, second); // ann changes her mind, through a
      // a stops while the window is still open (8 s): its players' presses are in Redis.
      assert.equal(await a.stop(), 0);
      assert.equal(turnEvents(ann as TestClient, 1).length, 0, 'a stopped during the countdown');
      assert.equal((ann as TestClient).closeCode, 1012);
      assert.equal((cy as TestClient).closeCode, 1012);
      await (bob as TestClient).waitFor(playing(1), 30_000);
      const turns = turnEvents(bob as TestClient, 1);
      assert.equal(turns.length, 1);
      assert.deepEqual(choicesOf(turns[0] as Msg), [
        `ann=${second}`,
        `bob=${second}`,
        `cy=${second}`,
      ]);
      assert.equal(await b.stop(), 0);
    } finally {
      await Promise.all(clients.map((c) => c.close()));
      await Promise.all([a.stop('SIGKILL'), b.stop('SIGKILL')]);
    }
  });
});
