import { type APIMessage, type REST, Routes } from 'discord.js';
import { type Clock, systemClock, type TimerHandle } from '../core/clock.js';
import type { ChannelView, HostEvent } from '../host/types.js';
import { type MessageBody, renderScene } from './render.js';

/** Posting and editing channel messages (the bot's own, so they outlive interaction tokens). */
export interface ChannelMessenger {
  post(channelId: string, body: MessageBody): Promise<string>;
  edit(channelId: string, messageId: string, body: MessageBody): Promise<void>;
}

/** A messenger over discord.js' REST client (rate limits and 429 retries are handled there). */
export function restMessenger(rest: REST): ChannelMessenger {
  return {
    async post(channelId, body) {
      const message = (await rest.post(Routes.channelMessages(channelId), { body })) as APIMessage;
      return message.id;
    },
    async edit(channelId, messageId, body) {
      await rest.patch(Routes.channelMessage(channelId, messageId), { body });
    },
  };
}

export type Logger = (message: string, error?: unknown) => void;

/** PresenterOptions.claimPost over a store shared by the workers (a day outlives any scene). */
export function scenePostClaim(store: {
  claimOnce(name: string, ttlMs: number): Promise<boolean>;
}): NonNullable<PresenterOptions['claimPost']> {
  return (channelId, gameId, turn) =>
    store.claimOnce(`discord-post:${channelId}:${gameId}:${turn}`, 24 * 60 * 60 * 1000);
}

/**
 * Edits of one message, coalesced: at most one edit per `intervalMs`, always the latest body,
 * an identical body skipped, and nothing after `seal` has been sent.
 */
class MessageEdits {
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
      .catch((error: unknown) => this.log(`editing message ${messageId} failed`, error))
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

class SceneMessage {
  messageId: string | null;
  readonly edits: MessageEdits;

  constructor(
    readonly channelId: string,
    readonly key: string,
    public view: ChannelView,
    messageId: string | null,
    make: (target: () => { channelId: string; messageId: string | null }) => MessageEdits,
  ) {
    this.messageId = messageId;
    this.edits = make(() => ({ channelId: this.channelId, messageId: this.messageId }));
  }
}

interface ChannelState {
  current: SceneMessage | null;
  /** Posts of this channel, in order. */
  queue: Promise<void>;
  unsubscribe: () => void;
}

export interface PresenterOptions {
  messenger: ChannelMessenger;
  subscribe: (channelId: string, listener: (e: HostEvent) => void) => () => void;
  clock?: Clock;
  /** Minimum time between two edits of one message. Default 1000 ms. */
  editIntervalMs?: number;
  log?: Logger;
  /**
   * Several workers following one channel (HTTP mode behind a load balancer): resolves true in
   * exactly one of them per scene, which posts it (e.g. RedisStore.claimOnce); the others edit
   * the message once a button press on it reaches them. Default: always post.
   */
  claimPost?: (channelId: string, gameId: string, turn: number) => Promise<boolean>;
}

const sceneKey = (v: ChannelView): string | null =>
  v.game === null || v.scene === null ? null : `${v.game.gameId}\u0000${v.turn}`;

/**
 * Draws the host's channel views as Discord messages: one message per scene (posted when the
 * scene appears), edited as presses arrive (coalesced), sealed with one last edit that disables
 * its buttons when the scene is over. Driven by the host's events, so narration that takes long
 * happens outside any interaction.
 */
export class Presenter {
  readonly #channels = new Map<string, ChannelState>();
  readonly #messenger: ChannelMessenger;
  readonly #subscribe: PresenterOptions['subscribe'];
  readonly #clock: Clock;
  readonly #interval: number;
  readonly #log: Logger;
  readonly #allEdits = new Set<MessageEdits>();
  readonly #claimPost: PresenterOptions['claimPost'];

  constructor(options: PresenterOptions) {
    this.#claimPost = options.claimPost;
    this.#messenger = options.messenger;
    this.#subscribe = options.subscribe;
    this.#clock = options.clock ?? systemClock;
    this.#interval = options.editIntervalMs ?? 1000;
    this.#log = options.log ?? (() => {});
  }

  /** Starts following a channel's events (idempotent). */
  watch(channelId: string): void {
    if (this.#channels.has(channelId)) return;
    const state: ChannelState = { current: null, queue: Promise.resolve(), unsubscribe: () => {} };
    this.#channels.set(channelId, state);
    state.unsubscribe = this.#subscribe(channelId, (e) => {
      if (e.type === 'view') this.show(e.view);
    });
  }

  /**
   * Learns the message a button was pressed on, so a worker that did not post the scene (HTTP
   * mode behind a load balancer, or after a restart) edits it instead of posting it again.
   */
  adopt(view: ChannelView, messageId: string | null): void {
    const key = sceneKey(view);
    if (messageId === null || key === null) return;
    this.watch(view.channelId);
    const state = this.#channels.get(view.channelId);
    if (state === undefined) return;
    const current = state.current;
    if (current?.key === key) {
      if (current.messageId === null) {
        // Posted by another worker: now this one can edit it too.
        current.messageId = messageId;
        current.edits.pump();
      }
      return;
    }
    if (current) this.#seal(current);
    state.current = this.#message(view.channelId, key, view, messageId);
  }

  /** Draws a view: a new scene is posted, a change to the current scene is an edit. */
  show(view: ChannelView): void {
    this.watch(view.channelId);
    const state = this.#channels.get(view.channelId);
    if (state === undefined) return;
    const key = sceneKey(view);
    const current = state.current;
    if (current !== null && current.key === key) {
      current.view = view;
      current.edits.schedule(renderScene(view).main);
      return;
    }
    if (current !== null) {
      this.#seal(current);
      state.current = null;
    }
    if (key === null) return;
    // Only a scene waiting for presses or a decision (or the last one) is posted; a worker that
    // sees a closing window for a message it never knew leaves it to the worker that posted it.
    const decision = view.status === 'narrating' && (view.decision ?? null) !== null;
    if (
      view.status !== 'playing' &&
      view.status !== 'ended' &&
      view.status !== 'failed' &&
      !decision
    )
      return;
    const message = this.#message(view.channelId, key, view, null);
    state.current = message;
    const { leading, main } = renderScene(view);
    const game = view.game;
    state.queue = state.queue.then(async () => {
      try {
        if (
          this.#claimPost !== undefined &&
          game !== null &&
          !(await this.#claimPost(view.channelId, game.gameId, view.turn))
        )
          return; // another worker posts it; a button press on it tells this one its id
        for (const body of leading) await this.#messenger.post(view.channelId, body);
        message.messageId = await this.#messenger.post(view.channelId, main);
        message.edits.written(main);
        message.edits.schedule(renderScene(message.view).main);
        message.edits.pump();
      } catch (error) {
        this.#log(`posting the scene in channel ${view.channelId} failed`, error);
      }
    });
  }

  /** Resolves when every post and edit started so far has been sent (tests, shutdown). */
  async settled(): Promise<void> {
    for (;;) {
      await Promise.all([...this.#channels.values()].map((s) => s.queue));
      await Promise.all([...this.#allEdits].map((e) => e.settled()));
      if ([...this.#allEdits].every((e) => e.idle)) return;
    }
  }

  close(): void {
    for (const s of this.#channels.values()) s.unsubscribe();
    this.#channels.clear();
  }

  #message(
    channelId: string,
    key: string,
    view: ChannelView,
    messageId: string | null,
  ): SceneMessage {
    const message = new SceneMessage(
      channelId,
      key,
      view,
      messageId,
      (target) => new MessageEdits(target, this.#messenger, this.#clock, this.#interval, this.#log),
    );
    this.#allEdits.add(message.edits);
    return message;
  }

  /** The one last edit of a scene's message: its final state, every button disabled. */
  #seal(message: SceneMessage): void {
    if (message.edits.sealed) return;
    message.edits.schedule(renderScene(message.view, true).main, true);
    void message.edits.settled().then(() => this.#allEdits.delete(message.edits));
  }
}
