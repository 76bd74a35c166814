import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { StoreError } from '../../src/core/errors.js';
import { RedisStore } from '../../src/redis/store.js';
import { gameDict } from '../helpers/game-dict.js';
import {
  cli,
  type RedisClusterHandle,
  type RedisNode,
  startCluster,
  startRedis,
  stopAllRedis,
} from '../helpers/redis-server.js';

const servers: Array<RedisNode | RedisClusterHandle> = [];
const stores: RedisStore[] = [];
after(async () => {
  for (const s of stores) await s.close().catch(() => {});
  await stopAllRedis(servers);
});

const dict = (gameId: string) => gameDict(gameId, `c-${gameId}`, 3600, 'Durable');

/**
 * Presses with distinct user ids from `lanes` concurrent loops until `stop()`; remembers every
 * press that was acknowledged, and checks each failure is a StoreError that came within 10 s.
 */
function presser(store: RedisStore, gameIds: string[], lanes = 8) {
  const acked = new Map<string, Set<string>>(gameIds.map((g) => [g, new Set()]));
  let running = true;
  let seq = 0;
  let failures = 0;
  let slowest = 0;
  const loops = Array.from({ length: lanes }, async () => {
    while (running) {
      const g = gameIds[seq % gameIds.length] as string;
      const u = `u${seq++}`;
      const t0 = Date.now();
      try {
        await store.press(`c-${g}`, { gameId: g, userId: u, userName: u, choice: 'c', nowMs: t0 });
        acked.get(g)?.add(u);
      } catch (e) {
        assert.ok(
          e instanceof StoreError,
          `unexpected ${(e as Error).name}: ${(e as Error).message}`,
        );
        failures++;
        slowest = Math.max(slowest, Date.now() - t0);
        await new Promise((r) => setTimeout(r, 20));
      }
    }
  });
  return {
    acked,
    get failures() {
      return failures;
    },
    get slowestFailureMs() {
      return slowest;
    },
    async stop() {
      running = false;
      await Promise.all(loops);
    },
  };
}

async function assertAllKept(store: RedisStore, acked: Map<string, Set<string>>) {
  for (const [g, users] of acked) {
    const d = await store.loadGame(g);
    const stored = new Set(Object.keys(d?.pending_choices ?? {}));
    const lost = [...users].filter((u) => !stored.has(u));
    assert.deepEqual(lost, [], `acknowledged presses lost in ${g}`);
  }
}

test('Redis killed and restarted (appendfsync always): no acknowledged press is lost; the store reconnects', async () => {
  const node = await startRedis({ aof: true });
  servers.push(node);
  const store = await RedisStore.connect(node.url, { prefix: 'aof' });
  stores.push(store);
  const games = ['a1', 'a2', 'a3'];
  for (const g of games) await store.bootGame(dict(g));
  const p = presser(store, games);
  await new Promise((r) => setTimeout(r, 400));
  node.signal('SIGKILL');
  await new Promise((r) => setTimeout(r, 300));
  await node.start();
  const back = Date.now();
  // Every game's presses succeed again: each of the store's connections (a game's calls always
  // use its bucket's) reconnected by itself.
  const before = new Map(games.map((g) => [g, p.acked.get(g)?.size ?? 0]));
  while (games.some((g) => (p.acked.get(g)?.size ?? 0) === before.get(g))) {
    assert.ok(Date.now() - back < 10000, 'the store did not reconnect within 10 s');
    await new Promise((r) => setTimeout(r, 20));
  }
  await new Promise((r) => setTimeout(r, 200));
  await p.stop();
  assert.ok(p.failures > 0, 'presses during the outage must fail');
  assert.ok(p.slowestFailureMs < 10000);
  await assertAllKept(store, p.acked);
});

test('dropped connections (CLIENT KILL): calls fail with StoreError or succeed, nothing acknowledged is lost', async () => {
  const node = await startRedis();
  servers.push(node);
  const store = await RedisStore.connect(node.url, { prefix: 'kill' });
  stores.push(store);
  await store.bootGame(dict('k1'));
  const p = presser(store, ['k1']);
  for (let i = 0; i < 5; i++) {
    await new Promise((r) => setTimeout(r, 150));
    await cli(node.port, 'CLIENT', 'KILL', 'TYPE', 'normal');
  }
  await new Promise((r) => setTimeout(r, 300));
  const n = p.acked.get('k1')?.size ?? 0;
  await new Promise((r) => setTimeout(r, 200));
  assert.ok((p.acked.get('k1')?.size ?? 0) > n, 'presses succeed again after the drops');
  await p.stop();
  await assertAllKept(store, p.acked);
});

test('a stalled Redis (SIGSTOP): calls reject with StoreError within 10 s, then work again', async () => {
  const node = await startRedis();
  servers.push(node);
  const store = await RedisStore.connect(node.url, {
    prefix: 'stall',
    commandTimeoutMs: 3000,
    returnPending: true,
  });
  stores.push(store);
  await store.bootGame(dict('s1'));
  node.signal('SIGSTOP');
  const t0 = Date.now();
  await assert.rejects(
    store.press('c-s1', { gameId: 's1', userId: 'u', userName: 'u', choice: 'c', nowMs: t0 }),
    StoreError,
  );
  const took = Date.now() - t0;
  assert.ok(took >= 2500 && took < 10000, `rejected after ${took} ms`);
  node.signal('SIGCONT');
  const out = await store.press('c-s1', {
    gameId: 's1',
    userId: 'v',
    userName: 'v',
    choice: 'c',
    nowMs: Date.now(),
  });
  assert.ok(out.pending?.some(([u]) => u === 'v'));
});

test('cluster: a master is killed, its replica is promoted, the store carries on', async () => {
  const cluster = await startCluster(3, 1);
  servers.push(cluster);
  const store = await RedisStore.connect(cluster.urls, { prefix: 'fo' });
  stores.push(store);
  const games = Array.from({ length: 12 }, (_, i) => `f${i}`);
  for (const g of games) await store.bootGame(dict(g));
  // Replication is asynchronous: a write the replica has not received is lost with its master
  // (see docs/decisions.md). Let the replicas catch up, then kill.
  await cluster.synced();
  // Kill the master that owns the first game's slot.
  const key = store.internals.keys.game('f0').game;
  const port0 = cluster.nodes[0]?.port ?? 0;
  const slot = Number((await cli(port0, 'CLUSTER', 'KEYSLOT', key)).trim());
  const masterLine = (await cli(port0, 'CLUSTER', 'NODES'))
    .trim()
    .split('\n')
    .find((l) => {
      const f = l.split(' ');
      return (
        f[2]?.includes('master') &&
        f.slice(8).some((r) => {
          const [a, b] = r.split('-').map(Number);
          return a !== undefined && a <= slot && slot <= (b ?? a);
        })
      );
    });
  const masterPort = Number(masterLine?.split(' ')[1]?.split(':')[1]?.split('@')[0]);
  const master = cluster.nodes.find((x) => x.port === masterPort);
  assert.ok(master);
  master.signal('SIGKILL');
  const t0 = Date.now();
  let ok = false;
  while (!ok) {
    assert.ok(Date.now() - t0 < 20000, 'no failover within 20 s');
    try {
      await store.press('c-f0', {
        gameId: 'f0',
        userId: 'after',
        userName: 'a',
        choice: 'c',
        nowMs: Date.now(),
      });
      ok = true;
    } catch (e) {
      assert.ok(e instanceof StoreError, `unexpected ${(e as Error).name}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  for (const g of games) assert.equal((await store.loadGame(g))?.game_id, g);
  assert.ok(Object.keys((await store.loadGame('f0'))?.pending_choices ?? {}).includes('after'));
});
