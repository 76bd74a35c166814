/**
 * (a) Awaited submitChoice over 10k channels × 8 players, against the floor of any
 * promise-returning API: an awaited async function that only does Map.set on the same shape
 * (10k maps × 8 keys), measured in the same run, rounds interleaved.
 *
 * Sessions have no store and a ManualClock that never moves, so windows never close mid-run:
 * the first press of each channel opens its window, every later press is a last-press-wins
 * replacement (the steady state of a busy turn). MemoryStore- and SqliteStore(':memory:')-
 * backed presses are measured too, for information.
 *
 * Run: node --import tsx bench/press.bench.ts
 */
import {
  GameSession,
  ManualClock,
  MemoryStore,
  type SessionStore,
  SqliteStore,
} from '../src/index.js';
import { note, report, round, secondsSince, summarise } from './helpers.js';

const CHANNELS = 10_000;
const PLAYERS = 8;
const PASSES_PER_ROUND = 3; // 240k presses per round
const WARMUP_ROUNDS = 3;
const ROUNDS = 7;
// Store-backed presses are for information, on fewer channels (bench/store-press.bench.ts
// measures them against a hand-written SQLite transaction, in random game order).
const STORE_CHANNELS = 1_000;

const userIds = Array.from({ length: PLAYERS }, (_, i) => `user-${i}`);
const userNames = Array.from({ length: PLAYERS }, (_, i) => `Player ${i}`);
const choices = ['go north', 'open the chest', 'talk to the owl', 'wait'];

async function makeSessions(
  n: number,
  clock: ManualClock,
  store: SessionStore | null,
): Promise<GameSession[]> {
  const sessions: GameSession[] = [];
  for (let c = 0; c < n; c++) {
    const s = new GameSession(`channel-${c}`, '', `game-${c}`, {
      clock,
      countdownSeconds: 3600,
      titleScreen: () => 'about:blank',
      store,
    });
    await s.boot('Bench Quest');
    sessions.push(s);
  }
  return sessions;
}

/** One round of awaited presses; returns presses per second. */
async function pressRound(sessions: GameSession[], passes: number, pass0: number): Promise<number> {
  const start = process.hrtime.bigint();
  let n = 0;
  for (let pass = 0; pass < passes; pass++) {
    const choice = choices[(pass0 + pass) % choices.length] as string;
    for (let c = 0; c < sessions.length; c++) {
      const s = sessions[c] as GameSession;
      for (let p = 0; p < PLAYERS; p++) {
        await s.submitChoice(userIds[p] as string, userNames[p] as string, choice);
        n++;
      }
    }
  }
  return n / secondsSince(start);
}

// The floor: the cheapest thing a promise-returning press API could do.
async function floorPress(m: Map<string, string>, key: string, value: string): Promise<void> {
  m.set(key, value);
}

async function floorRound(
  maps: Map<string, string>[],
  passes: number,
  pass0: number,
): Promise<number> {
  const start = process.hrtime.bigint();
  let n = 0;
  for (let pass = 0; pass < passes; pass++) {
    const choice = choices[(pass0 + pass) % choices.length] as string;
    for (let c = 0; c < maps.length; c++) {
      const m = maps[c] as Map<string, string>;
      for (let p = 0; p < PLAYERS; p++) {
        await floorPress(m, userIds[p] as string, choice);
        n++;
      }
    }
  }
  return n / secondsSince(start);
}

async function storeRate(name: string, store: SessionStore): Promise<number> {
  const clock = new ManualClock();
  const sessions = await makeSessions(STORE_CHANNELS, clock, store);
  await pressRound(sessions, 1, 0); // warm-up: opens every window
  const rate = await pressRound(sessions, 1, 1);
  // Every press must have landed in the store (last press wins).
  const check = await GameSession.loadFromStore('channel-0', store, { clock });
  const pending = check?.pendingChoices;
  if (pending?.size !== PLAYERS || pending.get(userIds[0] as string) !== choices[1]) {
    throw new Error(`${name}: the store does not hold the last presses`);
  }
  for (const s of sessions) s.dispose();
  await store.close();
  return rate;
}

async function main(): Promise<void> {
  const clock = new ManualClock();
  const sessions = await makeSessions(CHANNELS, clock, null);
  const maps = Array.from({ length: CHANNELS }, () => new Map<string, string>());

  let pass = 0;
  for (let r = 0; r < WARMUP_ROUNDS; r++) {
    await pressRound(sessions, 1, pass);
    await floorRound(maps, 1, pass);
    pass++;
  }
  const pressRates: number[] = [];
  const floorRates: number[] = [];
  const ratios: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    // Alternate which runs first, so drift on a shared machine hits both alike.
    let p: number;
    let f: number;
    if (r % 2 === 0) {
      p = await pressRound(sessions, PASSES_PER_ROUND, pass);
      f = await floorRound(maps, PASSES_PER_ROUND, pass);
    } else {
      f = await floorRound(maps, PASSES_PER_ROUND, pass);
      p = await pressRound(sessions, PASSES_PER_ROUND, pass);
    }
    pass += PASSES_PER_ROUND;
    pressRates.push(p);
    floorRates.push(f);
    ratios.push(p / f);
    note(`round ${r}: press ${round(p)}/s, floor ${round(f)}/s, ratio ${round(p / f, 3)}`);
  }

  // Sanity: the presses really happened (one window per channel, last press wins).
  const last = choices[(pass - 1) % choices.length];
  const s0 = sessions[0] as GameSession;
  if (
    s0.turnNumber !== 0 ||
    s0.pendingChoices.size !== PLAYERS ||
    s0.pendingChoices.get('user-7') !== last
  ) {
    throw new Error('press bench: sessions are not in the expected state');
  }
  if (clock.pendingTimers !== CHANNELS)
    throw new Error('press bench: expected one window per channel');
  for (const s of sessions) s.dispose();

  const memory = await storeRate('MemoryStore', new MemoryStore());
  const sqlite = await storeRate('SqliteStore', new SqliteStore(':memory:'));

  const press = summarise(pressRates);
  const floor = summarise(floorRates);
  const ratio = summarise(ratios.map((x) => x * 1000));
  const medianRatio = ratio.median / 1000;
  report({
    bench: 'press',
    channels: CHANNELS,
    players: PLAYERS,
    pressesPerRound: CHANNELS * PLAYERS * PASSES_PER_ROUND,
    rounds: ROUNDS,
    pressesPerSec: press.median,
    pressesPerSecBest: press.best,
    baseline: {
      what: 'awaited async function doing only Map.set, 10k maps x 8 keys',
      pressesPerSec: floor.median,
      pressesPerSecBest: floor.best,
    },
    ratioToFloor: round(medianRatio, 3),
    ratioToFloorBest: round(ratio.best / 1000, 3),
    storeChannels: STORE_CHANNELS,
    memoryStorePressesPerSec: round(memory),
    sqliteMemoryPressesPerSec: round(sqlite),
    targets: { pressesPerSec: 2_000_000, ratioToFloor: 0.5 },
    met: press.median >= 2_000_000 && medianRatio >= 0.5,
  });
}

await main();
