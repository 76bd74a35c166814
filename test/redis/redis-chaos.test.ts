// Chaos run: 4 worker processes (RedisStore + scheduler) resolve turns of many games while
// workers are SIGKILLed (and respawned) or SIGSTOPped past their lease at random.
// Checks: every acknowledged press is in its turn's record (0 lost), every game has exactly the
// turns 1..N once each (0 doubled, 0 skipped). CHAOS_TURNS sets N in total (default 200).
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { createRedisScheduler } from '../../src/redis/scheduler.js';
import { RedisStore } from '../../src/redis/store.js';
import { gameDict } from '../helpers/game-dict.js';
import { Child, stopChildren } from '../helpers/redis-procs.js';
import { type RedisNode, startRedis, stopAllRedis } from '../helpers/redis-server.js';

const TOTAL = Number(process.env.CHAOS_TURNS ?? 200);
const GAMES = TOTAL >= 2000 ? 16 : 8;
const PER_GAME = Math.ceil(TOTAL / GAMES);
const WORKERS = 4;

let node: RedisNode | null = null;
const children = new Set<Child>();
after(async () => {
  await stopChildren(children);
  await stopAllRedis([node]);
});

test(`chaos: ${WORKERS} workers, ${GAMES * PER_GAME} turns, random kills`, {
  timeout: 30 * 60 * 1000,
}, async () => {
  node = await startRedis();
  const url = node.url;
  const prefix = `chaos${process.pid}`;
  const store = await RedisStore.connect(url, { prefix });
  const everyone: Child[] = [];
  // The driver is a gateway: its presses add the expiry jobs; it resolves nothing itself.
  const gateway = await createRedisScheduler({
    store,
    connection: url,
    queueName: `${prefix}q`,
    worker: false,
  });
  const spawnWorker = (i: number) => {
    const c = new Child('worker', {
      STORE_URL: url,
      BULL_URL: url,
      PREFIX: prefix,
      QUEUE: `${prefix}q`,
      WORKER_ID: `w${i}-${Date.now()}`,
      LEASE_MS: '1000',
      SWEEP_MS: '200',
      NARRATE_JITTER_MS: '20',
    });
    children.add(c);
    everyone.push(c);
    return c;
  };
  const workers = Array.from({ length: WORKERS }, (_, i) => spawnWorker(i));
  await Promise.all(workers.map((w) => w.wait((e) => e.ev === 'ready', 30000)));

  let running = true;
  const disruptions = { killed: 0, stopped: 0 };
  const chaos = (async () => {
    while (running) {
      await new Promise((r) => setTimeout(r, 400 + Math.random() * 800));
      if (!running) break;
      // Disrupt only while two or more workers are up: the run tests what kills do to turns,
      // not a machine so busy that respawned workers never finish starting.
      const up = workers.filter((w) => w.events.some((e) => e.ev === 'ready')).length;
      if (up < 2) continue;
      const i = Math.floor(Math.random() * WORKERS);
      const w = workers[i] as Child;
      if (Math.random() < 0.75) {
        w.kill('SIGKILL');
        disruptions.killed++;
        children.delete(w);
        workers[i] = spawnWorker(i);
      } else {
        w.kill('SIGSTOP');
        disruptions.stopped++;
        setTimeout(() => w.kill('SIGCONT'), 1500); // past the 1000 ms lease
      }
    }
  })();

  let elapsed = 0;
  const games = Array.from({ length: GAMES }, (_, i) => `chaos-game-${i}`);
  const acked = new Map<string, Array<Set<string>>>();
  try {
    const t0 = Date.now();
    await Promise.all(
      games.map(async (g) => {
        await store.bootGame(gameDict(g, `c-${g}`, 0.15, 'Chaos'));
        const perTurn: Array<Set<string>> = [];
        acked.set(g, perTurn);
        for (let t = 0; t < PER_GAME; t++) {
          const got = new Set<string>();
          perTurn.push(got);
          while (got.size === 0) {
            const users = Array.from(
              { length: 1 + Math.floor(Math.random() * 3) },
              (_, k) => `u${k}`,
            );
            await Promise.all(
              users.map(async (u) => {
                try {
                  await store.press(`c-${g}`, {
                    gameId: g,
                    userId: u,
                    userName: u,
                    choice: `t${t}`,
                    turn: t,
                    nowMs: Date.now(),
                  });
                  got.add(u);
                } catch {
                  // refused (late or stale): not acknowledged, so not expected in the record
                }
              }),
            );
          }
          const deadline = Date.now() + 60000;
          for (;;) {
            const d = await store.loadGame(g);
            if ((d?.turn_number ?? 0) > t) break;
            if (Date.now() >= deadline) {
              // Enough to tell a liveness bug from a starved machine.
              const ready = workers.filter((w) => w.events.some((e) => e.ev === 'ready')).length;
              assert.fail(
                `${g} stuck on turn ${t}: deadline ${d?.window_deadline_ms} (now ${Date.now()}), ` +
                  `pending ${JSON.stringify(d?.pending_choices)}, ${ready}/${WORKERS} workers ready, ` +
                  `${JSON.stringify(disruptions)}`,
              );
            }
            await new Promise((r) => setTimeout(r, 10));
          }
        }
      }),
    );
    // Every turn must also be committed (resolution may trail the window closes).
    const deadline = Date.now() + 60000;
    for (const g of games) {
      while ((await store.recentTurns(g, 1))[0]?.turn !== PER_GAME) {
        assert.ok(Date.now() < deadline, `${g}: turns not all committed`);
        await new Promise((r) => setTimeout(r, 20));
      }
    }
    elapsed = Date.now() - t0;
  } finally {
    // Also when an assertion failed: no worker is spawned after the test ends.
    running = false;
    await chaos;
  }

  let lost = 0;
  let doubledOrSkipped = 0;
  for (const g of games) {
    const hist = await store.recentTurns(g, PER_GAME + 10);
    const turns = hist.map((r) => r.turn);
    const expected = Array.from({ length: PER_GAME }, (_, i) => i + 1);
    if (JSON.stringify(turns) !== JSON.stringify(expected)) doubledOrSkipped++;
    for (const r of hist) {
      const want = acked.get(g)?.[r.turn - 1] ?? new Set();
      for (const u of want) if (r.choices[u] !== `t${r.turn - 1}`) lost++;
    }
    assert.equal((await store.loadGame(g))?.turn_number, PER_GAME);
  }
  const commits = new Map<string, number>();
  for (const c of everyone)
    for (const e of c.events)
      if (e.ev === 'committed')
        commits.set(`${e.gameId}/${e.turn}`, (commits.get(`${e.gameId}/${e.turn}`) ?? 0) + 1);
  const doubleCommits = [...commits.values()].filter((n) => n > 1).length;
  console.log(
    JSON.stringify({
      chaos: {
        turns: GAMES * PER_GAME,
        elapsedMs: elapsed,
        ...disruptions,
        lost,
        doubledOrSkipped,
        doubleCommits,
      },
    }),
  );
  await gateway.close();
  await store.close();
  assert.equal(lost, 0, 'lost presses');
  assert.equal(doubledOrSkipped, 0, 'games with doubled or skipped turns');
  assert.equal(doubleCommits, 0, 'turns committed twice');
});
