import { GameSessionError } from '../core/errors.js';

/** Why a channel cannot take presses right now (the window closed and the turn is resolving). */
export type ResolvingPhase = 'narrating' | 'deciding' | 'failed';

/**
 * A press arrived while the channel's last window is being resolved: the narrator is writing,
 * the host is deciding ('host' aggregation), or the narration failed and awaits a retry.
 */
export class NarratingError extends GameSessionError {
  readonly phase: ResolvingPhase;
  constructor(phase: ResolvingPhase) {
    const why: Record<ResolvingPhase, string> = {
      narrating: 'the narrator is writing the next scene; wait for it',
      deciding: 'the host is choosing what happens next; wait for the next scene',
      failed: 'the narrator failed on this turn; retry the turn first (no press was lost)',
    };
    super('NARRATING', why[phase]);
    this.phase = phase;
  }
}

/** The story has reached its end: there is nothing left to press. */
export class GameEndedError extends GameSessionError {
  constructor() {
    super('GAME_ENDED', 'the story has ended; boot or load another game');
  }
}

/** The user may not do this in this channel (exit, swap, decide). */
export class PermissionError extends GameSessionError {
  constructor(message: string) {
    super('PERMISSION', message);
  }
}

/** Too many presses (or boots) from one player; try again after `retryAfterMs`. */
export class RateLimitedError extends GameSessionError {
  readonly retryAfterMs: number;
  constructor(retryAfterMs: number, what = 'presses') {
    super('RATE_LIMITED', `too many ${what}; try again in ${Math.ceil(retryAfterMs / 100) / 10} s`);
    this.retryAfterMs = retryAfterMs;
  }
}

/** The operation does not apply in the channel's current state (e.g. retry with nothing failed). */
export class WrongStateError extends GameSessionError {
  constructor(message: string) {
    super('WRONG_STATE', message);
  }
}
