// Differential check: the same random operation sequence against a reference store
// (MemoryStore) and a store under test must give identical results and identical errors.

import assert from 'node:assert/strict';
import type { SessionStore } from '../../src/core/store-port.js';
import { gameDict } from './game-dict.js';
import { seededRandom } from './random.js';

/** Maps become entry lists, errors become [name, message], so results compare structurally. */
function normalise(v: unknown): unknown {
  if (v instanceof Map) return { map: [...v.entries()].map(normalise) };
  if (v instanceof Error) return { error: v.name, message: v.message };
  if (Array.isArray(v)) return v.map(normalise);
  if (v !== null && typeof v === 'object')
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, normalise(x)]));
  return v;
}

async function outcome(fn: () => Promise<unknown>): Promise<unknown> {
  try {
    return normalise(await fn());
  } catch (e) {
    return normalise(e);
  }
}

const CHANNELS = ['c1', 'c2', 'c3'];
const GAMES = ['g1', 'g2', 'g3', 'g4', '7'];
const USERS = ['u1', 'u2', '10', '2', '__proto__'];

/** Runs `steps` random operations on both stores, asserting after each that they agree. */
export async function runDifferential(
  reference: SessionStore,
  subject: SessionStore,
  seed: number,
  steps: number,
): Promise<void> {
  const rnd = seededRandom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  let now = 1_700_000_000_000;
  const realNow = Date.now;
  Date.now = () => now; // unbindChannel reads the wall clock in both stores
  const cursors: string[] = [];
  try {
    for (let i = 0; i < steps; i++) {
      now += Math.floor(rnd() * 4000);
      const ch = pick(CHANNELS);
      // Mostly act on the channel's running game and its current turn, so rules are reached.
      const bound = await reference.loadChannel(ch);
      const onBound = bound !== null && rnd() < 0.75;
      const g = onBound ? bound.game_id : pick(GAMES);
      const turn =
        rnd() < 0.4
          ? undefined
          : onBound && rnd() < 0.8
            ? bound.turn_number
            : Math.floor(rnd() * 3);
      const patch =
        rnd() < 0.3
          ? {}
          : {
              ...(rnd() < 0.5 ? { gameName: `name ${i}` } : {}),
              ...(rnd() < 0.3 ? { extra: { step: i, nested: { ok: true, f: 0.1 } } } : {}),
              ...(rnd() < 0.3
                ? { players: [{ user_id: pick(USERS), user_name: `P${i}`, joined_turn: 5 }] }
                : {}),
              ...(rnd() < 0.05 ? { gameName: '   ' } : {}),
            };
      // op weights: press-heavy, like a real channel, with admin churn mixed in.
      const WEIGHTS = [4, 4, 14, 14, 14, 14, 3, 3, 4, 7, 2, 2, 7, 6];
      let r = rnd() * WEIGHTS.reduce((a, b) => a + b, 0);
      let op = 0;
      while (op < WEIGHTS.length - 1 && r >= (WEIGHTS[op] as number)) r -= WEIGHTS[op++] as number;
      const label = `step ${i} (seed ${seed}) op ${op}`;
      const both = async (f: (s: SessionStore) => Promise<unknown>) => {
        const a = await outcome(() => f(reference));
        const b = await outcome(() => f(subject));
        assert.deepStrictEqual(b, a, label);
      };
      switch (op) {
        case 0:
        case 1: {
          const active = rnd() < 0.9;
          const turnNumber = Math.floor(rnd() * 2);
          const countdown = pick([0.5, 1.5, 10]);
          await both((s) =>
            s.bootGame({
              ...gameDict(g, ch, countdown, `G ${g}`),
              active,
              turn_number: turnNumber,
              title_screen_url: 'data:x',
              extra: { boot: i },
              created_at_ms: now,
              updated_at_ms: now,
            }),
          );
          break;
        }
        case 2:
        case 3:
        case 4: {
          const u = pick(USERS);
          await both((s) =>
            s.press(ch, {
              gameId: g,
              userId: u,
              userName: `N${u}${i % 3}`,
              choice: `go ${i}`,
              turn,
              nowMs: now,
            }),
          );
          break;
        }
        case 5: {
          const early = rnd() < 0.3;
          const at = now + (rnd() < 0.5 ? 20_000 : 0);
          await both((s) => s.closeWindow(ch, { gameId: g, turn: turn ?? 0, nowMs: at, early }));
          break;
        }
        case 6:
          await both((s) => s.exitGame(ch, g, now, patch));
          break;
        case 7:
          await both((s) => s.swapIn(ch, g, now));
          break;
        case 8:
          await both((s) => s.updateGame(g, patch, now));
          break;
        case 9: {
          const rec = {
            turn: Math.floor(rnd() * 4),
            choices: { u1: 'x', '3': 'y' },
            narrative_summary: `s${i}`,
            timestamp: now / 1000,
          };
          const withPatch = rnd() < 0.5 ? undefined : patch;
          const count = 1 + Math.floor(rnd() * 3);
          await both((s) => s.appendTurn(g, rec, withPatch));
          await both((s) => s.recentTurns(g, count));
          break;
        }
        case 10:
          await both((s) => s.unbindChannel(ch));
          break;
        case 11:
          if (rnd() < 0.3) await both((s) => s.deleteGame(g));
          break;
        case 13: {
          const u = pick(USERS);
          await both((s) =>
            s.press(ch, {
              gameId: g,
              userId: u,
              userName: 'late',
              choice: 'x',
              nowMs: now + 60_000,
            }),
          );
          break;
        }
        case 12: {
          const cursor = rnd() < 0.5 ? pick([null, ...cursors]) : null;
          const limit = 1 + Math.floor(rnd() * 3);
          const a = await reference.listGames({ limit, cursor });
          await both((s) => s.listGames({ limit, cursor }));
          if (a.nextCursor) cursors.push(a.nextCursor);
          break;
        }
        default:
          break;
      }
      await both((s) => s.loadChannel(ch));
      await both((s) => s.loadGame(g));
    }
  } finally {
    Date.now = realNow;
  }
}
