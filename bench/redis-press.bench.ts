// Redis mode benchmark: node --import tsx bench/redis-press.bench.ts
// Starts its own redis-server (free port, temp dir) and prints ONE JSON line:
//  - presses/s through RedisStore from one process (PRESS_CONCURRENCY in flight) vs
//    `redis-benchmark -c 50 -n 100000 -t hset -q` on the same server in the same run;
//  - Redis commands per press (INFO commandstats);
//  - expiry lateness p50/p99 (window deadline → close, Redis TIME) across 3 worker processes;
//  - takeover: time for another worker to commit the turn of a resolver killed mid-turn.

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createRedisScheduler } from '../src/redis/scheduler.js';
import { RedisStore } from '../src/redis/store.js';
import { gameDict } from '../test/helpers/game-dict.js';
import { Child, stopChildren } from '../test/helpers/redis-procs.js';
import { cli, startRedis, stopAllRedis } from '../test/helpers/redis-server.js';
import { quantile } from './helpers.js';

const run = promisify(execFile);
const PRESSES = Number(process.env.PRESSES ?? 100000);
const CONCURRENCY = Number(process.env.PRESS_CONCURRENCY ?? 50);
const WINDOWS = Number(process.env.WINDOWS ?? 300);

const pct = (xs: number[], p: number) => quantile(Float64Array.from(xs).sort(), p / 100);

const dict = (gameId: string, countdownSeconds: number) =>
  gameDict(gameId, `c-${gameId}`, countdownSeconds, 'Bench');

async function redisBenchmark(port: number): Promise<number> {
  const { stdout } = await run(
    '/usr/bin/redis-benchmark',
    ['-p', String(port), '-c', '50', '-n', '100000', '-t', 'hset', '-q'],
    {
      timeout: 120000,
    },
  );
  const m = /HSET:\s*([\d.]+)\s*requests per second/.exec(stdout.replace(/\r/g, '\n'));
  if (!m) throw new Error(`cannot parse redis-benchmark output: ${stdout}`);
  return Number(m[1]);
}

/** Calls by the client (EVALSHA + EVAL) and calls made inside scripts, from INFO commandstats
 *  (Redis 7 counts commands run by a script there too). */
async function commandCalls(port: number): Promise<{ client: number; inScripts: number }> {
  const info = await cli(port, 'INFO', 'commandstats');
  let client = 0;
  let inScripts = 0;
  for (const m of info.matchAll(/cmdstat_([\w|]+):calls=(\d+)/g)) {
    if (m[1] === 'evalsha' || m[1] === 'eval') client += Number(m[2]);
    else if (!m[1]?.startsWith('info') && !m[1]?.startsWith('config')) inScripts += Number(m[2]);
  }
  return { client, inScripts };
}

/** `players` players per game press in turn, replacing their choices (one window per game). */
async function pressThroughput(url: string, port: number, players: number) {
  const store = await RedisStore.connect(url, { prefix: `bench${players}` });
  const games = Array.from({ length: 200 }, (_, i) => `bench-${i}`);
  for (const g of games) await store.bootGame(dict(g, 3600));
  // warm-up (loads the script) outside the measurement
  await store.press('c-bench-0', {
    gameId: 'bench-0',
    userId: 'u0',
    userName: 'u0',
    choice: 'x',
    nowMs: Date.now(),
  });
  await cli(port, 'CONFIG', 'RESETSTAT');
  const sent0 = store.commandsSent;
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (let i = next++; i < PRESSES; i = next++) {
        const g = games[i % games.length] as string;
        const u = `u${Math.floor(i / games.length) % players}`;
        await store.press(`c-${g}`, {
          gameId: g,
          userId: u,
          userName: u,
          choice: `c${i}`,
          nowMs: Date.now(),
        });
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  const calls = await commandCalls(port);
  const sent = store.commandsSent - sent0;
  await store.close();
  return {
    pressesPerSecond: Math.round(PRESSES / seconds),
    commandsPerPress: calls.client / PRESSES,
    clientCommandsPerPress: sent / PRESSES,
    inScriptCallsPerPress: calls.inScripts / PRESSES,
  };
}

async function expiry(url: string) {
  const prefix = 'lat';
  const queue = 'latq';
  const workers = Array.from(
    { length: 3 },
    (_, i) =>
      new Child('worker', {
        STORE_URL: url,
        BULL_URL: url,
        PREFIX: prefix,
        QUEUE: queue,
        WORKER_ID: `w${i}`,
        LEASE_MS: '2000',
        SWEEP_MS: '1000',
      }),
  );
  await Promise.all(workers.map((w) => w.wait((e) => e.ev === 'ready', 30000)));
  const store = await RedisStore.connect(url, { prefix });
  const gateway = await createRedisScheduler({
    store,
    connection: url,
    queueName: queue,
    worker: false,
  });
  const games = Array.from({ length: WINDOWS }, (_, i) => `lat-${i}`);
  for (const g of games) await store.bootGame(dict(g, 0.2 + Math.random() * 0.3));
  for (const g of games) {
    await store.press(`c-${g}`, {
      gameId: g,
      userId: 'u',
      userName: 'u',
      choice: 'x',
      nowMs: Date.now(),
    });
    await new Promise((r) => setTimeout(r, 5));
  }
  const closed = () => workers.flatMap((w) => w.events.filter((e) => e.ev === 'closed'));
  const end = Date.now() + 30000;
  while (closed().length < WINDOWS && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
  const lateness = closed().map((e) => Number(e.latenessMs));
  const byJob = closed().filter((e) => e.by === 'job').length;

  // Takeover: a worker that hangs inside onWindowClosed is killed after claiming.
  const takeovers: number[] = [];
  for (let round = 0; round < 3; round++) {
    const hang = new Child('worker', {
      STORE_URL: url,
      BULL_URL: url,
      PREFIX: prefix,
      QUEUE: `${queue}h${round}`,
      WORKER_ID: `hang${round}`,
      HANG: '1',
      LEASE_MS: '2000',
      SWEEP_MS: '1000',
    });
    await hang.wait((e) => e.ev === 'ready', 30000);
    // A connection of its own, so only this round's producer adds the job (to the hanging
    // worker's queue); the regular workers can only reach the window through their sweep.
    const g = `take-${round}`;
    const own = await RedisStore.connect(url, { prefix });
    await own.bootGame(dict(g, 0.05));
    const producer = await createRedisScheduler({
      store: own,
      connection: url,
      queueName: `${queue}h${round}`,
      worker: false,
    });
    await own.press(`c-${g}`, {
      gameId: g,
      userId: 'u',
      userName: 'u',
      choice: 'x',
      nowMs: Date.now(),
    });
    const claimed = await hang.wait((e) => e.ev === 'claimed' && e.g === g, 5000).catch(() => null);
    if (claimed === null) {
      // a regular worker's sweep got there first: nothing to take over this round
      await producer.close();
      await own.close();
      await hang.stop();
      continue;
    }
    hang.kill('SIGKILL');
    const killedAt = Date.now();
    const committed = () =>
      workers.some((w) => w.events.some((e) => e.ev === 'committed' && e.gameId === g));
    while (!committed() && Date.now() - killedAt < 20000)
      await new Promise((r) => setTimeout(r, 5));
    takeovers.push(committed() ? Date.now() - killedAt : Number.POSITIVE_INFINITY);
    await producer.close();
    await own.close();
    await hang.stop();
  }
  await gateway.close();
  await store.close();
  await stopChildren(workers);
  return {
    windows: lateness.length,
    closedByJob: byJob,
    latenessP50Ms: pct(lateness, 50),
    latenessP99Ms: pct(lateness, 99),
    latenessMaxMs: Math.max(...lateness),
    takeoverMs: takeovers,
  };
}

const node = await startRedis();
try {
  const before = await redisBenchmark(node.port);
  const press = await pressThroughput(node.url, node.port, 5);
  const press20 = await pressThroughput(node.url, node.port, 20);
  const afterHset = await redisBenchmark(node.port);
  const baseline = Math.round((before + afterHset) / 2);
  const exp = await expiry(node.url);
  console.log(
    JSON.stringify({
      bench: 'redis-press',
      presses: PRESSES,
      concurrency: CONCURRENCY,
      playersPerWindow: 5,
      pressesPerSecond: press.pressesPerSecond,
      baselineHsetPerSecond: baseline,
      baselineRuns: [Math.round(before), Math.round(afterHset)],
      ratio: Number((press.pressesPerSecond / baseline).toFixed(2)),
      pressesPerSecond20Players: press20.pressesPerSecond,
      ratio20Players: Number((press20.pressesPerSecond / baseline).toFixed(2)),
      commandsPerPress: Number(press.commandsPerPress.toFixed(3)),
      clientCommandsPerPress: Number(press.clientCommandsPerPress.toFixed(3)),
      inScriptCallsPerPress: Number(press.inScriptCallsPerPress.toFixed(2)),
      ...exp,
    }),
  );
} finally {
  await stopAllRedis([node]);
}
