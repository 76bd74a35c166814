/**
 * Hands out event-loop iterations one message at a time. A burst of messages (300 players
 * pressing at once) arrives in one poll of the event loop; handled there and then, everything
 * else (another channel's page, /healthz) waits for all of them. Through `next()` each message
 * starts in an iteration of its own, so the I/O that came in meanwhile is served between two
 * messages: the longest wait is one message's work, whatever the size of the burst. Order is
 * kept (first asked, first served).
 */
export class FairTurns {
  #waiting: (() => void)[] = [];
  #head = 0;
  #scheduled = false;

  /** Resolves in a later iteration of the event loop, after every earlier caller's turn. */
  next(): Promise<void> {
    return new Promise((resolve) => {
      this.#waiting.push(resolve);
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(this.#run);
      }
    });
  }

  /** Callers waiting for their turn. */
  get waiting(): number {
    return this.#waiting.length - this.#head;
  }

  // One waiter per check phase: its work runs in the microtasks after this callback, and the
  // next turn is an immediate queued now, which runs only after the next poll for I/O.
  readonly #run = (): void => {
    const resolve = this.#waiting[this.#head];
    this.#head++;
    if (this.#head === this.#waiting.length) {
      this.#waiting = [];
      this.#head = 0;
      this.#scheduled = false;
    } else {
      if (this.#head >= 1024) {
        this.#waiting = this.#waiting.slice(this.#head);
        this.#head = 0;
      }
      setImmediate(this.#run);
    }
    resolve?.();
  };
}
