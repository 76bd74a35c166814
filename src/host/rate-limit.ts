import type { Clock } from '../core/clock.js';
import { InvalidInputError } from '../core/errors.js';
import { RateLimitedError } from './errors.js';

export const DEFAULT_PRESS_RATE_LIMIT = { presses: 5, perMs: 2000 } as const;
/** Boots per player: a boot runs a narrator (an LLM boot is a paid completion). */
export const DEFAULT_BOOT_RATE_LIMIT = { presses: 10, perMs: 60_000 } as const;
export const DEFAULT_LLM_BOOT_RATE_LIMIT = { presses: 3, perMs: 60_000 } as const;

/** How many `take` calls between sweeps of idle keys (keeps memory bounded by active players). */
const SWEEP_EVERY = 1024;

/**
 * A sliding-window limit per key (channel + player): at most `presses` in any `perMs`.
 * Refused attempts are not counted, so a player is never locked out for longer than `perMs`.
 */
export class PressRateLimiter {
  readonly presses: number;
  readonly perMs: number;
  readonly #clock: Clock;
  readonly #what: string;
  readonly #log = new Map<string, number[]>();
  #calls = 0;

  /** `what` names the counted thing in the refusal ("presses", "boots"). */
  constructor(limit: { presses: number; perMs: number }, clock: Clock, what = 'presses') {
    if (!Number.isSafeInteger(limit.presses) || limit.presses < 1)
      throw new InvalidInputError('pressRateLimit.presses', 'must be a positive integer');
    if (!Number.isFinite(limit.perMs) || limit.perMs <= 0)
      throw new InvalidInputError('pressRateLimit.perMs', 'must be a positive number');
    this.presses = limit.presses;
    this.perMs = limit.perMs;
    this.#clock = clock;
    this.#what = what;
  }

  /** Counts one press for `key`, or throws RateLimitedError with the wait until the next one. */
  take(key: string): void {
    const now = this.#clock.now();
    if (++this.#calls % SWEEP_EVERY === 0) this.#sweep(now);
    let times = this.#log.get(key);
    if (times === undefined) {
      times = [];
      this.#log.set(key, times);
    }
    while (times.length > 0 && (times[0] as number) <= now - this.perMs) times.shift();
    if (times.length >= this.presses) {
      throw new RateLimitedError((times[0] as number) + this.perMs - now, this.#what);
    }
    times.push(now);
  }

  /** Number of keys tracked (for tests of the sweep). */
  get size(): number {
    return this.#log.size;
  }

  #sweep(now: number): void {
    for (const [key, times] of this.#log) {
      const last = times[times.length - 1];
      if (last === undefined || last <= now - this.perMs) this.#log.delete(key);
    }
  }
}
