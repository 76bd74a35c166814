/**
 * Memory held by a host after 10k games were booted in 10k channels (a built-in ink cartridge,
 * SQLite in memory, nobody following them afterwards): JS heap after GC. (RSS is not compared:
 * both hosts run in one process, and RSS does not shrink back after the first.)
 *
 * Baseline, in the same run: the same boots on a host that keeps every channel
 * (`evictIdleAfterMs: Infinity`, the behaviour before idle channels were let go). The evicting
 * host (default setting) is measured after its clock passed the idle period and one more call.
 *
 * Run: node --expose-gc --import tsx bench/idle-channels.bench.ts
 */
import { ManualClock } from '../src/core/clock.js';
import { GameHost } from '../src/host/game-host.js';
import { InkNarrator } from '../src/narrator/ink.js';
import { SqliteStore } from '../src/store/sqlite-store.js';
import { note, report, round, tryGc } from './helpers.js';

const GAMES = 10_000;
const IDLE_MS = 10 * 60_000;

interface Held {
  heapMB: number;
  inMemory: number;
}

const mb = (b: number): number => round(b / 2 ** 20, 1);

async function bootAll(evictIdleAfterMs: number): Promise<Held> {
  const clock = new ManualClock(Date.now());
  const store = new SqliteStore(':memory:');
  const host = new GameHost({
    store,
    clock,
    narrators: (spec) => new InkNarrator(spec.kind === 'ink' ? spec.cartridge : '', undefined),
    evictIdleAfterMs,
    bootRateLimit: { presses: GAMES, perMs: 1000 },
  });
  tryGc();
  const before = process.memoryUsage();
  for (let i = 0; i < GAMES; i++)
    await host.boot(
      `channel-${i}`,
      { id: `u${i}`, name: 'Ann' },
      {
        kind: 'ink',
        cartridge: 'robot-diner',
      },
    );
  clock.advance(IDLE_MS + 1);
  await host.view('channel-0'); // the next call sweeps the idle ones
  tryGc();
  const after = process.memoryUsage();
  const held = {
    heapMB: mb(after.heapUsed - before.heapUsed),
    inMemory: host.channelsInMemory(),
  };
  await host.close();
  await store.close();
  return held;
}

async function main(): Promise<void> {
  if (!tryGc()) throw new Error('run with --expose-gc');
  const keep = await bootAll(Number.POSITIVE_INFINITY);
  tryGc();
  const evict = await bootAll(IDLE_MS);
  note(`kept: ${JSON.stringify(keep)}; evicting: ${JSON.stringify(evict)}`);
  report({
    bench: 'idle-channels',
    games: GAMES,
    evicting: evict,
    baseline: { what: 'the same boots, every channel kept (evictIdleAfterMs: Infinity)', ...keep },
    heapRatioToBaseline: round(evict.heapMB / keep.heapMB, 2),
    met: evict.inMemory <= 1 && evict.heapMB < keep.heapMB,
  });
}

await main();
