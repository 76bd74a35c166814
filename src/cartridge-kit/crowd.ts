// Simulated crowds: seeded players with personas, and the presses they make in a window.
import { pluralityChoice } from '../narrator/port.js';
import type { Mode, Persona, SimPlayer, TurnLog } from './playthrough.js';

export type Random = () => number;

/** mulberry32: small, fast, and the same sequence for the same seed everywhere. */
export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The seed of run `run` of a test seeded with `seed` (runs are independent of each other). */
export function runSeed(seed: number, run: number): number {
  return (Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(run + 1, 0x85ebca6b)) >>> 0;
}

function pick<T>(random: Random, items: readonly T[]): T {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) throw new RangeError('pick from an empty list');
  return item;
}

const NAMES = ['Ada', 'Bo', 'Cy', 'Dee', 'Eli', 'Fay', 'Gus', 'Hal', 'Ivy', 'Jo', 'Kai', 'Lu'];

/** `count` players; the first boots the game. About one in five is fickle, one in eight absent
 *  (the booter is never absent: someone has to press the first button). */
export function makePlayers(random: Random, count: number): SimPlayer[] {
  return Array.from({ length: count }, (_, i) => {
    const r = random();
    const persona: Persona = i > 0 && r < 0.125 ? 'absent' : r < 0.325 ? 'fickle' : 'voter';
    const name = `${NAMES[i % NAMES.length]}${i >= NAMES.length ? i : ''}`;
    return { id: `sim-${i + 1}`, name, persona };
  });
}

/**
 * The presses of one window: each present player presses a random visible choice (a player
 * skips a turn now and then), a fickle one may press again; at least one press per window.
 * `sequence` is every press in order, `presses` what the window holds when it closes.
 * The decided choice follows the mode: the plurality, or the booter's pick among the presses.
 */
export function crowdWindow(
  random: Random,
  players: readonly SimPlayer[],
  choices: readonly string[],
  mode: Mode,
): TurnLog & { sequence: [string, string][] } {
  const present = players.filter((p) => p.persona !== 'absent' && random() < 0.85);
  if (present.length === 0)
    present.push(
      pick(
        random,
        players.filter((p) => p.persona !== 'absent'),
      ),
    );
  // Shuffle the press order.
  for (let i = present.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [present[i], present[j]] = [present[j] as SimPlayer, present[i] as SimPlayer];
  }
  const sequence: [string, string][] = [];
  for (const p of present) sequence.push([p.id, pick(random, choices)]);
  for (const p of present)
    if (p.persona === 'fickle' && random() < 0.5) sequence.push([p.id, pick(random, choices)]);
  // A later press replaces the player's earlier one and keeps its place (as in a session).
  const presses = new Map<string, string>(sequence);
  const decided =
    mode === 'plurality'
      ? pluralityChoice(presses)
      : mode === 'host'
        ? pick(random, [...new Set(presses.values())])
        : null;
  return { presses: [...presses], decided, sequence };
}
