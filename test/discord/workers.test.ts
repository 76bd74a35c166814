// Two HTTP-interaction workers behind a "load balancer", sharing the channel through Redis
// (cluster GameHosts): each scene is posted once, and a worker that did not post it edits it
// once a press on it reaches that worker.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { REST } from 'discord.js';
import { gameTag } from '../../src/discord/custom-id.js';
import { InteractionHandler } from '../../src/discord/handler.js';
import { createInteractionServer, publicKeyFromHex } from '../../src/discord/http.js';
import { restMessenger } from '../../src/discord/messenger.js';
import { Presenter, scenePostClaim } from '../../src/discord/presenter.js';
import { sharedInteractionClaims } from '../../src/discord/replay-guard.js';
import type { GameHost } from '../../src/host/game-host.js';
import type { ChannelSettings, ChannelView } from '../../src/host/types.js';
import type { Narrator, TurnInput } from '../../src/narrator/port.js';
import { startClusterHost } from '../helpers/cluster-host.js';
import { FakeDiscord, type StoredMessage } from '../helpers/fake-discord.js';
import { type RedisNode, startRedis, stopAllRedis } from '../helpers/redis-server.js';
import { ScriptNarrator } from '../helpers/script-narrator.js';
import { button, CHANNEL, command, keyPair, PLAYERS, signed, type TestUser } from './_rig.js';
import { buttonsOf, embedOf } from './_scenario.js';

const [ANN, BEN, CID] = PLAYERS as [TestUser, TestUser, TestUser];
let node: RedisNode;
let fake: FakeDiscord;
const closers: Array<() => Promise<void>> = [];
// One application: every worker checks the same key.
const { publicKeyHex, privateKey } = keyPair();

before(async () => {
  node = await startRedis();
  fake = await new FakeDiscord().start();
});
after(async () => {
  for (const close of closers.reverse()) await close().catch(() => {});
  await fake.close();
  await stopAllRedis([node]);
});

async function worker(
  name: string,
  narrator: Narrator,
  ns: string,
  settings: Partial<ChannelSettings> = {},
) {
  const { host, store, close } = await startClusterHost({
    url: node.url,
    ns,
    name,
    narrator,
    settings,
  });
  const rest = new REST({ version: '10', api: fake.api, retries: 1 }).setToken('bot-token');
  const presenter = new Presenter({
    messenger: restMessenger(rest),
    subscribe: (c, l) => host.subscribe(c, l),
    claimPost: scenePostClaim(store),
    editIntervalMs: 100,
  });
  const handler = new InteractionHandler({
    host,
    presenter,
    cartridges: () => [{ id: 'script', title: 'Script Quest', description: '' }],
  });
  const server = createInteractionServer({
    publicKey: publicKeyFromHex(publicKeyHex),
    handler,
    rest,
    claimInteraction: sharedInteractionClaims(store),
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/interactions`;
  let stopped: Promise<void> | null = null;
  // As a stopping worker would: nothing more drawn, then the endpoint and the host closed.
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      presenter.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await close();
    })();
    return stopped;
  };
  closers.push(stop);
  return {
    host,
    presenter,
    stop,
    async send(payload: object): Promise<unknown> {
      const body = JSON.stringify(payload);
      const res = await this.post(body, signed(privateKey, body));
      assert.equal(res.status, 200);
      return res.json();
    },
    post: (body: string, headers: Record<string, string>) =>
      fetch(url, { method: 'POST', headers, body }),
    async settle() {
      await handler.idle();
      await presenter.settled();
    },
  };
}

/**
 * The message showing `view`'s scene (its game and turn), once a presenter posted it. A host's
 * view can be ahead of its presenter (in Redis mode the presenter hears of the scene through
 * pub/sub), so `settle()` alone does not mean the scene is posted; and earlier tests' games
 * posted in the same channel.
 */
async function sceneMessage(view: ChannelView): Promise<StoredMessage> {
  assert.ok(view.game);
  const stamp = `:${gameTag(view.game.gameId)}:${view.turn}:`;
  const end = Date.now() + 8000;
  for (;;) {
    const found = fake
      .channelMessages(CHANNEL)
      .findLast((m) =>
        buttonsOf(m).some((b) => b.custom_id.startsWith('gg1:p:') && b.custom_id.includes(stamp)),
      );
    if (found !== undefined) return found;
    assert.ok(Date.now() < end, `no message shows turn ${view.turn} of ${view.game.gameId}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function until(host: GameHost, pred: (v: ChannelView) => boolean): Promise<ChannelView> {
  const end = Date.now() + 8000;
  for (;;) {
    const v = await host.view(CHANNEL);
    if (pred(v)) return v;
    assert.ok(Date.now() < end, `timed out; last status ${v.status} turn ${v.turn}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('two workers on one channel: every scene posted once, both edit it', async () => {
  const narrator = new ScriptNarrator({ title: 'Script Quest' });
  const ns = `dw${process.pid}`;
  const a = await worker('A', narrator, ns);
  const b = await worker('B', narrator, ns);
  // Both workers follow the channel (each answered an interaction in it).
  await b.send(command(BEN, 'status'));
  await a.send(command(ANN, 'boot', { game: 'script' }));
  let view = await until(a.host, (v) => v.status === 'playing');
  await until(b.host, (v) => v.status === 'playing');
  await a.settle();
  await b.settle();
  const posted = () => fake.channelMessages(CHANNEL);
  let scene = await sceneMessage(view);
  assert.equal(posted().length, 1, 'the first scene is posted once');

  for (let turn = 0; turn < 2; turn++) {
    const [left, right] = buttonsOf(scene);
    assert.ok(left && right);
    // The balancer sends one press to each worker.
    await b.send(button(BEN, left.custom_id, scene.id));
    await a.send(button(CID, right.custom_id, scene.id));
    view = await until(a.host, (v) => v.status === 'playing' && v.turn === turn + 1);
    await until(b.host, (v) => v.status === 'playing' && v.turn === turn + 1);
    await a.settle();
    await b.settle();
    const next = await sceneMessage(view);
    assert.equal(posted().length, turn + 2, `scene ${turn + 1} is posted once`);
    // The closed scene's message ends with every button disabled, whoever edited it.
    const closed = scene;
    await until(a.host, () => buttonsOf(closed).every((x) => x.disabled));
    assert.ok(scene.edits >= 1);
    scene = next;
  }
  assert.equal(narrator.turns.length, 2);
});

test('a press replayed to another worker is refused there (409) and changes nothing', async () => {
  const narrator = new ScriptNarrator({ title: 'Script Quest' });
  const ns = `dr${process.pid}`;
  // A long window: it stays open while the presses and the replay arrive, however slow.
  const a = await worker('A', narrator, ns, { countdownSeconds: 60 });
  const b = await worker('B', narrator, ns, { countdownSeconds: 60 });
  await a.send(command(ANN, 'boot', { game: 'script' }));
  const scene = await sceneMessage(await until(a.host, (v) => v.status === 'playing'));
  await a.settle();
  const [left, right] = buttonsOf(scene);
  assert.ok(left && right);
  // Ben presses Left through A, then Right through B; the Left request is replayed to B.
  const first = JSON.stringify(button(BEN, left.custom_id, scene.id));
  const headers = signed(privateKey, first);
  assert.equal((await a.post(first, headers)).status, 200);
  await b.send(button(BEN, right.custom_id, scene.id));
  const replay = await b.post(first, headers);
  assert.equal(replay.status, 409);
  assert.deepEqual(await replay.json(), { error: 'interaction already received' });
  await a.settle();
  await b.settle();
  const view = await until(b.host, (v) => v.window !== null);
  assert.deepEqual(
    view.window?.chosen.map((c) => c.choice),
    [right.label],
    "Ben's last choice stands",
  );
});

/**
 * The first narration of a turn, on whichever worker, streams a few words and hangs (its worker
 * is about to stop); the next one streams a fresh telling and takes a while before the scene.
 */
function relay(script: ScriptNarrator, calls: string[], name: string, firstCalled: () => void) {
  const narrator: Narrator = {
    open: (input) => script.open(input),
    async next(input: TurnInput) {
      calls.push(name);
      if (calls.length === 1) {
        input.onText?.('Cut off mid-');
        firstCalled();
        return new Promise<never>((_, reject) => {
          input.signal?.addEventListener('abort', () => reject(new Error('aborted')), {
            once: true,
          });
        });
      }
      input.onText?.('A fresh telling. ');
      await new Promise((r) => setTimeout(r, 2500));
      return script.next(input);
    },
  };
  return narrator;
}

test('a worker stopping mid-narration: the other narrates afresh; its message shows only the new text', async () => {
  const script = new ScriptNarrator({ title: 'Script Quest' });
  const ns = `dt${process.pid}`;
  const calls: string[] = [];
  let firstCalled!: () => void;
  const cut = new Promise<void>((r) => {
    firstCalled = r;
  });
  const a = await worker(
    'A',
    relay(script, calls, 'A', () => firstCalled()),
    ns,
  );
  const b = await worker(
    'B',
    relay(script, calls, 'B', () => firstCalled()),
    ns,
  );
  const byName = { A: a, B: b };
  const heard = { A: '', B: '' };
  for (const [n, w] of Object.entries(byName))
    w.host.subscribe(CHANNEL, (e) => {
      if (e.type === 'text') heard[n as 'A' | 'B'] += e.delta;
    });
  // Both workers follow the channel.
  await b.send(command(BEN, 'status'));
  await a.send(command(ANN, 'boot', { game: 'script' }));
  const scene = await sceneMessage(await until(a.host, (v) => v.status === 'playing'));
  await a.settle();
  await b.settle();
  const [left] = buttonsOf(scene);
  assert.ok(left);
  await b.send(button(BEN, left.custom_id, scene.id));
  await cut;
  const holderName = calls[0] as 'A' | 'B';
  const otherName = holderName === 'A' ? 'B' : 'A';
  // The narrating worker stops once the other one has its text (its players see it streaming),
  // before its own "writing" message is due.
  while (!heard[otherName].includes('Cut off')) await new Promise((r) => setTimeout(r, 5));
  await byName[holderName].stop();
  const other = byName[otherName];
  const end = Date.now() + 15_000;
  let shown = '';
  while (shown === '') {
    for (const m of fake.channelMessages(CHANNEL)) {
      const text = embedOf(m).description ?? '';
      if (text.includes('A fresh telling')) shown = text;
    }
    assert.ok(Date.now() < end, 'the new narration was shown');
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.doesNotMatch(shown, /Cut off/, 'the cut-off attempt is not run into the new one');
  await until(other.host, (x) => x.status === 'playing' && x.turn === 1);
  await other.settle();
  assert.deepEqual(calls, [holderName, otherName]);
});
