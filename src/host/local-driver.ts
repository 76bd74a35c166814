import { windowCommitKey } from '../core/store-port.js';
import { DecisionWaiters } from './decision-waiters.js';
import type { ClosedTurn, TurnDriver, TurnLease, TurnLoop } from './turn-driver.js';

/**
 * The single-process TurnDriver: a closed window is resolved at once in this process, under an
 * in-memory lease (a local AbortController, aborted when the host closes); a turn is committed
 * by the session's own `recordTurn`; events go straight to this process' subscribers; a
 * 'host decides' pick wakes its resolver through an in-memory waiter.
 */
export class LocalTurnDriver implements TurnDriver {
  readonly sharesChannels = false;
  #loop: TurnLoop | null = null;
  #closed = false;
  readonly #leases = new Set<AbortController>();
  readonly #decisions = new DecisionWaiters();

  async start(loop: TurnLoop): Promise<void> {
    this.#loop = loop;
  }

  windowClosed(closed: ClosedTurn): Promise<void> {
    return this.#run(closed, false);
  }

  retry(closed: ClosedTurn): Promise<void> {
    return this.#run(closed, true);
  }

  publish(channelId: string, event: Parameters<TurnLoop['deliver']>[1]): void {
    if (!this.#closed) this.#loop?.deliver(channelId, event, false);
  }

  /** Every event of this process reaches its subscribers: nothing to subscribe to. */
  async watch(_channelId: string): Promise<void> {}

  unwatch(_channelId: string): void {}

  awaitDecision(gameId: string, turn: number, signal: AbortSignal): Promise<void> {
    return this.#decisions.wait(gameId, turn, signal);
  }

  decided(gameId: string, turn: number): void {
    this.#decisions.wake(gameId, turn);
  }

  async ready(): Promise<boolean> {
    return true;
  }

  /** Events reach this process' subscribers as they are published. */
  async delivered(): Promise<void> {}

  async close(): Promise<void> {
    this.#closed = true;
    for (const c of this.#leases) c.abort(new Error('the game host is closing'));
    this.#leases.clear();
  }

  #run(closed: ClosedTurn, retry: boolean): Promise<void> {
    const loop = this.#loop;
    if (loop === null || this.#closed) return Promise.resolve();
    const controller = new AbortController();
    this.#leases.add(controller);
    const lease: TurnLease = {
      signal: controller.signal,
      retry,
      // Keyed by the window: a second commit of this turn records nothing new.
      commit: (session, choices, summary, scene) =>
        session.recordTurn(choices, summary, undefined, {
          key: windowCommitKey(closed.turn),
          scene,
        }),
    };
    return loop
      .resolve(closed, lease)
      .then(
        () => {}, // an interrupted turn is resumed by whoever attaches its game next
        () => {}, // the loop reports its own failures (the 'failed' view)
      )
      .finally(() => this.#leases.delete(controller));
  }
}
