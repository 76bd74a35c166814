/**
 * Cost per press in one crowded channel of the web console: N players (75, 150, 300) each press
 * once in an open window, through real WebSockets from a separate process (bench/room-clients.ts)
 * so the server's CPU is measured alone. Bytes the server sent per press and server CPU per
 * press, with window deltas (now) against whole views per press (before, the baseline, same
 * run), and the slowest /healthz answer throughout. Met when, with deltas, bytes per press grow
 * linearly (per press, 300 players cost at most 6× 75 players: 4× is linear, 16× quadratic) and /healthz
 * stays under 100 ms.
 * Run: node --import tsx bench/room.bench.ts
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { GameHost } from '../src/host/game-host.js';
import { InkNarrator } from '../src/narrator/ink.js';
import { MemoryStore } from '../src/store/memory-store.js';
import { createWebConsole } from '../src/web/server.js';
import { note, report, round } from './helpers.js';

/** Room sizes (env ROOM_PLAYERS, e.g. "75,300" for a quicker run; the first is the base of the
 *  growth figures, so keep 75 in it). */
const SIZES = (process.env.ROOM_PLAYERS ?? '75,150,300').split(',').map(Number);
/** GETs /healthz every 20 ms; on each line read from stdin prints the slowest answer (ms) since
 *  the line before, and stops when stdin closes. */
const PROBE = `
const http = require('node:http');
let slowest = 0, done = false;
require('node:readline').createInterface({ input: process.stdin })
  .on('line', () => { process.stdout.write(slowest + '\\n'); slowest = 0; })
  .on('close', () => { done = true; });
(async () => {
  while (!done) {
    const t = performance.now();
    await new Promise((ok) => http.get(process.argv[1] + 'healthz', { agent: false }, (r) => { r.resume(); r.on('end', ok); }).on('error', ok));
    slowest = Math.max(slowest, performance.now() - t);
    await new Promise((r) => setTimeout(r, 20));
  }
})();`;
/** The idle stretch probed before each burst: /healthz and the event loop on this machine at
 *  this moment with nothing to do (the baseline of the figures taken during the burst). */
const IDLE_MS = 1000;
// Whole views per press cost O(players²) bytes: the baseline stops at 150 players (300 takes
// minutes), and growth is compared from 75 to 150 players (2× linear, 4× quadratic).
const BASELINE_SIZES = [75, 150];

interface Run {
  players: number;
  bytesPerPress: number;
  cpuMsPerPress: number;
  healthzMaxMs: number;
  /** The server's longest event-loop delay during the burst (perf_hooks, 5 ms resolution). */
  loopDelayMaxMs: number;
  /** The same two figures over IDLE_MS before the burst. */
  idle: { healthzMaxMs: number; loopDelayMaxMs: number };
}

async function run(players: number, deltas: boolean): Promise<Run> {
  const store = new MemoryStore();
  const host = new GameHost({
    store,
    narrators: (spec) => new InkNarrator(spec.kind === 'ink' ? spec.cartridge : ''),
    countdownSeconds: 600,
    pressRateLimit: { presses: 1000, perMs: 1000 },
  });
  const web = await createWebConsole({
    host,
    port: 0,
    cartridges: () => [],
    gameName: async () => null,
    renderTitle: () => Buffer.alloc(0),
    maxPlayersPerChannel: 1000,
    maxConnectionsPerAddress: 1000,
    windowDeltas: deltas,
  });
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'bench/room-clients.ts', web.url, String(players), 'crowd'],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const lines = createInterface({ input: child.stdout });
  // Listened for from the start: the clients exit right after their last line, often before
  // the bench gets to wait for it (a listener added then would wait for ever: the bench hung).
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  // The clients' process ending before its line (a player dropped, a refused connection) fails
  // the bench instead of leaving it waiting for ever.
  const next = () =>
    Promise.race([
      new Promise<string>((resolve) => lines.once('line', resolve)),
      exited.then((code) => {
        throw new Error(`room-clients exited (${code}) before its line`);
      }),
    ]);
  if ((await next()) !== 'ready') throw new Error('the clients did not get ready');
  // /healthz from a process of its own (the clients' process is busy reading 300 sockets).
  const probe = spawn(process.execPath, ['-e', PROBE, web.url], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const probeLines = createInterface({ input: probe.stdout });
  const slowest = async (): Promise<number> => {
    const line = new Promise<string>((resolve) => probeLines.once('line', resolve));
    probe.stdin.write('\n');
    return Number(await line);
  };
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  await new Promise((r) => setTimeout(r, IDLE_MS));
  const idle = { healthzMaxMs: await slowest(), loopDelayMaxMs: loop.max / 1e6 };
  loop.reset();
  // ROOM_PROFILE=<dir>: a CPU profile of the server during each burst (not the joins before).
  const profiler = process.env.ROOM_PROFILE ? new Session() : null;
  if (profiler !== null) {
    profiler.connect();
    await profiler.post('Profiler.enable');
    await profiler.post('Profiler.start');
  }
  const cpu0 = process.cpuUsage();
  child.stdin.write('go\n');
  const out = JSON.parse(await next()) as { bytes: number };
  const cpu = process.cpuUsage(cpu0);
  if (profiler !== null) {
    const { profile } = await profiler.post('Profiler.stop');
    const file = `${process.env.ROOM_PROFILE}/room-${players}-${deltas ? 'deltas' : 'views'}.cpuprofile`;
    writeFileSync(file, JSON.stringify(profile));
    profiler.disconnect();
  }
  const healthzMaxMs = await slowest();
  const loopDelayMaxMs = loop.max / 1e6;
  loop.disable();
  probe.stdin.end();
  await exited;
  await web.close();
  await host.close();
  return {
    players,
    bytesPerPress: round(out.bytes / players),
    cpuMsPerPress: round((cpu.user + cpu.system) / 1000 / players, 3),
    healthzMaxMs: round(healthzMaxMs, 1),
    loopDelayMaxMs: round(loopDelayMaxMs, 1),
    idle: {
      healthzMaxMs: round(idle.healthzMaxMs, 1),
      loopDelayMaxMs: round(idle.loopDelayMaxMs, 1),
    },
  };
}

const withDeltas: Run[] = [];
const wholeViews: Run[] = [];
for (const n of SIZES) {
  withDeltas.push(await run(n, true));
  if (BASELINE_SIZES.includes(n)) wholeViews.push(await run(n, false));
  note(`room: ${n} players done`);
}
/** Bytes per press at `to` players over the first size's, or null when `to` was not run. */
const growth = (runs: Run[], to: number): number | null => {
  const at = runs.find((r) => r.players === to);
  return at === undefined || runs[0] === undefined
    ? null
    : round(at.bytesPerPress / runs[0].bytesPerPress, 2);
};
const healthzMaxMs = Math.max(...withDeltas.map((r) => r.healthzMaxMs));
report({
  bench: 'room',
  withDeltas,
  baseline: { wholeViews },
  bytesGrowth75to150: { withDeltas: growth(withDeltas, 150), wholeViews: growth(wholeViews, 150) },
  bytesGrowth75to300: { withDeltas: growth(withDeltas, 300) },
  healthzMaxMs,
  met: (growth(withDeltas, 300) ?? Number.POSITIVE_INFINITY) <= 6 && healthzMaxMs < 100,
});
process.exit(0);
