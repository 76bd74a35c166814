import { type Clock, systemClock, type TimerHandle } from '../core/clock.js';
import type { ChannelView, HostEvent } from '../host/types.js';
import { MessageEdits } from './message-edits.js';
import { type ChannelMessenger, type Logger, silentLogger } from './messenger.js';
import { type MessageBody, renderScene, renderWriting } from './render.js';

/** A narration shorter than this shows no "writing" message: its scene is posted directly. */
const WRITING_DELAY_MS = 1000;
const STOPPED = '⏹️ The narration stopped; it runs again when the game is loaded.';

/** PresenterOptions.claimPost over a store shared by the workers (a day outlives any scene). */
export function scenePostClaim(store: {
  claimOnce(name: string, ttlMs: number): Promise<boolean>;
}): NonNullable<PresenterOptions['claimPost']> {
  return (channelId, gameId, turn) =>
    store.claimOnce(`discord-post:${channelId}:${gameId}:${turn}`, 24 * 60 * 60 * 1000);
}

class SceneMessage {
  messageId: string | null;
  /** This worker posted it (it won the scene's claim). */
  owned = false;
  /** It shows streamed narrator text (`streamed`), not yet the scene. */
  streaming = false;
  streamed = '';
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

interface Writing {
  key: string;
  /** The 'narrating' view of the scene being written. */
  view: ChannelView;
  text: string;
  timer: TimerHandle | null;
}

interface ChannelState {
  current: SceneMessage | null;
  /** The narration in progress (status 'narrating'), with its streamed text so far. */
  writing: Writing | null;
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
    this.#log = options.log ?? silentLogger;
  }

  /** Starts following a channel's events (idempotent). */
  watch(channelId: string): void {
    if (this.#channels.has(channelId)) return;
    const state: ChannelState = {
      current: null,
      writing: null,
      queue: Promise.resolve(),
      unsubscribe: () => {},
    };
    this.#channels.set(channelId, state);
    state.unsubscribe = this.#subscribe(channelId, (e) => {
      if (e.type === 'view') this.show(e.view);
      else if (e.type === 'text') this.#text(e.channelId, e.delta, e.first === true);
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
    this.#followWriting(state, view, key);
    const current = state.current;
    if (current !== null && current.key === key) {
      current.view = view;
      if (current.streaming) {
        // The message shows the text being written: it becomes the scene once it is ready.
        if (view.status !== 'narrating') this.#finishWriting(state, current);
        return;
      }
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
    this.#post(state, message, [...leading, main], () => renderScene(message.view).main);
  }

  /**
   * Posts `bodies` (the last one is `message`'s) in the channel's order if `mayPost()` (by
   * default: this worker wins the scene's claim); then sends `latest()` if the view changed
   * meanwhile.
   */
  #post(
    state: ChannelState,
    message: SceneMessage,
    bodies: MessageBody[],
    latest: () => MessageBody,
    mayPost: () => Promise<boolean> = () => this.#claim(message.view),
  ): void {
    const channelId = message.channelId;
    state.queue = state.queue.then(async () => {
      try {
        // Otherwise another worker posts it; a button press on it tells this one its id.
        if (!(await mayPost())) return;
        message.owned = true;
        const last = bodies.length - 1;
        for (const body of bodies.slice(0, last)) await this.#messenger.post(channelId, body);
        const main = bodies[last] as MessageBody;
        message.messageId = await this.#messenger.post(channelId, main);
        message.edits.written(main);
        message.edits.schedule(latest());
        message.edits.pump();
      } catch (error) {
        this.#log.warn({ err: error, channelId }, 'posting the scene failed');
      }
    });
  }

  /** Whether this worker posts the view's scene (always, unless several workers share it). */
  async #claim(view: ChannelView): Promise<boolean> {
    const game = view.game;
    if (this.#claimPost === undefined || game === null) return true;
    return this.#claimPost(view.channelId, game.gameId, view.turn);
  }

  /** Keeps the channel's narration in progress (streamed text) in step with its views. */
  #followWriting(state: ChannelState, view: ChannelView, key: string | null): void {
    const narrating = view.status === 'narrating' && (view.decision ?? null) === null;
    if (narrating && key !== null) {
      if (state.writing?.key === key) state.writing.view = view;
      else {
        this.#stopWriting(state);
        state.writing = { key, view, text: '', timer: null };
      }
      return;
    }
    this.#stopWriting(state);
  }

  #stopWriting(state: ChannelState): void {
    if (state.writing?.timer) this.#clock.clearTimer(state.writing.timer);
    state.writing = null;
  }

  /** Streamed narrator text: shown once a narration has run WRITING_DELAY_MS (an ink scene,
   *  written at once, is posted as the scene directly), then edited as it grows. */
  #text(channelId: string, delta: string, first: boolean): void {
    const state = this.#channels.get(channelId);
    const w = state?.writing;
    if (state === undefined || w === undefined || w === null) return;
    // A new attempt (another worker took the turn over) replaces a cut-off one's text.
    w.text = first ? delta : w.text + delta;
    const current = state.current;
    if (current?.key === w.key) {
      if (current.streaming) {
        current.streamed = w.text;
        current.edits.schedule(renderWriting(w.view, w.text));
      }
      return;
    }
    if (w.timer !== null) return;
    w.timer = this.#clock.setTimer(() => {
      w.timer = null;
      if (state.writing !== w || state.current?.key === w.key) return;
      const message = this.#message(channelId, w.key, w.view, null);
      message.streaming = true;
      message.streamed = w.text;
      state.current = message;
      this.#post(state, message, [renderWriting(w.view, w.text)], () =>
        message.streaming ? renderWriting(w.view, w.text) : renderScene(message.view).main,
      );
    }, WRITING_DELAY_MS);
  }

  /** The narration is over: its message becomes the scene (or, for a scene longer than one
   *  message, its first piece, the rest following as new messages). */
  #finishWriting(state: ChannelState, message: SceneMessage): void {
    message.streaming = false;
    const { leading, main } = renderScene(message.view);
    const [first, ...rest] = leading;
    if (first === undefined) {
      message.edits.schedule(main);
      return;
    }
    message.edits.schedule(first, true);
    void message.edits.settled().then(() => this.#allEdits.delete(message.edits));
    const next = this.#message(message.channelId, message.key, message.view, null);
    state.current = next;
    // The scene's claim was won (or lost) by the writing message: whoever posted it finishes it.
    this.#post(
      state,
      next,
      [...rest, main],
      () => renderScene(next.view).main,
      async () => message.owned,
    );
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
    for (const s of this.#channels.values()) {
      s.unsubscribe();
      this.#stopWriting(s);
    }
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
    const last = message.streaming
      ? renderWriting(message.view, message.streamed, STOPPED)
      : renderScene(message.view, true).main;
    message.edits.schedule(last, true);
    void message.edits.settled().then(() => this.#allEdits.delete(message.edits));
  }
}
