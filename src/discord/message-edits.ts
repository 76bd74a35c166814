import type { Clock, TimerHandle } from '../core/clock.js';
import type { ChannelMessenger, Logger } from './messenger.js';
import type { MessageBody } from './render.js';

/**
 * Edits of one message, coalesced: at most one edit per `intervalMs`, always the latest body,
 * an identical body skipped, and nothing after `seal` has been sent.
 */
export class MessageEdits {
  #pending: MessageBody | null = null;
  #lastJson = '';
  #lastAt = Number.NEGATIVE_INFINITY;
  #timer: TimerHandle | null = null;
  #inflight = false;
  #sealing = false;
  #sealed = false;
  #idle: Array<() => void> = [];

  constructor(
    private readonly target: () => { channelId: string; messageId: string | null },
    private readonly messenger: ChannelMessenger,
    private readonly clock: Clock,
    private readonly intervalMs: number,
    private readonly log: Logger,
  ) {}

  /** Marks the message as just written (its post counts against the edit rate). */
  written(body: MessageBody): void {
    this.#lastJson = JSON.stringify(body);
    this.#lastAt = this.clock.now();
  }

  schedule(body: MessageBody, seal = false): void {
    if (this.#sealing || this.#sealed) return;
    this.#pending = body;
    if (seal) this.#sealing = true;
    this.pump();
  }

  get sealed(): boolean {
    return this.#sealing || this.#sealed;
  }

  /** Nothing pending (or nothing that can be sent before the message id is known), waiting or
   *  in flight. */
  get idle(): boolean {
    return (
      (this.#pending === null || this.target().messageId === null) &&
      !this.#inflight &&
      this.#timer === null
    );
  }

  /** Resolves once nothing is pending or in flight. */
  settled(): Promise<void> {
    if (this.idle) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  pump(): void {
    if (this.#inflight || this.#timer !== null || this.#pending === null) {
      if (this.idle) this.#wake();
      return;
    }
    const { channelId, messageId } = this.target();
    if (messageId === null) {
      // The post is in flight (pumped again when it lands), or another worker posted the
      // message (pumped again when a button press tells us its id).
      this.#wake();
      return;
    }
    const wait = this.#lastAt + this.intervalMs - this.clock.now();
    if (wait > 0) {
      this.#timer = this.clock.setTimer(() => {
        this.#timer = null;
        this.pump();
      }, wait);
      return;
    }
    const body = this.#pending;
    this.#pending = null;
    const json = JSON.stringify(body);
    if (json === this.#lastJson) {
      if (this.#sealing) this.#sealed = true;
      this.pump();
      return;
    }
    this.#inflight = true;
    this.#lastAt = this.clock.now();
    this.#lastJson = json;
    const sealing = this.#sealing;
    this.messenger
      .edit(channelId, messageId, body)
      .catch((error: unknown) =>
        this.log.warn({ err: error, messageId }, 'editing a message failed'),
      )
      .finally(() => {
        // Counted from the answer, so Discord sees the edits at least `intervalMs` apart.
        this.#lastAt = this.clock.now();
        this.#inflight = false;
        if (sealing) this.#sealed = true;
        this.pump();
      });
  }

  #wake(): void {
    const waiters = this.#idle;
    this.#idle = [];
    for (const w of waiters) w();
  }
}
