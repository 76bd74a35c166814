/**
 * Load on the web console, driven over its WebSocket protocol as browsers would
 * (bench/load-clients.ts, a process of its own) against real `gamegirl serve` processes: many
 * channels × 8 players, every player pressing in every window (some changing their minds), for
 * several turns. After each run the servers are stopped and every turn record is read back from
 * the store: it must hold exactly each player's last acknowledged press ("lost" counts the
 * turns that do not).
 *
 * Runs, in one process each time:
 *  - paced, one serve process on SQLite (the target: press round trip p99 ≤ 50 ms and window
 *    close → next scene p99 ≤ 100 ms at 250 channels × 8 players, 0 lost);
 *  - paced, two serve processes on one redis-server (a channel's players on both);
 *  - closed loop (windows close once everyone chose, players press as soon as a scene shows):
 *    turns per second on SQLite, on one serve process on Redis, and on two: a channel's players
 *    spread over both, and each channel's players on one of them (as behind a proxy routing by
 *    the channel the page names in its WebSocket address). The ratio two vs one is the figure;
 *    one Redis process is its baseline, measured in the same run. Each run also reports the CPU
 *    time per turn of the servers, redis-server and the load generator (from /proc).
 * Sizes (env): LOAD_CHANNELS (250), LOAD_PLAYERS (8), LOAD_TURNS (4), LOAD_WINDOW_MS (10000, the default countdown),
 * LOAD_CLOSED_TURNS (8; the cartridge's story ends after 9); LOAD_REPEATS (3 pairs of the runs
 * one process / two by channel); LOAD_WARMUP=0 measures the closed loop without its warm-up pass;
 * LOAD_REDIS=0 skips the Redis runs. A quick run:
 *   LOAD_CHANNELS=20 node --import tsx bench/load.bench.ts
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { SessionStore } from '../src/core/store-port.js';
import { RedisStore } from '../src/redis/store.js';
import { SqliteStore } from '../src/store/sqlite-store.js';
import { startRedis, stopAllRedis } from '../test/helpers/redis-server.js';
import { type Served, startServe } from '../test/helpers/serve.js';
import { note, quantile, report, round } from './helpers.js';
import type { LoadPlan, LoadResult } from './load-clients.js';

const CHANNELS = Number(process.env.LOAD_CHANNELS ?? 250);
const PLAYERS = Number(process.env.LOAD_PLAYERS ?? 8);
const TURNS = Number(process.env.LOAD_TURNS ?? 4);
const WINDOW_MS = Number(process.env.LOAD_WINDOW_MS ?? 10_000);
const CLOSED_TURNS = Number(process.env.LOAD_CLOSED_TURNS ?? 8);
const WARMUP = process.env.LOAD_WARMUP !== '0';
const REPEATS = Number(process.env.LOAD_REPEATS ?? 3);
const REDIS = process.env.LOAD_REDIS !== '0' && existsSync('/usr/bin/redis-server');
const PRESS_P99_TARGET_MS = 50;
const CLOSE_P99_TARGET_MS = 100;

type Routing = 'spread' | 'by-channel';

interface Figures {
  servers: number;
  routing: Routing;
  store: 'sqlite' | 'redis';
  mode: 'paced' | 'closed';
  connections: number;
  presses: number;
  pressRttMs: { p50: number; p90: number; p99: number; max: number };
  closeToSceneMs: { p50: number; p90: number; p99: number; max: number } | null;
  turnsPerSecond: number;
  turnsChecked: number;
  lost: number;
  refused: Record<string, number>;
  /** Closed loop: refusals of a player changing their mind once one of their presses was taken
   *  (see LoadResult). */
  changesRefused: Record<string, number>;
  clientLoopDelayMs: { p99: number; max: number };
  /** Narrations each serve process ran (turns and openings). */
  narratedBy: number[];
  /** CPU time per turn played (user + system, ms) of the serve processes together, of
   *  redis-server and of the load generator: what a turn costs whatever the cores. */
  cpuMsPerTurn: { servers: number; redis: number | null; loadGenerator: number };
}

/** CPU seconds (user + system) a live process has used so far, from /proc (Linux). */
function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return 0;
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces) start at ") "; utime and stime are
  // the 14th and 15th fields overall, the 12th and 13th after it.
  const fields = stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function percentiles(xs: number[]) {
  const s = Float64Array.from(xs).sort();
  const q = (p: number) => round(quantile(s, p), 1);
  return { p50: q(0.5), p90: q(0.9), p99: q(0.99), max: round(s[s.length - 1] ?? Number.NaN, 1) };
}

/** CPU seconds of the processes of a run: the serve processes together, redis-server, and the
 *  load generator. */
interface CpuUse {
  servers: number;
  redis: number;
  loadGenerator: number;
}

/**
 * Runs the load generator; also returns the CPU the processes used while the turns were played
 * (from the moment the generator says every game is booted to its result): connecting 2,000
 * pages and booting the games are not part of a turn's cost.
 */
function drive(
  plan: LoadPlan,
  pids: { servers: Array<number | undefined>; redis: number | undefined },
): Promise<[LoadResult, CpuUse]> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'bench/load-clients.ts', JSON.stringify(plan)],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const now = (): CpuUse => ({
    servers: pids.servers.reduce<number>((n, pid) => n + cpuSeconds(pid), 0),
    redis: cpuSeconds(pids.redis),
    loadGenerator: cpuSeconds(child.pid),
  });
  return new Promise((resolve, reject) => {
    let result: LoadResult | null = null;
    let atStart: CpuUse | null = null;
    let used: CpuUse = { servers: 0, redis: 0, loadGenerator: 0 };
    createInterface({ input: child.stderr }).on('line', (line) => {
      if (/games booted/.test(line)) atStart = now();
      process.stderr.write(`${line}\n`);
    });
    createInterface({ input: child.stdout }).on('line', (line) => {
      try {
        result = JSON.parse(line) as LoadResult;
        // Read before the generator exits (the result is its last line).
        const end = now();
        const from = atStart ?? end;
        used = {
          servers: end.servers - from.servers,
          redis: end.redis - from.redis,
          loadGenerator: end.loadGenerator - from.loadGenerator,
        };
      } catch (err) {
        note(`load: unreadable result line (${(err as Error).message})`);
      }
    });
    child.once('exit', (code) =>
      result === null
        ? reject(new Error(`load-clients exited with ${code}`))
        : resolve([result, used]),
    );
  });
}

/** How many narrations a serve process ran (its /metrics): which process resolved the turns. */
async function narrationsOf(url: string): Promise<number> {
  const text = await (await fetch(new URL('/metrics', url))).text();
  let n = 0;
  for (const m of text.matchAll(/^gamegirl_narration_seconds_count\{[^}]*\} (\d+)/gm))
    n += Number(m[1]);
  return n;
}

/** Turns whose record does not hold exactly every player's last acknowledged press. */
async function lostTurns(store: SessionStore, result: LoadResult): Promise<[number, number]> {
  let lost = 0;
  let checked = 0;
  for (const game of result.games) {
    const records = await store.recentTurns(game.gameId, 1000);
    for (const [turn, expected] of Object.entries(game.turns)) {
      checked++;
      // A record is numbered by the turn it completes: the window's turn stamp + 1.
      const record = records.find((r) => r.turn === Number(turn) + 1);
      const got = record?.choices ?? {};
      const same =
        Object.keys(got).length === Object.keys(expected).length &&
        Object.entries(expected).every(([user, choice]) => got[user] === choice);
      if (!same) {
        lost++;
        if (lost <= 3)
          note(
            `load: ${game.gameId} turn ${turn}: expected ${JSON.stringify(expected)}, stored ${JSON.stringify(got)}`,
          );
      }
    }
  }
  return [lost, checked];
}

async function run(
  mode: 'paced' | 'closed',
  store: 'sqlite' | 'redis',
  servers: number,
  routing: Routing = 'spread',
) {
  const dir = mkdtempSync(join(tmpdir(), 'gg-load-'));
  const redis = store === 'redis' ? await startRedis() : null;
  const served: Served[] = [];
  try {
    const env: Record<string, string> = {
      GAMEGIRL_DATA_DIR: dir,
      GAMEGIRL_LOG_LEVEL: 'warn',
      GAMEGIRL_SESSION_SECRET: randomBytes(32).toString('hex'),
      ...(redis !== null ? { REDIS_URL: redis.url } : {}),
      ...(process.env.LOAD_SERVER_NODE_OPTIONS
        ? { NODE_OPTIONS: process.env.LOAD_SERVER_NODE_OPTIONS }
        : {}),
    };
    const args = ['--max-connections', String(CHANNELS * PLAYERS + 100), '--trust-proxy'];
    // Paced windows close on their countdown (early close is on by default): close → scene is
    // then measured from an instant every page knows, the window's deadline.
    if (mode === 'paced') {
      args.push('--countdown', String(WINDOW_MS / 1000));
      env.GAMEGIRL_CLOSE_WHEN_ALL_CHOSEN = 'no';
    } else args.push('--countdown', '600', '--close-when-all-chosen');
    for (let i = 0; i < servers; i++) served.push(await startServe(args, env));
    const turns = mode === 'paced' ? TURNS : CLOSED_TURNS;
    const pids = { servers: served.map((s) => s.child.pid), redis: redis?.proc?.pid };
    const plan = (prefix: string): LoadPlan => ({
      urls: served.map((s) => s.url),
      channels: CHANNELS,
      players: PLAYERS,
      turns,
      mode,
      windowMs: WINDOW_MS,
      prefix,
      cartridge: 'midnight-arcade',
      routing,
    });
    // Closed loop: a server that has been running a while is measured, not one whose code is
    // still being compiled — each process warms up on games of its own first, the one-process
    // baseline as much as the two (a first pass measured alone costs ~20 % more per turn).
    if (mode === 'closed' && WARMUP)
      await drive({ ...plan(`warm-${mode}-${store}`), turns: Math.min(turns, 4) }, pids);
    const [result, cpu] = await drive(plan(`${mode}-${store}`), pids);
    const turnsTotal = CHANNELS * result.turnsPlayed;
    const narratedBy = await Promise.all(served.map((s) => narrationsOf(s.url)));
    for (const s of served.splice(0)) await s.stop();
    const reader: SessionStore =
      redis !== null
        ? await RedisStore.connect(redis.url)
        : new SqliteStore(join(dir, 'gamegirl.sqlite'));
    const [lost, checked] = await lostTurns(reader, result).finally(() => reader.close());
    const figures: Figures = {
      servers,
      routing,
      store,
      mode,
      connections: result.connections,
      presses: result.presses,
      pressRttMs: percentiles(result.pressRttMs),
      closeToSceneMs: mode === 'paced' ? percentiles(result.closeToSceneMs) : null,
      turnsPerSecond: round((CHANNELS * result.turnsPlayed) / (result.playMs / 1000), 1),
      turnsChecked: checked,
      lost,
      refused: result.refused,
      changesRefused: result.changesRefused,
      clientLoopDelayMs: {
        p99: round(result.clientLoopDelayMs.p99, 1),
        max: round(result.clientLoopDelayMs.max, 1),
      },
      narratedBy,
      // While the turns were played (connecting and booting not counted).
      cpuMsPerTurn: {
        servers: round((cpu.servers * 1000) / turnsTotal, 2),
        redis: redis === null ? null : round((cpu.redis * 1000) / turnsTotal, 2),
        loadGenerator: round((cpu.loadGenerator * 1000) / turnsTotal, 2),
      },
    };
    note(`load: ${JSON.stringify(figures)}`);
    return figures;
  } finally {
    for (const s of served) await s.stop('SIGKILL');
    if (redis !== null) await stopAllRedis([redis]);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** LOAD_RUNS: a comma-separated subset of the runs (e.g. "paced-sqlite" to profile one). */
const RUNS = process.env.LOAD_RUNS?.split(',') ?? null;
const wanted = (name: string) => RUNS === null || RUNS.includes(name);
const skipped = null as Figures | null;
const paced = wanted('paced-sqlite') ? await run('paced', 'sqlite', 1) : skipped;
const pacedRedis = REDIS && wanted('paced-redis2') ? await run('paced', 'redis', 2) : skipped;
const closedSqlite = wanted('closed-sqlite') ? await run('closed', 'sqlite', 1) : skipped;
const closedRedis2 = REDIS && wanted('closed-redis2') ? await run('closed', 'redis', 2) : skipped;
// The ratio two vs one: runs of one process and of two routed by channel, taken in turns
// (LOAD_REPEATS pairs), each pair's ratio reported and the median kept. One pair alone says
// little on a shared 2-core machine: the same run's turns per second vary by ±20 %.
const closedRedis1Runs: Figures[] = [];
const byChannelRuns: Figures[] = [];
for (let i = 0; i < (REDIS ? REPEATS : 0); i++) {
  if (wanted('closed-redis1')) closedRedis1Runs.push(await run('closed', 'redis', 1));
  if (wanted('closed-redis2-by-channel'))
    byChannelRuns.push(await run('closed', 'redis', 2, 'by-channel'));
}
/** The run of median turns per second. */
const median = (runs: Figures[]): Figures | null =>
  [...runs].sort((a, b) => a.turnsPerSecond - b.turnsPerSecond)[(runs.length - 1) >> 1] ?? null;
const closedRedis1 = median(closedRedis1Runs);
const closedRedis2ByChannel = median(byChannelRuns);
const pairRatios = byChannelRuns.flatMap((f, i) => {
  const one = closedRedis1Runs[i];
  return one === undefined ? [] : [round(f.turnsPerSecond / one.turnsPerSecond, 2)];
});
const medianRatio =
  pairRatios.length === 0
    ? null
    : ([...pairRatios].sort((a, b) => a - b)[(pairRatios.length - 1) >> 1] ?? null);
const versusOne = (f: Figures | null) =>
  closedRedis1 !== null && f !== null
    ? round(f.turnsPerSecond / closedRedis1.turnsPerSecond, 2)
    : null;
const ratio = medianRatio ?? versusOne(closedRedis2);
const lost = [
  paced,
  pacedRedis,
  closedSqlite,
  closedRedis2,
  ...closedRedis1Runs,
  ...byChannelRuns,
].reduce((n, f) => n + (f?.lost ?? 0), 0);
report({
  bench: 'load',
  channels: CHANNELS,
  playersPerChannel: PLAYERS,
  pacedOneProcessSqlite: paced,
  pacedTwoProcessesRedis: pacedRedis,
  closedLoop: {
    sqliteOneProcess: closedSqlite,
    redisTwoProcesses: closedRedis2,
    redisTwoProcessesByChannel: closedRedis2ByChannel,
    baseline: { redisOneProcess: closedRedis1 },
    throughputRatioTwoVsOneRedis: {
      spread: versusOne(closedRedis2),
      byChannel: medianRatio,
      byChannelPairs: pairRatios,
      turnsPerSecondRuns: {
        oneProcess: closedRedis1Runs.map((f) => f.turnsPerSecond),
        twoByChannel: byChannelRuns.map((f) => f.turnsPerSecond),
      },
    },
    throughputRatioTwoRedisVsSqlite:
      closedRedis2 === null || closedSqlite === null
        ? null
        : round(closedRedis2.turnsPerSecond / closedSqlite.turnsPerSecond, 2),
  },
  lost,
  targets: {
    pressP99Ms: PRESS_P99_TARGET_MS,
    closeToSceneP99Ms: CLOSE_P99_TARGET_MS,
    channels: 250,
  },
  met:
    CHANNELS >= 250 &&
    lost === 0 &&
    paced !== null &&
    paced.pressRttMs.p99 <= PRESS_P99_TARGET_MS &&
    (paced.closeToSceneMs?.p99 ?? Number.POSITIVE_INFINITY) <= CLOSE_P99_TARGET_MS &&
    (ratio === null || ratio > 1),
});
process.exit(0);
