import type { Clock, TimerHandle } from './clock.js';
import { GameSessionError, StoreClosedError, StoreError } from './errors.js';
import type { CloseOutcome } from './session-state.js';

/** Delay before a window close that failed on an unreachable store is tried again. */
const CLOSE_RETRY_MS = 1000;

/** Marks a window's promise as handled: nobody may be waiting on a cancelled window. */
const ignore = (): void => {};

/** The owner's method that closes a window (a symbol: not part of the session's public API). */
export const CLOSE_WINDOW: unique symbol = Symbol('closeWindow');

/**
 * The session that owns a window. `[CLOSE_WINDOW]` closes `window` by the session's rules and
 * reports back through `window.closed` or `window.closeFailed`; memory-only it works
 * synchronously (returns undefined, so no promise is made per close), through a store it returns
 * the promise of that work. A prototype method rather than a closure per session or per window:
 * a process may hold 100k open windows (bench/windows.bench.ts), and a closure each cost ~350 B.
 */
export interface WindowOwner {
  [CLOSE_WINDOW](window: CountdownWindow, early: boolean): Promise<void> | undefined;
}

/**
 * One turn's countdown window as a session sees it: the timer that closes it at its deadline and
 * the promise every waiter of the turn shares. The session owns it (timers owned by the session,
 * cancelled when the game ends); the rules that close a window stay with the session, behind
 * `close`. Settles once: a later close, cancel or outcome is ignored.
 */
export class CountdownWindow {
  readonly turn: number;
  /** Resolves with the window's choices (user id → choice), or rejects with what ended it. */
  readonly promise: Promise<Map<string, string>>;
  readonly #clock: Clock;
  readonly #owner: WindowOwner;
  readonly #resolve: (choices: Map<string, string>) => void;
  readonly #reject: (error: Error) => void;
  #timer: TimerHandle | null = null;
  #settled = false;
  #retrying = false;
  /** The close on its way to the store, and whether it closes early: a close asked for while it
   *  travels (the presses that follow everyone's choice) waits for it instead of asking again. */
  #closing: Promise<void> | null = null;
  #closingEarly = false;

  constructor(turn: number, clock: Clock, owner: WindowOwner) {
    this.turn = turn;
    this.#clock = clock;
    this.#owner = owner;
    let resolve!: (c: Map<string, string>) => void;
    let reject!: (e: Error) => void;
    this.promise = new Promise<Map<string, string>>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    this.#resolve = resolve;
    this.#reject = reject;
  }

  /** True once the promise is settled (closed, failed or cancelled). */
  get settled(): boolean {
    return this.#settled;
  }

  /** The last attempt to close the window failed on an unreachable store; it is retried. */
  get retryingClose(): boolean {
    return this.#retrying && !this.#settled;
  }

  /** Closes the window `delayMs` from now. */
  arm(delayMs: number): void {
    this.#timer = this.#clock.setTimer(() => {
      this.#timer = null;
      void this.closeNow(false);
    }, delayMs);
  }

  /** Closes the window now (its timer is cleared); `early` closes it before its deadline. */
  closeNow(early: boolean): Promise<void> | undefined {
    if (this.#settled) return;
    // A close at the deadline may be answered "still open" (clock skew): an early one still goes.
    if (this.#closing !== null && (this.#closingEarly || !early)) return this.#closing;
    this.#disarm();
    const closing = this.#owner[CLOSE_WINDOW](this, early);
    if (closing === undefined) return undefined;
    const tracked: Promise<void> = closing.finally(() => {
      if (this.#closing === tracked) this.#closing = null;
    });
    this.#closing = tracked;
    this.#closingEarly = early;
    return tracked;
  }

  /** The rules' answer to a close: still open (clock skew) re-arms the timer, closed settles. */
  closed(out: CloseOutcome): void {
    if (this.#settled) return;
    if (out.status === 'open') {
      this.arm(out.msRemaining);
      return;
    }
    this.settle(out.choices);
  }

  /** A close threw: retried shortly while the store is unreachable and the session is active. */
  closeFailed(e: unknown, sessionActive: boolean): void {
    if (this.#settled) return;
    if (e instanceof StoreError && !(e instanceof StoreClosedError) && sessionActive) {
      // The store is unreachable: the window's choices are safe in it; try again shortly.
      this.#retrying = true;
      this.arm(CLOSE_RETRY_MS);
      return;
    }
    this.#fail(e instanceof Error ? e : new GameSessionError('UNKNOWN', String(e)));
  }

  /** Resolves every waiter with the window's choices. */
  settle(choices: Map<string, string>): void {
    // A timer re-armed by an earlier close's late answer ("still open") has nothing left to do.
    this.#disarm();
    this.#settled = true;
    this.#resolve(choices);
  }

  /** Stops the timer and rejects every waiter with `error` (exit, swap, dispose). */
  cancel(error: Error): void {
    if (this.#settled) return;
    this.#disarm();
    this.#fail(error);
  }

  #disarm(): void {
    if (this.#timer !== null) this.#clock.clearTimer(this.#timer);
    this.#timer = null;
  }

  #fail(error: Error): void {
    this.#settled = true;
    // Nobody may be waiting on a failed window; that must not crash the process. The handler is
    // attached only now (not for every window), before the rejection, so it is never unhandled.
    this.promise.catch(ignore);
    this.#reject(error);
  }
}
