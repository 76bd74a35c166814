/**
 * Presses through a store: awaited submitChoice on GameSessions bound to MemoryStore and to a
 * file SqliteStore (WAL, synchronous=NORMAL), 1000 games × 8 players, random game order.
 *
 * Baseline, in the same run with rounds interleaved: a hand-written better-sqlite3
 * read-modify-write transaction of the same document (the game's saved JSON, as SqliteStore
 * stores it) on its own file with the same pragmas — BEGIN IMMEDIATE, SELECT, JSON.parse, set
 * the pending choice, JSON.stringify, UPDATE, COMMIT — i.e. what any SQLite-backed press costs.
 * Targets: SqliteStore ≥ 0.5× the baseline; MemoryStore ≥ 10× SqliteStore.
 *
 * Run: node --expose-gc --import tsx bench/store-press.bench.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import {
  GameSession,
  ManualClock,
  MemoryStore,
  type SessionDict,
  type SessionStore,
  SqliteStore,
} from '../src/index.js';
import { median, note, report, round, secondsSince } from './helpers.js';

const GAMES = 1_000;
const PLAYERS = 8;
const PRESSES = 20_000; // per round
const ROUNDS = 5;

const userIds = Array.from({ length: PLAYERS }, (_, i) => `user-${i}`);
const userNames = Array.from({ length: PLAYERS }, (_, i) => `Player ${i}`);
const choices = ['go north', 'open the chest', 'talk to the owl', 'wait'];

function sequence(seed: number): Uint32Array {
  let x = seed >>> 0 || 1;
  const out = new Uint32Array(PRESSES);
  for (let i = 0; i < PRESSES; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = (x >>> 0) % (GAMES * PLAYERS);
  }
  return out;
}

async function sessionsOn(store: SessionStore, clock: ManualClock): Promise<GameSession[]> {
  const out: GameSession[] = [];
  for (let g = 0; g < GAMES; g++) {
    const s = new GameSession(`channel-${g}`, '', `game-${g}`, {
      clock,
      countdownSeconds: 3600,
      store,
    });
    await s.boot('Bench Quest');
    for (let p = 0; p < PLAYERS; p++)
      await s.submitChoice(userIds[p] as string, userNames[p] as string, 'wait');
    out.push(s);
  }
  return out;
}

async function sessionRound(
  sessions: GameSession[],
  seq: Uint32Array,
  pass: number,
  repeat = 1,
): Promise<number> {
  const choice = choices[pass % choices.length] as string;
  const start = process.hrtime.bigint();
  for (let j = 0; j < seq.length * repeat; j++) {
    const k = seq[j % seq.length] as number;
    const p = k % PLAYERS;
    await (sessions[(k - p) / PLAYERS] as GameSession).submitChoice(
      userIds[p] as string,
      userNames[p] as string,
      choice,
    );
  }
  return (seq.length * repeat) / secondsSince(start);
}

/** The hand-written baseline: one read-modify-write transaction of the JSON document per press. */
function handWritten(file: string, doc: SessionDict) {
  const Database = createRequire(import.meta.url)('better-sqlite3') as typeof BetterSqlite3;
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec('CREATE TABLE games (game_id TEXT PRIMARY KEY, data TEXT NOT NULL)');
  const insert = db.prepare('INSERT INTO games (game_id, data) VALUES (?, ?)');
  for (let g = 0; g < GAMES; g++)
    insert.run(`game-${g}`, JSON.stringify({ ...doc, game_id: `game-${g}` }));
  const read = db.prepare<[string], { data: string }>('SELECT data FROM games WHERE game_id = ?');
  const write = db.prepare('UPDATE games SET data = ? WHERE game_id = ?');
  const press = db.transaction((gameId: string, userId: string, choice: string) => {
    const d = JSON.parse((read.get(gameId) as { data: string }).data) as SessionDict;
    d.pending_choices[userId] = choice;
    write.run(JSON.stringify(d), gameId);
  });
  return {
    async press(gameId: string, userId: string, choice: string): Promise<void> {
      press.immediate(gameId, userId, choice);
    },
    close: () => db.close(),
  };
}

type Baseline = ReturnType<typeof handWritten>;

async function baselineRound(b: Baseline, seq: Uint32Array, pass: number): Promise<number> {
  const choice = choices[pass % choices.length] as string;
  const start = process.hrtime.bigint();
  for (let i = 0; i < seq.length; i++) {
    const k = seq[i] as number;
    const p = k % PLAYERS;
    await b.press(`game-${(k - p) / PLAYERS}`, userIds[p] as string, choice);
  }
  return seq.length / secondsSince(start);
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'gamegirl-bench-'));
  try {
    const clock = new ManualClock();
    const memoryStore = new MemoryStore();
    const sqliteStore = new SqliteStore(join(dir, 'store.db'));
    const memory = await sessionsOn(memoryStore, clock);
    const sqlite = await sessionsOn(sqliteStore, clock);
    const doc = (await sqliteStore.loadGame('game-0')) as SessionDict;
    const base = handWritten(join(dir, 'baseline.db'), doc);

    const rates = { memory: [] as number[], sqlite: [] as number[], base: [] as number[] };
    for (let r = -1; r < ROUNDS; r++) {
      const seq = sequence(2000 + r);
      const pass = r + 2;
      // Interleaved; the order rotates so drift on a shared machine hits all three alike.
      const runs: Array<[keyof typeof rates, () => Promise<number>]> = [
        // MemoryStore runs the sequence 10 times: a round as long as the others, steadier.
        ['memory', () => sessionRound(memory, seq, pass, 10)],
        ['sqlite', () => sessionRound(sqlite, seq, pass)],
        ['base', () => baselineRound(base, seq, pass)],
      ];
      for (let i = 0; i < runs.length; i++) {
        const [name, run] = runs[(i + r + 3) % runs.length] as (typeof runs)[number];
        const rate = await run();
        if (r >= 0) rates[name].push(rate);
      }
      if (r >= 0)
        note(
          `round ${r}: memory ${round(rates.memory[r] as number)}/s, sqlite ${round(rates.sqlite[r] as number)}/s, hand-written ${round(rates.base[r] as number)}/s`,
        );
    }
    const check = await sqliteStore.loadGame('game-0');
    if (Object.keys(check?.pending_choices ?? {}).length !== PLAYERS)
      throw new Error('store-press bench: the store does not hold the presses');
    for (const s of [...memory, ...sqlite]) s.dispose();
    await memoryStore.close();
    await sqliteStore.close();
    base.close();

    const m = median(rates.memory);
    const s = median(rates.sqlite);
    const b = median(rates.base);
    // Ratios per round (interleaved, so drift on a shared machine cancels), then their median.
    const sqliteRatio = median(rates.sqlite.map((x, i) => x / (rates.base[i] as number)));
    const memoryRatio = median(rates.memory.map((x, i) => x / (rates.sqlite[i] as number)));
    report({
      bench: 'store-press',
      games: GAMES,
      players: PLAYERS,
      pressesPerRound: PRESSES,
      rounds: ROUNDS,
      memoryStorePressesPerSec: round(m),
      sqliteFilePressesPerSec: round(s),
      baseline: {
        what: 'hand-written better-sqlite3 read-modify-write transaction of the same JSON document (file, WAL, synchronous=NORMAL)',
        pressesPerSec: round(b),
      },
      sqliteRatioToBaseline: round(sqliteRatio, 3),
      memoryRatioToSqlite: round(memoryRatio, 2),
      savedDocBytes: JSON.stringify(doc).length,
      targets: { sqliteRatioToBaseline: 0.5, memoryRatioToSqlite: 10 },
      met: sqliteRatio >= 0.5 && memoryRatio >= 10,
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
