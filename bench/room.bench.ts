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
import { createInterface } from 'node:readline';
import { GameHost } from '../src/host/game-host.js';
import { InkNarrator } from '../src/narrator/ink.js';
import { MemoryStore } from '../src/store/memory-store.js';
import { createWebConsole } from '../src/web/server.js';
import { note, report, round } from './helpers.js';

/** Room sizes (env ROOM_PLAYERS, e.g. "75,300" for a quicker run; the first is the base of the
 *  growth figures, so keep 75 in it). */
const SIZES = (process.env.ROOM_PLAYERS ?? '75,150,300').split(',').map(Number);
/** GETs /healthz every 20 ms until its stdin closes, then prints the slowest answer in ms. */
const PROBE = `
const http = require('node:http');
let slowest = 0, done = false;
process.stdin.on('end', () => { done = true; }).resume();
(async () => {
  while (!done) {
    const t = performance.now();
    await new Promise((ok) => http.get(process.argv[1] + 'healthz', { agent: false }, (r) => { r.resume(); r.on('end', ok); }).on('error', ok));
    slowest = Math.max(slowest, performance.now() - t);
    await new Promise((r) => setTimeout(r, 20));
  }
  process.stdout.write(String(slowest));
})();`;
// Whole views per press cost O(players²) bytes: the baseline stops at 150 players (300 takes
// minutes), and growth is compared from 75 to 150 players (2× linear, 4× quadratic).
const BASELINE_SIZES = [75, 150];

interface Run {
  players: number;
  bytesPerPress: number;
  cpuMsPerPress: number;
  healthzMaxMs: number;
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
  // The clients' process ending before its line (a player dropped, a refused connection) fails
  // the bench instead of leaving it waiting for ever.
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`room-clients exited (${code}) early`))),
  );
  exited.catch(() => {});
  const next = () =>
    Promise.race([new Promise<string>((resolve) => lines.once('line', resolve)), exited]);
  if ((await next()) !== 'ready') throw new Error('the clients did not get ready');
  // /healthz from a process of its own (the clients' process is busy reading 300 sockets).
  const probe = spawn(process.execPath, ['-e', PROBE, web.url], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const probed = new Promise<number>((resolve) => {
    let text = '';
    probe.stdout.on('data', (d) => {
      text += String(d);
    });
    probe.once('exit', () => resolve(Number(text.trim())));
  });
  await new Promise((r) => setTimeout(r, 200));
  const cpu0 = process.cpuUsage();
  child.stdin.write('go\n');
  const out = JSON.parse(await next()) as { bytes: number };
  const cpu = process.cpuUsage(cpu0);
  probe.stdin.end();
  const healthzMaxMs = await probed;
  await new Promise((r) => child.once('exit', r));
  await web.close();
  await host.close();
  return {
    players,
    bytesPerPress: round(out.bytes / players),
    cpuMsPerPress: round((cpu.user + cpu.system) / 1000 / players, 3),
    healthzMaxMs: round(healthzMaxMs, 1),
  };
}

const withDeltas: Run[] = [];
const wholeViews: Run[] = [];
for (const n of SIZES) {
  withDeltas.push(await run(n, true));
  if (BASELINE_SIZES.includes(n)) wholeViews.push(await run(n, false));
  note(`room: ${n} players done`);
}
const growth = (runs: Run[], to: number) =>
  round(
    (runs.find((r) => r.players === to) as Run).bytesPerPress / (runs[0] as Run).bytesPerPress,
    2,
  );
const healthzMaxMs = Math.max(...withDeltas.map((r) => r.healthzMaxMs));
report({
  bench: 'room',
  withDeltas,
  baseline: { wholeViews },
  bytesGrowth75to150: { withDeltas: growth(withDeltas, 150), wholeViews: growth(wholeViews, 150) },
  bytesGrowth75to300: { withDeltas: growth(withDeltas, 300) },
  healthzMaxMs,
  met: growth(withDeltas, 300) <= 6 && healthzMaxMs < 100,
});
process.exit(0);
