import type { Clock, TimerHandle } from '../core/clock.js';
import { StoreClosedError, StoreError, StoreUncertainError } from '../core/errors.js';

/** A window this late past its deadline is taken as stuck on an unreachable store (a close that
 *  fails on the store is retried every second by the session). */
const OVERDUE_WINDOW_MS = 2500;

/** Shown in the view while an open window cannot be closed because the store is unreachable. */
export const STORE_UNREACHABLE_NOTICE =
  "The game's store cannot be reached; the turn will close when it is back (no press is lost).";

/** Re-reading a channel after an uncertain call is tried again this often while the store fails. */
const RESYNC_RETRY_MS = 1000;

/** The error a player gets for an action (`what`: 'your press', 'the boot'…) whose outcome
 *  the store left unknown. */
export function mayBeRecorded(what: string, cause: StoreUncertainError): StoreUncertainError {
  return new StoreUncertainError(
    `the game's store did not answer in time: ${what} may have been recorded. The channel is shown again as soon as the store answers (${cause.message})`,
    { cause, settled: cause.settled },
  );
}

/**
 * The timer of one runner that notices an open window still open OVERDUE_WINDOW_MS after its
 * deadline, i.e. its close keeps failing on the store. Owned by the runner: stopped when the
 * window closes or the runner lets the game go.
 */
export class OverdueWindow {
  readonly #clock: Clock;
  readonly #onOverdue: () => void;
  #timer: TimerHandle | null = null;

  constructor(clock: Clock, onOverdue: () => void) {
    this.#clock = clock;
    this.#onOverdue = onOverdue;
  }

  /** Watches the window that closes at `deadlineMs` (replacing any earlier watch). */
  watch(deadlineMs: number): void {
    this.stop();
    const delay = deadlineMs + OVERDUE_WINDOW_MS - this.#clock.now();
    this.#timer = this.#clock.setTimer(() => {
      this.#timer = null;
      this.#onOverdue();
    }, delay);
  }

  stop(): void {
    if (this.#timer !== null) this.#clock.clearTimer(this.#timer);
    this.#timer = null;
  }
}

/** One channel's pending re-read: what it waits for, and its retry timer. */
interface Resync {
  /** The uncertain calls to land before the channel is read (a read that overtook one of them
   *  on another connection would show the channel without it). */
  after: Promise<void>;
  /** Another uncertain call came during the read: read once more after it lands. */
  again: boolean;
  timer: TimerHandle | null;
}

/**
 * Channels to read again from the store after a call whose outcome is unknown (a stalled Redis
 * applies it when it resumes): once that call has landed, `refresh` reloads the channel and
 * pushes its view to every subscriber; while the store keeps failing it is tried again every
 * RESYNC_RETRY_MS. One pending re-read per channel; every timer is cleared by `close`.
 */
export class ChannelResync {
  readonly #clock: Clock;
  readonly #refresh: (channelId: string) => Promise<void>;
  readonly #pending = new Map<string, Resync>();
  #closed = false;

  constructor(clock: Clock, refresh: (channelId: string) => Promise<void>) {
    this.#clock = clock;
    this.#refresh = refresh;
  }

  /** Re-reads `channelId` once `after` (the uncertain call) has settled. */
  request(channelId: string, after: Promise<void> = Promise.resolve()): void {
    if (this.#closed) return;
    const pending = this.#pending.get(channelId);
    if (pending !== undefined) {
      pending.after = Promise.all([pending.after, after]).then(() => {});
      pending.again = true;
      return;
    }
    const r: Resync = { after, again: false, timer: null };
    this.#pending.set(channelId, r);
    this.#attempt(channelId, r);
  }

  /** A re-read of the channel is pending. */
  has(channelId: string): boolean {
    return this.#pending.has(channelId);
  }

  close(): void {
    this.#closed = true;
    for (const r of this.#pending.values()) if (r.timer !== null) this.#clock.clearTimer(r.timer);
    this.#pending.clear();
  }

  #attempt(channelId: string, r: Resync): void {
    r.timer = null;
    r.again = false;
    r.after
      .then(() => (this.#closed ? undefined : this.#refresh(channelId)))
      .then(
        () => {
          if (r.again && !this.#closed) this.#attempt(channelId, r);
          else this.#pending.delete(channelId);
        },
        (e: unknown) => {
          if (this.#closed || !(e instanceof StoreError) || e instanceof StoreClosedError) {
            this.#pending.delete(channelId);
            return;
          }
          r.timer = this.#clock.setTimer(() => {
            if (!this.#closed) this.#attempt(channelId, r);
          }, RESYNC_RETRY_MS);
        },
      );
  }
}
