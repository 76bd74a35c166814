/**
 * Heap bytes per open session: 10k sessions booted through the package root with its defaults
 * (default title screen, system clock), 8 players each and one open window, measured after GC.
 *
 * Baseline, in the same run: the same data held as bare JavaScript — per channel an object with
 * its ids and name, a Map of 8 player objects, a Map of 8 pending choices and one pending
 * setTimeout — i.e. what any implementation must hold at least.
 *
 * Run: node --expose-gc --import tsx bench/session-heap.bench.ts
 */
import { GameSession } from '../src/index.js';
import { note, report, round, tryGc } from './helpers.js';

const SESSIONS = 10_000;
const PLAYERS = 8;
const TARGET_BYTES = 4096;

const heap = (): number => process.memoryUsage().heapUsed;

async function sessionsBytes(): Promise<{ bytes: number; held: GameSession[] }> {
  tryGc();
  const before = heap();
  const held: GameSession[] = [];
  for (let c = 0; c < SESSIONS; c++) {
    const s = new GameSession(`channel-${c}`, '', undefined, { countdownSeconds: 3600 });
    await s.boot(`Bench Quest ${c}`);
    for (let p = 0; p < PLAYERS; p++)
      await s.submitChoice(`user-${c}-${p}`, `Player ${p}`, 'go north');
    held.push(s);
  }
  tryGc();
  return { bytes: (heap() - before) / SESSIONS, held };
}

interface BareChannel {
  channelId: string;
  gameId: string;
  gameName: string;
  turn: number;
  deadline: number;
  players: Map<string, { userId: string; userName: string; joinedTurn: number }>;
  pending: Map<string, string>;
  timer: ReturnType<typeof setTimeout>;
}

function bareBytes(): { bytes: number; held: BareChannel[] } {
  tryGc();
  const before = heap();
  const held: BareChannel[] = [];
  for (let c = 0; c < SESSIONS; c++) {
    const b: BareChannel = {
      channelId: `channel-${c}`,
      gameId: globalThis.crypto.randomUUID(),
      gameName: `Bench Quest ${c}`,
      turn: 0,
      deadline: Date.now() + 3_600_000,
      players: new Map(),
      pending: new Map(),
      timer: setTimeout(() => {}, 3_600_000),
    };
    for (let p = 0; p < PLAYERS; p++) {
      const userId = `user-${c}-${p}`;
      b.players.set(userId, { userId, userName: `Player ${p}`, joinedTurn: 0 });
      b.pending.set(userId, 'go north');
    }
    held.push(b);
  }
  tryGc();
  return { bytes: (heap() - before) / SESSIONS, held };
}

async function main(): Promise<void> {
  if (!tryGc()) throw new Error('run with --expose-gc');
  const bare = bareBytes();
  for (const b of bare.held) clearTimeout(b.timer);
  bare.held.length = 0;
  const sessions = await sessionsBytes();
  const s0 = sessions.held[0] as GameSession;
  if (s0.pendingChoices.size !== PLAYERS || s0.windowDeadlineMs === null)
    throw new Error('session-heap bench: sessions are not in the expected state');
  const savedBytes = Buffer.byteLength(JSON.stringify(s0.toDict()));
  for (const s of sessions.held) s.dispose();
  note(
    `session ${round(sessions.bytes)} B, bare ${round(bare.bytes)} B, saved dict ${savedBytes} B`,
  );
  report({
    bench: 'session-heap',
    sessions: SESSIONS,
    players: PLAYERS,
    heapBytesPerSession: round(sessions.bytes),
    baseline: {
      what: 'the same data as bare objects, Maps and one setTimeout per channel',
      heapBytesPerChannel: round(bare.bytes),
    },
    ratioToBaseline: round(sessions.bytes / bare.bytes, 2),
    savedDictBytes: savedBytes,
    targets: { heapBytesPerSession: TARGET_BYTES },
    met: sessions.bytes <= TARGET_BYTES,
  });
}

await main();
