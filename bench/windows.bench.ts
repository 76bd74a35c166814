// node-flags: --max-semi-space-size=2
/**
 * (c) 100k countdown windows open at once on the REAL clock (systemClock): RSS with every
 * window open, and timer lateness — when each waitForCountdown resolves versus its deadline —
 * p50 / p99 / max.
 *
 * Baseline, in the same run and measured first: 100k bare setTimeout timers with the same
 * spread of deadlines (their lateness, and the RSS they add).
 *
 * Sessions are created and booted first (no timers yet); then one press per session opens all
 * windows as fast as possible. countdownSeconds is spread over 2..4 s so expiries spread.
 *
 * Run: node --expose-gc --max-semi-space-size=2 --import tsx bench/windows.bench.ts
 * A small young generation (2 MB semi-spaces, the setting recommended for a process holding many
 * open windows) keeps each scavenge short: with V8's default (16 MB) every scavenge copies the
 * choice maps of thousands of just-closed windows at once, and p99 lateness rises to ~15 ms.
 */
import { GameSession, systemClock } from '../src/index.js';
import { note, quantile, report, round, tryGc } from './helpers.js';

const WINDOWS = 100_000;
const MIN_SECONDS = 2;
const MAX_SECONDS = 4;

const MB = 1024 * 1024;
const rssMb = (): number => process.memoryUsage().rss / MB;
const heapMb = (): number => process.memoryUsage().heapUsed / MB;
/** Wall clock in fractional milliseconds, on the same scale as Date.now(). */
const nowMs = (): number => performance.timeOrigin + performance.now();

/**
 * Window lengths spread evenly over 2..4 s in whole milliseconds (2001 distinct lengths), as a
 * configured countdown would be. (Node keeps one timer list per distinct duration: lengths with
 * fractional milliseconds would give every timer a list of its own, for bare timers too.)
 */
function secondsFor(i: number): number {
  const spreadMs = (MAX_SECONDS - MIN_SECONDS) * 1000;
  return (MIN_SECONDS * 1000 + Math.round((spreadMs * i) / (WINDOWS - 1))) / 1000;
}

interface Lateness {
  p50: number;
  p99: number;
  max: number;
  count: number;
}

function lateness(values: Float64Array): Lateness {
  const sorted = Float64Array.from(values).sort();
  return {
    p50: round(quantile(sorted, 0.5), 2),
    p99: round(quantile(sorted, 0.99), 2),
    max: round(sorted[sorted.length - 1] as number, 2),
    count: sorted.length,
  };
}

async function bareTimers(): Promise<{ rssDeltaMb: number; openMs: number; lateness: Lateness }> {
  tryGc();
  const before = rssMb();
  const late = new Float64Array(WINDOWS);
  let fired = 0;
  let done!: () => void;
  const all = new Promise<void>((resolve) => {
    done = resolve;
  });
  const t0 = nowMs();
  for (let i = 0; i < WINDOWS; i++) {
    const delay = secondsFor(i) * 1000;
    const deadline = Date.now() + delay;
    setTimeout(() => {
      late[i] = nowMs() - deadline;
      if (++fired === WINDOWS) done();
    }, delay);
  }
  const openMs = nowMs() - t0;
  tryGc();
  const during = rssMb();
  await all;
  return { rssDeltaMb: round(during - before, 1), openMs: round(openMs), lateness: lateness(late) };
}

const titleScreen = (): string => 'about:blank';

async function sessionWindows(): Promise<{
  rssMb: number;
  rssDeltaMb: number;
  heapUsedMb: number;
  heapDeltaMb: number;
  openMs: number;
  lateness: Lateness;
  measuredBeforeFirstExpiry: boolean;
}> {
  tryGc();
  const before = rssMb();
  const heapBefore = heapMb();
  const sessions: GameSession[] = new Array(WINDOWS);
  for (let i = 0; i < WINDOWS; i++) {
    const s = new GameSession(`channel-${i}`, '', `game-${i}`, {
      clock: systemClock,
      countdownSeconds: secondsFor(i),
      titleScreen,
    });
    await s.boot('Bench Quest');
    sessions[i] = s;
  }
  const late = new Float64Array(WINDOWS);
  let fired = 0;
  let failed = 0;
  let done!: () => void;
  const all = new Promise<void>((resolve) => {
    done = resolve;
  });
  let firstDeadline = Number.POSITIVE_INFINITY;
  const t0 = nowMs();
  for (let i = 0; i < WINDOWS; i++) {
    const s = sessions[i] as GameSession;
    await s.submitChoice('user-1', 'Player 1', 'open the chest');
    const deadline = s.windowDeadlineMs as number;
    if (deadline < firstDeadline) firstDeadline = deadline;
    s.waitForCountdown().then(
      (choices) => {
        late[i] = nowMs() - deadline;
        if (choices.size !== 1) failed++;
        if (++fired === WINDOWS) done();
      },
      () => {
        failed++;
        if (++fired === WINDOWS) done();
      },
    );
  }
  const openMs = nowMs() - t0;
  tryGc();
  const during = rssMb();
  const heapDuring = heapMb();
  // Every window was still open while RSS was read (and the GC before it did not delay any).
  const measuredBeforeFirstExpiry = fired === 0 && nowMs() < firstDeadline;
  await all;
  if (failed > 0)
    throw new Error(`windows bench: ${failed} windows did not resolve with their choice`);
  const turnsAdvanced = sessions.every((s) => s.turnNumber === 1);
  if (!turnsAdvanced) throw new Error('windows bench: a window closed without advancing its turn');
  return {
    rssMb: round(during, 1),
    rssDeltaMb: round(during - before, 1),
    heapUsedMb: round(heapDuring, 1),
    heapDeltaMb: round(heapDuring - heapBefore, 1),
    openMs: round(openMs),
    lateness: lateness(late),
    measuredBeforeFirstExpiry,
  };
}

async function main(): Promise<void> {
  const gc = tryGc();
  const startRss = rssMb();
  const baseline = await bareTimers();
  note(`bare timers: ${JSON.stringify(baseline)}`);
  const windows = await sessionWindows();
  note(`session windows: ${JSON.stringify(windows)}`);
  report({
    bench: 'windows',
    nodeFlags: process.execArgv.filter((f) => f.startsWith('--max-semi')),
    windows: WINDOWS,
    countdownSeconds: [MIN_SECONDS, MAX_SECONDS],
    exposeGc: gc,
    startRssMb: round(startRss, 1),
    rssMb: windows.rssMb,
    rssDeltaMb: windows.rssDeltaMb,
    heapUsedMb: windows.heapUsedMb,
    heapDeltaMb: windows.heapDeltaMb,
    bytesPerWindow: Math.round((windows.heapDeltaMb * MB) / WINDOWS),
    measuredBeforeFirstExpiry: windows.measuredBeforeFirstExpiry,
    openMs: windows.openMs,
    latenessMs: windows.lateness,
    baseline: {
      what: '100k bare setTimeout timers, same deadlines, measured first in the same process',
      rssDeltaMb: baseline.rssDeltaMb,
      openMs: baseline.openMs,
      latenessMs: baseline.lateness,
    },
    targets: { rssMb: 300, latenessP99Ms: 10 },
    met: windows.rssMb <= 300 && windows.lateness.p99 <= 10,
  });
}

await main();
