import { GameSessionError } from '../core/errors.js';
import type { Narrator } from '../narrator/port.js';
import type { HostExtra } from './saved-state.js';

// The X-card, a tabletop safety tool: any player may set the scene on screen aside, anonymously,
// and the narrator writes another in its place. Who pressed it is never stored, shown, logged or
// published: the host keeps only which turns were set aside (for the limit below).

/** At most this many scenes set aside within XCARD_TURNS turns of a game (each set-aside scene
 *  is one turn: its window closes), so a game cannot be stalled by vetoing every scene; one
 *  per scene follows from the turn advancing. */
export const XCARD_MAX = 3;
export const XCARD_TURNS = 10;

/** The X-card cannot be used on this scene, or not now. `code`: XCARD_UNAVAILABLE (the
 *  narrator cannot write this scene again) or XCARD_LIMIT (used too often lately). */
export class XCardError extends GameSessionError {
  constructor(code: 'XCARD_UNAVAILABLE' | 'XCARD_LIMIT', message: string) {
    super(code, message);
  }
}

/** Refuses the X-card on the scene of `turn` when the narrator cannot rewrite it or the game
 *  used it XCARD_MAX times within the last XCARD_TURNS turns. */
export function checkXCard(x: HostExtra, turn: number, narrator: Narrator): void {
  if (narrator.rewrite === undefined || narrator.canRewrite?.(x.narratorState) === false)
    throw new XCardError(
      'XCARD_UNAVAILABLE',
      narrator.rewrite === undefined
        ? 'this narrator cannot write a scene again, so the X-card is not available in this game'
        : 'this story cannot step back from this scene (the opening scene, or one just rewound to)',
    );
  const recent = x.xcards.filter((t) => t > turn - XCARD_TURNS);
  if (recent.length >= XCARD_MAX) {
    const from = (recent[0] ?? turn) + XCARD_TURNS;
    throw new XCardError(
      'XCARD_LIMIT',
      `the X-card was used ${XCARD_MAX} times in the last ${XCARD_TURNS} turns; it is available again from turn ${from}`,
    );
  }
}

/** The turns set aside, with `turn` added (the oldest beyond the limit's reach forgotten). */
export function withXCard(xcards: readonly number[], turn: number): number[] {
  return [...xcards.filter((t) => t > turn - XCARD_TURNS && t !== turn), turn];
}
