/**
 * Awaited submitChoice landing on RANDOM channels (10k channels × 8 players, memory only), as
 * real traffic does, against the floor of any promise-returning API — an awaited async function
 * doing only Map.set on the same shape — walking the SAME random sequence, rounds interleaved.
 * (bench/press.bench.ts walks channels in order, which keeps each channel's objects in cache.)
 * Also reported: a bare press on the same data layout (players and pending choices as two Maps
 * per channel) against the same floor, which shows what that layout costs in random order.
 *
 * Run: node --expose-gc --import tsx bench/random-press.bench.ts
 */
import { GameSession, ManualClock } from '../src/index.js';
import { median, note, report, round, secondsSince, summarise } from './helpers.js';

const CHANNELS = 10_000;
const PLAYERS = 8;
const PRESSES = 240_000; // per round
const WARMUP_ROUNDS = 3;
const ROUNDS = 7;
const TARGET_RATIO = 0.5;

const userIds = Array.from({ length: PLAYERS }, (_, i) => `user-${i}`);
const userNames = Array.from({ length: PLAYERS }, (_, i) => `Player ${i}`);
const choices = ['go north', 'open the chest', 'talk to the owl', 'wait'];

/** A fixed pseudo-random sequence of (channel, player) pairs: channel * PLAYERS + player. */
function sequence(seed: number): Uint32Array {
  let x = seed >>> 0 || 1;
  const out = new Uint32Array(PRESSES);
  for (let i = 0; i < PRESSES; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = (x >>> 0) % (CHANNELS * PLAYERS);
  }
  return out;
}

async function pressRound(
  sessions: GameSession[],
  seq: Uint32Array,
  pass: number,
): Promise<number> {
  const choice = choices[pass % choices.length] as string;
  const start = process.hrtime.bigint();
  for (let i = 0; i < seq.length; i++) {
    const k = seq[i] as number;
    const p = k % PLAYERS;
    await (sessions[(k - p) / PLAYERS] as GameSession).submitChoice(
      userIds[p] as string,
      userNames[p] as string,
      choice,
    );
  }
  return seq.length / secondsSince(start);
}

async function floorPress(m: Map<string, string>, key: string, value: string): Promise<void> {
  m.set(key, value);
}

/** The same data as a session holds (players and pending choices, two Maps), bare. */
interface Shape {
  active: boolean;
  deadline: number;
  players: Map<string, { userId: string; userName: string; joinedTurn: number }>;
  pending: Map<string, string>;
}

/** The least a press of that shape does: find the player, check the name, set the choice. */
function shapePress(
  s: Shape,
  userId: string,
  userName: string,
  choice: string,
): Promise<{ isFirstChoice: boolean; secondsRemaining: number }> {
  const p = s.players.get(userId);
  if (!s.active || p === undefined) return Promise.reject(new Error('not registered'));
  if (p.userName !== userName) p.userName = userName;
  s.pending.set(userId, choice);
  return Promise.resolve({ isFirstChoice: false, secondsRemaining: s.deadline / 1000 });
}

async function shapeRound(shapes: Shape[], seq: Uint32Array, pass: number): Promise<number> {
  const choice = choices[pass % choices.length] as string;
  const start = process.hrtime.bigint();
  for (let i = 0; i < seq.length; i++) {
    const k = seq[i] as number;
    const p = k % PLAYERS;
    await shapePress(
      shapes[(k - p) / PLAYERS] as Shape,
      userIds[p] as string,
      userNames[p] as string,
      choice,
    );
  }
  return seq.length / secondsSince(start);
}

async function floorRound(
  maps: Map<string, string>[],
  seq: Uint32Array,
  pass: number,
): Promise<number> {
  const choice = choices[pass % choices.length] as string;
  const start = process.hrtime.bigint();
  for (let i = 0; i < seq.length; i++) {
    const k = seq[i] as number;
    const p = k % PLAYERS;
    await floorPress(maps[(k - p) / PLAYERS] as Map<string, string>, userIds[p] as string, choice);
  }
  return seq.length / secondsSince(start);
}

async function main(): Promise<void> {
  const clock = new ManualClock();
  const sessions: GameSession[] = [];
  for (let c = 0; c < CHANNELS; c++) {
    const s = new GameSession(`channel-${c}`, '', `game-${c}`, { clock, countdownSeconds: 3600 });
    await s.boot('Bench Quest');
    sessions.push(s);
  }
  const maps = Array.from({ length: CHANNELS }, () => new Map<string, string>());
  const shapes = Array.from({ length: CHANNELS }, (): Shape => {
    const players = new Map(
      userIds.map((userId, i) => [
        userId,
        { userId, userName: userNames[i] as string, joinedTurn: 0 },
      ]),
    );
    return { active: true, deadline: 3_600_000, players, pending: new Map() };
  });
  let pass = 0;
  for (let r = 0; r < WARMUP_ROUNDS; r++, pass++) {
    const seq = sequence(1000 + pass);
    await pressRound(sessions, seq, pass);
    await floorRound(maps, seq, pass);
    await shapeRound(shapes, seq, pass);
  }
  const shapeRatios: number[] = [];
  const pressRates: number[] = [];
  const floorRates: number[] = [];
  const ratios: number[] = [];
  for (let r = 0; r < ROUNDS; r++, pass++) {
    const seq = sequence(1000 + pass);
    let p: number;
    let f: number;
    if (r % 2 === 0) {
      p = await pressRound(sessions, seq, pass);
      f = await floorRound(maps, seq, pass);
    } else {
      f = await floorRound(maps, seq, pass);
      p = await pressRound(sessions, seq, pass);
    }
    const sh = await shapeRound(shapes, seq, pass);
    pressRates.push(p);
    floorRates.push(f);
    ratios.push(p / f);
    shapeRatios.push(sh / f);
    note(
      `round ${r}: press ${round(p)}/s, floor ${round(f)}/s, ratio ${round(p / f, 3)}; session-shaped floor ${round(sh / f, 3)}`,
    );
  }
  if (clock.pendingTimers !== CHANNELS || (sessions[0] as GameSession).turnNumber !== 0)
    throw new Error('random-press bench: expected one open window per channel');
  for (const s of sessions) s.dispose();

  const press = summarise(pressRates);
  const floor = summarise(floorRates);
  const ratio = summarise(ratios.map((x) => x * 1000));
  report({
    bench: 'random-press',
    channels: CHANNELS,
    players: PLAYERS,
    pressesPerRound: PRESSES,
    rounds: ROUNDS,
    pressesPerSec: press.median,
    baseline: {
      what: 'awaited async function doing only Map.set, same random channel sequence',
      pressesPerSec: floor.median,
    },
    ratioToFloor: round(ratio.median / 1000, 3),
    // For the note: a bare press on the same data layout (two Maps per channel), same sequence.
    sessionShapedFloorRatio: round(median(shapeRatios), 3),
    ratioToFloorBest: round(ratio.best / 1000, 3),
    targets: { ratioToFloor: TARGET_RATIO },
    met: ratio.median / 1000 >= TARGET_RATIO,
  });
}

await main();
