import type { Clock } from '../core/clock.js';
import { InvalidInputError } from '../core/errors.js';

/** A channel nobody used for this long is let go from memory (GameHostOptions.evictIdleAfterMs). */
export const DEFAULT_EVICT_IDLE_AFTER_MS = 10 * 60_000;

/**
 * When each channel of a host was last used, and which ones have been idle long enough to be
 * let go (their game stays in the store and is loaded again on the next use). Looked at while
 * the host works (each call), at most twice per idle period, rather than by a timer of its own:
 * an idle process then keeps no timer alive, and a busy one sweeps as it goes.
 */
export class IdleChannels {
  readonly #clock: Clock;
  readonly #idleMs: number;
  readonly #lastUsed = new Map<string, number>();
  #nextSweep: number;

  constructor(clock: Clock, idleMs: number) {
    if (!(idleMs > 0)) throw new InvalidInputError('evictIdleAfterMs', 'must be a positive number');
    this.#clock = clock;
    this.#idleMs = idleMs;
    this.#nextSweep = clock.now() + this.#period();
  }

  touch(channelId: string): void {
    // Re-inserted: the map stays in order of last use, so a sweep stops at the first recent one.
    this.#lastUsed.delete(channelId);
    this.#lastUsed.set(channelId, this.#clock.now());
  }

  forget(channelId: string): void {
    this.#lastUsed.delete(channelId);
  }

  /** The channels unused for the idle period, when a sweep is due (else none). */
  due(): string[] {
    const now = this.#clock.now();
    if (now < this.#nextSweep) return [];
    this.#nextSweep = now + this.#period();
    const out: string[] = [];
    for (const [channelId, at] of this.#lastUsed) {
      if (at > now - this.#idleMs) break;
      out.push(channelId);
    }
    return out;
  }

  #period(): number {
    return Number.isFinite(this.#idleMs) ? this.#idleMs / 2 : Number.POSITIVE_INFINITY;
  }
}
