// Redis mode: a process hears a game channel's events only while it holds the channel or has
// listeners on it (the channel's own pub/sub topic), and a copy nobody follows here is read
// again when next used rather than at every change another process makes.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createClient } from 'redis';
import type { SessionDict } from '../../src/core/session-state.js';
import type { SessionStore } from '../../src/core/store-port.js';
import type { RedisStore } from '../../src/redis/store.js';
import { startClusterHost } from '../helpers/cluster-host.js';
import { type RedisNode, startRedis, stopAllRedis } from '../helpers/redis-server.js';
import { ScriptNarrator } from '../helpers/script-narrator.js';
import { ALICE, BOB, CH, SCRIPT, waitForView } from './_harness.js';

let node: RedisNode;
let admin: ReturnType<typeof createClient>;
const closers: Array<() => Promise<void>> = [];

before(async () => {
  node = await startRedis();
  admin = createClient({ url: node.url });
  await admin.connect();
});
after(async () => {
  for (const close of closers) await close().catch(() => {});
  await admin.close();
  await stopAllRedis([node]);
});

/** How many connections Redis has subscribed to `topic`. */
async function subscribers(topic: string): Promise<number> {
  const reply = (await admin.sendCommand(['PUBSUB', 'NUMSUB', topic])) as [string, number];
  return Number(reply[1]);
}

/** Waits (≤ 3 s) until `topic` has `n` subscribers; returns the last count seen. */
async function untilSubscribers(topic: string, n: number): Promise<number> {
  let seen = await subscribers(topic);
  for (let i = 0; i < 150 && seen !== n; i++) {
    await new Promise((r) => setTimeout(r, 20));
    seen = await subscribers(topic);
  }
  return seen;
}

/** This process' store, counting its reads of a channel. */
function countingReads(store: RedisStore): { store: SessionStore; reads: () => number } {
  let reads = 0;
  const loadChannel = (channelId: string): Promise<SessionDict | null> => {
    reads++;
    return store.loadChannel(channelId);
  };
  const wrapped = new Proxy(store, {
    get(target, key) {
      if (key === 'loadChannel') return loadChannel;
      const v: unknown = Reflect.get(target, key, target);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
  return { store: wrapped, reads: () => reads };
}

test('a process subscribes to a channel while it holds it or listens to it, and lets go after', async () => {
  const ns = `t${process.pid}a`;
  const topic = (channelId: string) => `${ns}:events:${channelId}`;
  const narrator = new ScriptNarrator();
  const a = await startClusterHost({ url: node.url, ns, name: 'A', narrator });
  closers.push(a.close);
  const b = await startClusterHost({
    url: node.url,
    ns,
    name: 'B',
    narrator,
    evictIdleAfterMs: 300,
  });
  closers.push(b.close);

  await a.host.boot(CH, ALICE, SCRIPT);
  assert.equal(await untilSubscribers(topic(CH), 1), 1, 'A holds the channel; B has not seen it');
  // A listener alone (a presenter that has not drawn the channel yet) is enough to hear it.
  const off = b.host.subscribe('lobby', () => {});
  assert.equal(await untilSubscribers(topic('lobby'), 1), 1);
  off();
  assert.equal(await untilSubscribers(topic('lobby'), 0), 0, 'the last listener let go');

  // B draws the channel: from then on it hears A's presses.
  const opened = await b.host.view(CH);
  assert.equal(opened.status, 'playing');
  assert.equal(await subscribers(topic(CH)), 2);
  const seenOnB = waitForView(b.host, CH, (v) => v.window?.chosen.length === 1);
  await a.host.press(CH, ALICE, 0, 'Left');
  await seenOnB;

  // Nobody follows it on B: once idle, B lets it go, and with it the channel's topic.
  await waitForView(a.host, CH, (v) => v.status === 'playing' && v.turn === 1);
  await new Promise((r) => setTimeout(r, 350));
  await b.host.view('elsewhere'); // any use of B looks for idle channels
  assert.equal(await untilSubscribers(topic(CH), 1), 1, 'B no longer hears the channel');
  assert.equal(b.host.channelsInMemory(), 1, 'only the channel just used is held on B');

  // B picks the channel up again as it is now.
  const again = await b.host.view(CH);
  assert.equal(again.turn, 1);
  assert.equal(await subscribers(topic(CH)), 2);
});

test('a copy nobody follows here is not read again at each change elsewhere, only at its next use', async () => {
  const ns = `t${process.pid}b`;
  const narrator = new ScriptNarrator();
  const a = await startClusterHost({
    url: node.url,
    ns,
    name: 'A',
    narrator,
    countdownSeconds: 30,
  });
  closers.push(a.close);
  let counted: ReturnType<typeof countingReads> | null = null;
  const b = await startClusterHost({
    url: node.url,
    ns,
    name: 'B',
    narrator,
    countdownSeconds: 30,
    hostStore: (s) => {
      counted = countingReads(s);
      return counted.store;
    },
  });
  closers.push(b.close);
  const reads = () => (counted as ReturnType<typeof countingReads> | null)?.reads() ?? 0;

  await a.host.boot(CH, ALICE, SCRIPT);
  await b.host.view(CH); // B holds a copy; no page follows it there
  const before = reads();
  await a.host.press(CH, ALICE, 0, 'Left');
  await a.host.press(CH, BOB, 0, 'Right');
  await a.host.press(CH, ALICE, 0, 'Right'); // a change of mind
  await waitForView(a.host, CH, (v) => v.window?.chosen.length === 2);
  await new Promise((r) => setTimeout(r, 200)); // every event has reached B by now
  assert.equal(reads(), before, 'B read nothing while nobody there looked');

  const v = await b.host.view(CH);
  assert.equal(v.window?.chosen.length, 2, 'B shows both presses');
  assert.equal(reads(), before + 1, 'read once, when used');
});

test('a process that starts watching a channel learns who is already at its table, and waits for them', async () => {
  const ns = `t${process.pid}c`;
  const narrator = new ScriptNarrator();
  const settings = { closeWhenAllChosen: true };
  const b = await startClusterHost({
    url: node.url,
    ns,
    name: 'B',
    narrator,
    settings,
    countdownSeconds: 30,
  });
  closers.push(b.close);
  await b.host.boot(CH, ALICE, SCRIPT);
  await b.host.here(CH, ALICE);
  await b.host.here(CH, BOB); // Bob's page is on B
  // A starts after both came: it heard none of it when it happened.
  const a = await startClusterHost({
    url: node.url,
    ns,
    name: 'A',
    narrator,
    settings,
    countdownSeconds: 30,
  });
  closers.push(a.close);
  let bothHere = await a.host.view(CH);
  for (let i = 0; i < 150 && (bothHere.present?.length ?? 0) < 2; i++) {
    await new Promise((r) => setTimeout(r, 20));
    bothHere = await a.host.view(CH);
  }
  assert.deepEqual(bothHere.present?.map((p) => p.userName).sort(), ['Alice', 'Bob']);
  // Alice presses through A: the window waits for Bob.
  await a.host.press(CH, ALICE, 0, 'Left');
  await new Promise((r) => setTimeout(r, 300));
  const v = await a.host.view(CH);
  assert.equal(v.status, 'counting', 'the window is still open');
  assert.equal(v.window?.chosen.length, 1);
  await b.host.press(CH, BOB, 0, 'Right');
  await waitForView(a.host, CH, (x) => x.turn === 1 && x.status === 'playing');
});
