/**
 * Resolvers waiting for a 'host decides' pick, keyed by game and turn: the part of a TurnDriver's
 * awaitDecision/decided that is the same in every driver. `wait` resolves on `wake` (or after
 * `recheckMs`, when given: the caller re-reads the store and waits again) and rejects when its
 * signal aborts.
 */
export class DecisionWaiters {
  readonly #waiters = new Map<string, Set<() => void>>();

  wait(gameId: string, turn: number, signal: AbortSignal, recheckMs?: number): Promise<void> {
    const key = `${turn}\u0000${gameId}`;
    return new Promise<void>((resolve, reject) => {
      if (signal.aborted) {
        reject(signal.reason);
        return;
      }
      const waiters = this.#waiters.get(key) ?? new Set<() => void>();
      this.#waiters.set(key, waiters);
      const done = (): void => {
        if (timer !== undefined) clearTimeout(timer);
        signal.removeEventListener('abort', stop);
        waiters.delete(wake);
        if (waiters.size === 0 && this.#waiters.get(key) === waiters) this.#waiters.delete(key);
      };
      const wake = (): void => {
        done();
        resolve();
      };
      const stop = (): void => {
        done();
        reject(signal.reason);
      };
      const timer = recheckMs === undefined ? undefined : setTimeout(wake, recheckMs);
      waiters.add(wake);
      // Stryker disable next-line ObjectLiteral,BooleanLiteral: equivalent, stop's done() removes the listener anyway
      signal.addEventListener('abort', stop, { once: true });
    });
  }

  /** Number of picks (game and turn) someone waits for: what stays in memory (for tests of the
   *  clean-up). */
  get size(): number {
    return this.#waiters.size;
  }

  /** Wakes every resolver waiting for this game's pick at `turn`. */
  wake(gameId: string, turn: number): void {
    for (const wake of [...(this.#waiters.get(`${turn}\u0000${gameId}`) ?? [])]) wake();
  }
}
