import { GameSessionError, StaleTurnError } from '../core/errors.js';
import { NarratorError } from '../narrator/port.js';
import { RateLimitedError } from './errors.js';

/** How a press ended: kept, refused as stale (a turn or game already gone), refused by the
 *  per-player rate limit, refused for another rule (no game, narrating, …), or failed on our
 *  side (the store did not answer). */
export type PressOutcome = 'accepted' | 'stale' | 'rate_limited' | 'refused' | 'error';

/** Which narration: a game's opening scene or a turn's next scene. */
type NarrationKind = 'opening' | 'turn';

/**
 * What the host reports as it plays, for whoever counts (the composition root turns these into
 * Prometheus metrics). Calls are synchronous and must not throw.
 */
export interface HostMetrics {
  press(outcome: PressOutcome): void;
  /** A narration ended after `ms`: `failure` is null when it produced its scene, else the
   *  failure's kind (NarratorError's, or 'error' for anything else). */
  narration(kind: NarrationKind, ms: number, failure: string | null): void;
  /** A turn was committed here and its next scene shown, `ms` after its window closed (when this
   *  process saw the close; otherwise after it took the turn over). */
  sceneShown(ms: number): void;
}

/** The default: counts nothing. */
export const noMetrics: HostMetrics = {
  press: () => {},
  narration: () => {},
  sceneShown: () => {},
};

/** The outcome a press that threw is counted as. */
export function pressOutcome(error: unknown): PressOutcome {
  if (error instanceof RateLimitedError) return 'rate_limited';
  if (error instanceof StaleTurnError) return 'stale';
  return error instanceof GameSessionError ? 'refused' : 'error';
}

/** The failure kind a narration that threw is counted as. */
export function narrationFailure(error: unknown): string {
  return error instanceof NarratorError ? error.failure : 'error';
}
