/**
 * (b) Full turns on an injected clock: the first press opens the window, 8 players press
 * (awaited), ManualClock.advance closes the window, waitForCountdown resolves,
 * formatChoicesAsInput builds the narrator's input, recordTurn stores the turn (in memory).
 *
 * Baseline, measured in the same run with the same number of turns: a hand-written minimal turn
 * in plain JS objects — 8 awaited async functions that only do Map.set, an awaited resolved
 * promise standing in for the window, the same narrator text built with JSON.stringify, and a
 * plain {turn, choices, narrative_summary, timestamp} object pushed onto an array. No
 * validation, no timers, no window bookkeeping: what the turn would cost with no library at all.
 *
 * Run: node --import tsx bench/turns.bench.ts
 */
import { GameSession, ManualClock } from '../src/index.js';
import { note, report, round, secondsSince, summarise } from './helpers.js';

const SESSIONS = 100;
const PLAYERS = 8;
const TURNS_PER_SESSION_PER_ROUND = 200; // 20k turns per round
// GameSession keeps the last 1000 turns per game in memory (as a store does): warm up until
// every history is full, so the measured rounds see the steady state of a long-running bot.
const WARMUP_ROUNDS = 5;
const ROUNDS = 7;
const HISTORY_CAP = 1000;
const COUNTDOWN_SECONDS = 10;

const userIds = Array.from({ length: PLAYERS }, (_, i) => `user-${i}`);
const userNames = Array.from({ length: PLAYERS }, (_, i) => `Player ${i}`);
const choices = ['go north', 'open the chest', 'talk to the owl', 'wait', 'sing'];
const SUMMARY = 'The party moved on.';

interface Table {
  session: GameSession;
  clock: ManualClock;
}

async function makeTables(): Promise<Table[]> {
  const tables: Table[] = [];
  for (let i = 0; i < SESSIONS; i++) {
    // One clock per session: advance() then only sees this session's window timer.
    const clock = new ManualClock();
    const session = new GameSession(`channel-${i}`, '', `game-${i}`, {
      clock,
      countdownSeconds: COUNTDOWN_SECONDS,
      titleScreen: () => 'about:blank',
    });
    await session.boot('Bench Quest');
    tables.push({ session, clock });
  }
  return tables;
}

let totalChars = 0;

async function turnsRound(tables: Table[], turns: number): Promise<number> {
  const start = process.hrtime.bigint();
  let n = 0;
  for (let t = 0; t < turns; t++) {
    for (let i = 0; i < tables.length; i++) {
      const { session, clock } = tables[i] as Table;
      for (let p = 0; p < PLAYERS; p++) {
        const choice = choices[(t + p) % choices.length] as string;
        await session.submitChoice(userIds[p] as string, userNames[p] as string, choice);
      }
      const closed = session.waitForCountdown();
      clock.advance(COUNTDOWN_SECONDS * 1000);
      const picked = await closed;
      totalChars += session.formatChoicesAsInput(picked).length;
      await session.recordTurn(picked, SUMMARY);
      n++;
    }
  }
  return n / secondsSince(start);
}

// --- baseline: the same turn in plain objects ------------------------------------------------

interface PlainTurn {
  turn: number;
  choices: Record<string, string>;
  narrative_summary: string;
  timestamp: number;
}

interface PlainTable {
  turn: number;
  names: Map<string, string>;
  pending: Map<string, string>;
  history: PlainTurn[];
}

async function plainPress(
  t: PlainTable,
  userId: string,
  userName: string,
  choice: string,
): Promise<void> {
  t.names.set(userId, userName);
  t.pending.set(userId, choice);
}

function plainFormat(picked: Map<string, string>, names: Map<string, string>): string {
  const lines = ['[player choices]'];
  for (const [id, choice] of picked) {
    lines.push(
      `{"player":${JSON.stringify(names.get(id) ?? id)},"choice":${JSON.stringify(choice)}}`,
    );
  }
  lines.push('[end of player choices]');
  return lines.join('\n');
}

async function plainRound(tables: PlainTable[], turns: number, clockMs: number): Promise<number> {
  const start = process.hrtime.bigint();
  let n = 0;
  for (let t = 0; t < turns; t++) {
    for (let i = 0; i < tables.length; i++) {
      const table = tables[i] as PlainTable;
      for (let p = 0; p < PLAYERS; p++) {
        const choice = choices[(t + p) % choices.length] as string;
        await plainPress(table, userIds[p] as string, userNames[p] as string, choice);
      }
      const picked = await Promise.resolve(table.pending);
      table.pending = new Map();
      table.turn++;
      totalChars += plainFormat(picked, table.names).length;
      table.history.push({
        turn: table.turn,
        choices: Object.fromEntries(picked),
        narrative_summary: SUMMARY,
        timestamp: clockMs / 1000,
      });
      if (table.history.length > HISTORY_CAP) table.history.shift();
      n++;
    }
  }
  return n / secondsSince(start);
}

async function main(): Promise<void> {
  const tables = await makeTables();
  const plain: PlainTable[] = Array.from({ length: SESSIONS }, () => ({
    turn: 0,
    names: new Map(),
    pending: new Map(),
    history: [],
  }));
  for (let r = 0; r < WARMUP_ROUNDS; r++) {
    await turnsRound(tables, TURNS_PER_SESSION_PER_ROUND);
    await plainRound(plain, TURNS_PER_SESSION_PER_ROUND, Date.now());
  }
  const turnRates: number[] = [];
  const plainRates: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    let a: number;
    let b: number;
    if (r % 2 === 0) {
      a = await turnsRound(tables, TURNS_PER_SESSION_PER_ROUND);
      b = await plainRound(plain, TURNS_PER_SESSION_PER_ROUND, Date.now());
    } else {
      b = await plainRound(plain, TURNS_PER_SESSION_PER_ROUND, Date.now());
      a = await turnsRound(tables, TURNS_PER_SESSION_PER_ROUND);
    }
    turnRates.push(a);
    plainRates.push(b);
    note(`round ${r}: turns ${round(a)}/s, plain ${round(b)}/s, ratio ${round(a / b, 3)}`);
  }

  // Sanity: every turn advanced the game once and was recorded once, with all 8 choices.
  const expectedTurns = (WARMUP_ROUNDS + ROUNDS) * TURNS_PER_SESSION_PER_ROUND;
  const s0 = (tables[0] as Table).session;
  const history = await s0.getTurnHistory(undefined, HISTORY_CAP);
  const last = history[history.length - 1];
  if (
    s0.turnNumber !== expectedTurns ||
    history.length !== Math.min(HISTORY_CAP, expectedTurns) ||
    last?.turn !== expectedTurns ||
    last.choices.size !== PLAYERS
  ) {
    throw new Error(
      `turns bench: session 0 is at turn ${s0.turnNumber}, expected ${expectedTurns}`,
    );
  }
  if (totalChars === 0) throw new Error('turns bench: nothing was formatted');
  for (const t of tables) t.session.dispose();

  const turns = summarise(turnRates);
  const base = summarise(plainRates);
  report({
    bench: 'turns',
    sessions: SESSIONS,
    historyPerGame: HISTORY_CAP,
    players: PLAYERS,
    turnsPerRound: SESSIONS * TURNS_PER_SESSION_PER_ROUND,
    rounds: ROUNDS,
    turnsPerSec: turns.median,
    turnsPerSecBest: turns.best,
    baseline: {
      what: 'hand-written plain-JS turn: 8 awaited async Map.set presses, awaited resolved promise as the window, same text via JSON.stringify, plain record pushed to an array; no validation, no timers',
      turnsPerSec: base.median,
      turnsPerSecBest: base.best,
    },
    ratioToBaseline: round(turns.median / base.median, 3),
    targets: { turnsPerSec: 100_000 },
    met: turns.median >= 100_000,
  });
}

await main();
