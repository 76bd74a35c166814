import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  InvalidInputError,
  SessionDataError,
  StaleTurnError,
  StoreError,
} from '../../src/core/errors.js';
import { RedisStore, type RedisStoreOptions } from '../../src/redis/store.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { gameDict } from '../helpers/game-dict.js';
import { runDifferential } from '../helpers/redis-diff.js';
import {
  cli,
  type RedisClusterHandle,
  type RedisNode,
  startCluster,
  startRedis,
  stopAllRedis,
} from '../helpers/redis-server.js';
import { runStoreContract } from './contract.js';

let node: RedisNode;
let cluster: RedisClusterHandle;
let n = 0;
const opened: RedisStore[] = [];

before(async () => {
  node = await startRedis();
  cluster = await startCluster(3, 0);
});

after(async () => {
  await Promise.all(opened.map((s) => s.close().catch(() => {})));
  await stopAllRedis([node, cluster]);
});

/** A store on its own key prefix, so every test starts from an empty namespace. */
async function open(
  target: 'single' | 'cluster',
  options: RedisStoreOptions = {},
): Promise<RedisStore> {
  const s = await RedisStore.connect(target === 'single' ? node.url : cluster.urls, {
    time: 'caller',
    prefix: options.prefix ?? `t${process.pid}x${n++}`,
    ...options,
  });
  opened.push(s);
  return s;
}

// The contract drives GameSession with a ManualClock: with the caller's clock it runs as for
// the other stores; with Redis TIME it runs in real time (short windows, real sleeps).
for (const target of ['single', 'cluster'] as const) {
  const prefix = `t${process.pid}c${target}`;
  runStoreContract(`RedisStore ${target}`, () => open(target, { prefix }), {
    twin: () => open(target, { prefix }),
  });
}
runStoreContract(
  'RedisStore single, deadlines from Redis TIME',
  () => open('single', { time: 'redis' }),
  {
    realTime: true,
  },
);

for (const target of ['single', 'cluster'] as const) {
  describe(`RedisStore (${target})`, () => {
    test('behaves exactly like MemoryStore on random operation sequences', async () => {
      for (const seed of [1, 2, 3, 4, 5, 6]) {
        const subject = await open(target, { returnPending: true });
        await runDifferential(new MemoryStore(), subject, seed, 250);
      }
    });

    test('a stale-turn press is refused and changes nothing', async () => {
      const s = await open(target, { time: 'redis' });
      await s.bootGame(dict('g-stale', 'c-stale'));
      await s.press('c-stale', press('g-stale', 'u1', 0));
      const closed = await s.closeWindow('c-stale', {
        gameId: 'g-stale',
        turn: 0,
        nowMs: 0,
        early: true,
      });
      assert.equal(closed.status, 'closed');
      await assert.rejects(s.press('c-stale', press('g-stale', 'u2', 0)), StaleTurnError);
      const d = await s.loadGame('g-stale');
      assert.equal(d?.turn_number, 1);
      assert.deepEqual(d?.pending_choices, {});
    });

    test('corrupt stored data is reported as SessionDataError', async () => {
      const s = await open(target);
      await s.bootGame(dict('g-bad', 'c-bad'));
      const key = s.internals.keys.game('g-bad').game;
      const port = target === 'single' ? node.port : await ownerPort(key);
      await cli(port, 'HSET', key, 'co', '{not json');
      await assert.rejects(s.loadGame('g-bad'), SessionDataError);
      await assert.rejects(s.press('c-bad', press('g-bad', 'u1')), SessionDataError);
      await cli(port, 'HSET', key, 'co', '[]', 'turn', 'seven');
      await assert.rejects(s.loadChannel('c-bad'), SessionDataError);
    });

    test('exactly one Redis command per press', async () => {
      const s = await open(target, { time: 'redis' });
      await s.bootGame(dict('g-one', 'c-one'));
      await s.press('c-one', press('g-one', 'warm-up')); // the first use may load the script
      const before = s.commandsSent;
      for (let i = 0; i < 20; i++) await s.press('c-one', press('g-one', `u${i % 3}`));
      assert.equal(s.commandsSent - before, 20);
    });
  });
}

test("one game keeps call order across connections: a burst of one player's presses ends on the last", async () => {
  for (const connections of [1, 3, 16]) {
    const s = await open('single', { time: 'redis', returnPending: true, connections });
    const ids = Array.from({ length: 12 }, (_, i) => `g-order-${connections}-${i}`);
    for (const id of ids) await s.bootGame(dict(id, `c-${id}`));
    // Not awaited one by one: all 12 × 30 presses are in flight at once, spread over buckets.
    await Promise.all(
      ids.flatMap((id) =>
        Array.from({ length: 30 }, (_, k) =>
          s.press(`c-${id}`, { ...press(id, 'u1'), choice: `pick-${k}` }),
        ),
      ),
    );
    for (const id of ids)
      assert.deepEqual((await s.loadGame(id))?.pending_choices, { u1: 'pick-29' }, id);
  }
});

test('claimOnce: one winner among many callers and processes, again after the TTL', async () => {
  for (const target of ['single', 'cluster'] as const) {
    const first = await open(target);
    const second = await RedisStore.connect(target === 'single' ? node.url : cluster.urls, {
      prefix: first.internals.keys.prefix,
    });
    opened.push(second);
    const wins = await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 ? first : second).claimOnce('post:c:g:0', 300)),
    );
    assert.equal(wins.filter(Boolean).length, 1, target);
    assert.equal(await first.claimOnce('post:c:g:1', 300), true); // another name
    await new Promise((r) => setTimeout(r, 400));
    assert.equal(await second.claimOnce('post:c:g:0', 300), true, 'free again after the TTL');
    await assert.rejects(first.claimOnce('', 10), InvalidInputError);
    await assert.rejects(first.claimOnce('x', 0), InvalidInputError);
  }
});

test('connections outside 1-16 are refused before connecting', async () => {
  for (const connections of [0, 17, 1.5])
    await assert.rejects(
      RedisStore.connect(node.url, { connections }),
      (e: Error) => e instanceof InvalidInputError && /connections/.test(e.message),
    );
});

test('SCRIPT FLUSH: the next call reloads the script and nothing runs twice', async () => {
  const s = await open('single', { time: 'redis', returnPending: true });
  await s.bootGame(dict('g-flush', 'c-flush'));
  await s.press('c-flush', press('g-flush', 'u1'));
  await cli(node.port, 'SCRIPT', 'FLUSH');
  const before = s.commandsSent;
  const out = await s.press('c-flush', press('g-flush', 'u2'));
  assert.equal(s.commandsSent - before, 2); // NOSCRIPT, then EVAL
  assert.deepEqual(out.pending, [
    ['u1', 'go'],
    ['u2', 'go'],
  ]);
  await s.press('c-flush', press('g-flush', 'u3'));
  assert.equal(s.commandsSent - before, 3); // cached again
});

test('cluster: a game and its bucket indexes live in one slot (no CROSSSLOT), MOVED is followed', async () => {
  const s = await open('cluster', { time: 'redis', returnPending: true });
  const ids = Array.from({ length: 40 }, (_, i) => `game-${i}`);
  for (const id of ids) await s.bootGame(dict(id, `chan-${id}`));
  for (const id of ids) await s.press(`chan-${id}`, press(id, 'u1'));
  const page = await s.listGames({ limit: 500 });
  assert.equal(page.games.length, ids.length);
  // Move one game's slot to another master; the client must follow the MOVED reply.
  const key = s.internals.keys.game('game-0').game;
  const slot = Number((await cli(seedPort(), 'CLUSTER', 'KEYSLOT', key)).trim());
  const from = await ownerPort(key);
  const to = cluster.nodes.find((x) => x.port !== from);
  assert.ok(to);
  const toId = (await cli(to.port, 'CLUSTER', 'MYID')).trim();
  const fromId = (await cli(from, 'CLUSTER', 'MYID')).trim();
  await cli(to.port, 'CLUSTER', 'SETSLOT', String(slot), 'IMPORTING', fromId);
  await cli(from, 'CLUSTER', 'SETSLOT', String(slot), 'MIGRATING', toId);
  for (;;) {
    const keys = (await cli(from, 'CLUSTER', 'GETKEYSINSLOT', String(slot), '100')).trim();
    if (keys === '') break;
    for (const k of keys.split('\n'))
      await cli(from, 'MIGRATE', '127.0.0.1', String(to.port), k, '0', '5000');
  }
  for (const x of cluster.nodes)
    await cli(x.port, 'CLUSTER', 'SETSLOT', String(slot), 'NODE', toId);
  const out = await s.press('chan-game-0', press('game-0', 'u2'));
  assert.equal(out.pending?.length, 2);
  assert.equal((await s.loadGame('game-0'))?.game_id, 'game-0');
});

test('unreachable Redis: connect and calls reject with StoreError within 10 s', async () => {
  const t0 = Date.now();
  await assert.rejects(
    RedisStore.connect('redis://127.0.0.1:1', { connectTimeoutMs: 2000 }),
    StoreError,
  );
  assert.ok(Date.now() - t0 < 10000);
});

function seedPort(): number {
  const first = cluster.nodes[0];
  if (first === undefined) throw new Error('no cluster');
  return first.port;
}

async function ownerPort(key: string): Promise<number> {
  const port = seedPort();
  const slot = Number((await cli(port, 'CLUSTER', 'KEYSLOT', key)).trim());
  // CLUSTER NODES: "<id> <ip:port@bus> <flags> <master> … <slot ranges>" per node.
  for (const line of (await cli(port, 'CLUSTER', 'NODES')).trim().split('\n')) {
    const f = line.split(' ');
    if (!f[2]?.includes('master')) continue;
    for (const range of f.slice(8)) {
      const [a, b] = range.split('-').map(Number);
      if (a !== undefined && a <= slot && slot <= (b ?? a))
        return Number(/:(\d+)@/.exec(f[1] ?? '')?.[1]);
    }
  }
  throw new Error(`no owner for slot ${slot}`);
}

const dict = (gameId: string, channelId: string, countdownSeconds = 10) =>
  gameDict(gameId, channelId, countdownSeconds);

export function press(gameId: string, userId: string, turn?: number) {
  return { gameId, userId, userName: userId.toUpperCase(), choice: 'go', turn, nowMs: Date.now() };
}
