import { type Clock, systemClock } from './clock.js';
import { CLOSE_WINDOW, CountdownWindow, type WindowOwner } from './countdown-window.js';
import {
  CountdownCancelledError,
  CountdownNotStartedError,
  InvalidInputError,
  SessionActiveError,
  SessionInactiveError,
  WindowClosedError,
} from './errors.js';
import { formatChoices } from './format.js';
import {
  checkAppendKey,
  checkChannelId,
  checkChoice,
  checkCountdownSeconds,
  checkGameId,
  checkGameName,
  checkUserId,
  checkUserName,
  DEFAULT_COUNTDOWN_SECONDS,
} from './limits.js';
import { PlayerState } from './player-state.js';
import {
  applyClose,
  applyExit,
  type ClosedWindow,
  type CloseInput,
  type JsonValue,
  type PressInput,
  pressInto,
  registerPlayerIn,
  type SessionDict,
  type SessionState,
  stateFromDict,
  stateToDict,
} from './session-state.js';
import type { AppendTurnOptions, GamePatch, SessionStore } from './store-port.js';
import { titleScreenUri } from './title-card.js';
import { MemoryHistory } from './turn-history.js';
import { type ChoicesInput, type SceneText, TurnRecord, toChoiceMap } from './turn-record.js';

/** Makes a session loaded from a store time its open window (a symbol: not public API). */
export const JOIN_WINDOW: unique symbol = Symbol('joinWindow');

/** How `boot` obtains the title screen URL. */
export type TitleScreen = (game: {
  gameId: string;
  gameName: string;
  channelId: string;
}) => string | Promise<string>;

export interface GameSessionOptions {
  /** Length of a countdown window in seconds (default 10, fractions allowed). Saved with the game. */
  countdownSeconds?: number;
  clock?: Clock;
  titleScreen?: TitleScreen;
  /** The store this session persists to when a method is called without one. */
  store?: SessionStore | null;
  /** Id generator for new games (default: crypto.randomUUID). */
  newId?: () => string;
}

/** `recordTurn`'s options: the store's idempotency key, and the scene shown after the turn. */
export interface RecordTurnOptions extends AppendTurnOptions {
  /** Kept with the record so the story can be re-read (see TurnRecordDict.scene). */
  scene?: SceneText | undefined;
}

export interface SubmitResult {
  isFirstChoice: boolean;
  secondsRemaining: number;
}

/** Turns kept in memory per game when no store is bound (a store keeps its own, default 1000). */
const MEMORY_HISTORY_CAP = 1000;

/** How many distinct valid choice strings a session remembers, to skip re-checking them. */
const VALID_CHOICE_CACHE = 64;

/**
 * Core game state machine for one channel: boot → play (choice collection with a countdown) →
 * save/exit/hot-swap. Without a store it lives in memory; with one, every change is persisted
 * (atomically, through the store's rules) before the call that made it resolves.
 */
export class GameSession implements SessionState, WindowOwner {
  gameId: string;
  gameName: string;
  channelId: string;
  active = false;
  turnNumber = 0;
  titleScreenUrl = '';
  countdownSeconds: number;
  players = new Map<string, PlayerState>();
  pendingChoices = new Map<string, string>();
  windowDeadlineMs: number | null = null;
  lastWindow: ClosedWindow | null = null;
  /** The host's per-game data (scene, narrator state), saved with the game. */
  extra: Record<string, JsonValue> = {};
  createdAtMs: number;
  updatedAtMs: number;

  readonly #clock: Clock;
  readonly #titleScreen: TitleScreen;
  #store: SessionStore | null;
  #window: CountdownWindow | null = null;
  /** Turns recorded without a store (allocated on the first one). */
  #history: MemoryHistory | null = null;
  #validChoices: Set<string> | null = null;
  #lastValidChoice: string | null = null;
  /** Players registered since the last write to the store (allocated only when a store is bound). */
  #dirtyPlayers: Set<string> | null = null;

  constructor(channelId: string, gameName = '', gameId?: string, options: GameSessionOptions = {}) {
    this.channelId = checkChannelId(channelId);
    this.gameName = checkGameName(gameName);
    this.gameId = checkGameId(
      gameId ?? (options.newId ?? (() => globalThis.crypto.randomUUID()))(),
    );
    this.countdownSeconds = checkCountdownSeconds(
      options.countdownSeconds ?? DEFAULT_COUNTDOWN_SECONDS,
    );
    this.#clock = options.clock ?? systemClock;
    this.#titleScreen = options.titleScreen ?? titleScreenUri;
    this.#store = options.store ?? null;
    this.createdAtMs = this.#clock.now();
    this.updatedAtMs = this.createdAtMs;
  }

  /** The store this session persists to by default, or null (memory only). */
  get store(): SessionStore | null {
    return this.#store;
  }

  /** The open (or last) window's promise; null before the first press. */
  get countdownTask(): Promise<Map<string, string>> | null {
    return this.#window?.promise ?? null;
  }

  /** Seconds left in the open window, or null when none is open. */
  get secondsRemaining(): number | null {
    if (this.windowDeadlineMs === null) return null;
    return Math.max(0, this.windowDeadlineMs - this.#clock.now()) / 1000;
  }

  /** The open window is past its deadline and its close failed on an unreachable store (it is
   *  retried every second until the store answers). */
  get windowCloseFailing(): boolean {
    return this.#window?.retryingClose === true;
  }

  /** Initialises a new game in this session and returns the boot message. */
  async boot(gameName: string, store?: SessionStore): Promise<string> {
    checkGameName(gameName);
    if (this.active) throw new SessionActiveError();
    const target = store ?? this.#store;
    const now = this.#clock.now();
    const titleScreenUrl = await this.#titleScreen({
      gameId: this.gameId,
      gameName,
      channelId: this.channelId,
    });
    if (typeof titleScreenUrl !== 'string')
      throw new InvalidInputError('titleScreen', 'must produce a string URL');
    const fresh = {
      gameName,
      active: true,
      turnNumber: 0,
      titleScreenUrl,
      players: new Map<string, PlayerState>(),
      pendingChoices: new Map<string, string>(),
      windowDeadlineMs: null,
      lastWindow: null,
      createdAtMs: now,
      updatedAtMs: now,
    };
    // Stored first, applied after: a store that refuses the boot leaves this session unchanged.
    if (target !== null) await target.bootGame(stateToDict({ ...this, ...fresh }));
    Object.assign(this, fresh);
    this.#store = target;
    this.#window = null;
    this.#history = null;
    this.#dirtyPlayers = null;
    return [
      `🎮 GameGirl Color — ${gameName || 'untitled game'}`,
      `Title screen: ${titleScreenUrl}`,
      `Game ${this.gameId} is running in this channel. The first press of a turn starts a ${this.countdownSeconds}-second countdown.`,
    ].join('\n');
  }

  /** Saves the game (pending choices included) and unloads the session; returns a message. */
  async exitGame(store?: SessionStore): Promise<string> {
    if (!this.active) throw new SessionInactiveError();
    const target = store ?? this.#store;
    if (target !== null) {
      const saved = await target.exitGame(
        this.channelId,
        this.gameId,
        this.#clock.now(),
        this.#patch(false),
      );
      this.pendingChoices = stateFromDict(saved).pendingChoices;
      this.#dirtyPlayers = null;
    }
    applyExit(this, this.gameId, this.#clock.now());
    this.#window?.cancel(new CountdownCancelledError());
    const n = this.pendingChoices.size;
    const kept = n > 0 ? ` with ${n} pending choice${n === 1 ? '' : 's'}` : '';
    return `💾 Saved "${this.gameName || 'untitled game'}" at turn ${this.turnNumber}${kept}. Game id: ${this.gameId}.`;
  }

  /** Ensures a player is tracked (first call records joinedTurn; later calls update the name). */
  registerPlayer(userId: string, userName: string): void {
    checkUserId(userId);
    checkUserName(userName);
    registerPlayerIn(this, userId, userName);
    if (this.#store !== null) {
      this.#dirtyPlayers ??= new Set();
      this.#dirtyPlayers.add(userId);
    }
  }

  /**
   * Registers a press. The first press of a turn opens the countdown window; a player's later
   * press replaces their earlier one. `options.turn` (the turn the button was made for) refuses
   * presses on old buttons with StaleTurnError.
   */
  submitChoice(
    userId: string,
    userName: string,
    choice: string,
    options?: { turn?: number },
  ): Promise<SubmitResult> {
    try {
      // A known player pressing again under the same name: both strings equal values that were
      // validated when the player was registered, so only the choice needs checking.
      const known = this.players.get(userId);
      if (known === undefined || known.userName !== userName) {
        checkUserId(userId);
        checkUserName(userName);
      }
      if (choice !== this.#lastValidChoice && this.#validChoices?.has(choice) !== true) {
        checkChoice(choice);
        // Presses repeat a scene's few button labels: remember the valid ones (bounded).
        this.#validChoices ??= new Set();
        if (this.#validChoices.size >= VALID_CHOICE_CACHE) this.#validChoices.clear();
        this.#validChoices.add(choice);
      }
      this.#lastValidChoice = choice;
      const nowMs = this.#clock.now();
      const turn = options?.turn;
      const store = this.#store;
      if (store !== null) {
        return this.#pressThrough(store, {
          gameId: this.gameId,
          userId,
          userName,
          choice,
          turn,
          nowMs,
        });
      }
      const isFirstChoice = pressInto(
        this,
        this.gameId,
        userId,
        userName,
        choice,
        turn,
        nowMs,
        known,
      );
      const deadline = this.windowDeadlineMs as number;
      if (isFirstChoice) this.#trackWindow(this.turnNumber, deadline);
      return Promise.resolve({ isFirstChoice, secondsRemaining: (deadline - nowMs) / 1000 });
    } catch (e) {
      this.#closeMissedWindow(e);
      return Promise.reject(e);
    }
  }

  /**
   * A press after the deadline means the window's timer has not closed it here (e.g. this
   * session was loaded and nobody waited on it): close it now, so the next scene can come.
   */
  #closeMissedWindow(e: unknown): void {
    if (!(e instanceof WindowClosedError)) return;
    void this.#trackWindow(e.turn, this.windowDeadlineMs ?? this.#clock.now()).closeNow(false);
  }

  async #pressThrough(store: SessionStore, input: PressInput): Promise<SubmitResult> {
    const { userId, userName } = input;
    let out: Awaited<ReturnType<SessionStore['press']>>;
    try {
      out = await store.press(this.channelId, input);
    } catch (e) {
      this.#closeMissedWindow(e);
      throw e;
    }
    if (!this.players.has(userId))
      this.players.set(userId, new PlayerState(userId, userName, out.joinedTurn));
    else registerPlayerIn(this, userId, userName);
    this.#dirtyPlayers?.delete(userId);
    this.active = true;
    if (out.pending !== undefined) {
      this.pendingChoices = new Map(out.pending);
      // Choices of players another process registered: learn their names from the store.
      if (out.pending.some(([id]) => !this.players.has(id))) await this.#learnPlayers(store);
    } else {
      // Only this press is known: keep what this session saw of the same window, plus it.
      if (this.turnNumber !== out.turnNumber || this.windowDeadlineMs !== out.deadlineMs) {
        this.pendingChoices = new Map();
      }
      this.pendingChoices.set(userId, input.choice);
    }
    this.turnNumber = out.turnNumber;
    this.windowDeadlineMs = out.deadlineMs;
    this.#trackWindow(out.turnNumber, out.deadlineMs);
    return { isFirstChoice: out.isFirstChoice, secondsRemaining: out.secondsRemaining };
  }

  /**
   * Resolves when the open window closes, with the collected choices (user id → choice, in
   * first-press order). Every call for one window returns the same promise, also after it closed.
   */
  waitForCountdown(): Promise<Map<string, string>> {
    const w = this.#window;
    if (w !== null && !w.settled) return w.promise;
    // Bound to a store and knowing of no open window, this session may be out of date: another
    // process may have opened a newer window since. One read finds out.
    if (this.#store !== null && this.active && this.windowDeadlineMs === null)
      return this.#waitFromStore(this.#store);
    return this.#waitKnown();
  }

  #waitKnown(): Promise<Map<string, string>> {
    const w = this.#window;
    if (w !== null && !(this.windowDeadlineMs !== null && this.turnNumber > w.turn))
      return w.promise;
    if (this.windowDeadlineMs !== null)
      return this.#trackWindow(this.turnNumber, this.windowDeadlineMs).promise;
    if (this.lastWindow !== null) {
      const w = this.#newWindow(this.lastWindow.turn);
      w.settle(new Map(this.lastWindow.choices));
      return w.promise;
    }
    return Promise.reject(new CountdownNotStartedError());
  }

  /** Mirrors the stored game's window when it is newer than what this session knows, then waits. */
  async #waitFromStore(store: SessionStore): Promise<Map<string, string>> {
    const d = await store.loadGame(this.gameId);
    const w = this.#window;
    if (w !== null && !w.settled) return w.promise; // a press here meanwhile
    if (d !== null) {
      const st = stateFromDict(d);
      const known = w?.turn ?? this.lastWindow?.turn ?? -1;
      const newest = st.windowDeadlineMs !== null ? st.turnNumber : (st.lastWindow?.turn ?? -1);
      if (st.active && st.channelId === this.channelId && newest > known) {
        this.turnNumber = st.turnNumber;
        this.pendingChoices = st.pendingChoices;
        this.windowDeadlineMs = st.windowDeadlineMs;
        this.lastWindow = st.lastWindow;
        for (const [id, p] of st.players) if (!this.players.has(id)) this.players.set(id, p);
        if (st.windowDeadlineMs === null) this.#window = null;
      }
    }
    return this.#waitKnown();
  }

  /** Closes the open window now, before its deadline (e.g. every player has chosen). */
  async closeCountdownEarly(): Promise<Map<string, string>> {
    const w = this.#window;
    if (w === null || w.settled) throw new CountdownNotStartedError('no countdown window is open');
    await w.closeNow(true);
    return w.promise;
  }

  /**
   * Sets the scene on screen aside (the X-card): closes the current turn now, with the open
   * window's choices, or with none when no window is open (then no waiter is told: the caller
   * has the result). The turn advances once, like any close; every call for the turn agrees.
   */
  async setSceneAside(): Promise<Map<string, string>> {
    const w = this.#window;
    if (w !== null && !w.settled && w.turn === this.turnNumber) return this.closeCountdownEarly();
    const input = {
      gameId: this.gameId,
      turn: this.turnNumber,
      nowMs: this.#clock.now(),
      early: true,
      setAside: true,
    };
    // Not through a CountdownWindow: a close that fails here is the caller's to report, never
    // retried by a timer (there is no window to time).
    const out =
      this.#store !== null
        ? await this.#store.closeWindow(this.channelId, input)
        : applyClose(this, input);
    if (out.status !== 'closed') throw new CountdownNotStartedError('the turn could not be closed');
    if (this.turnNumber <= out.turn) {
      this.turnNumber = out.turn + 1;
      this.pendingChoices = new Map();
      this.windowDeadlineMs = null;
      this.lastWindow = { turn: out.turn, choices: out.choices };
    }
    this.#newWindow(out.turn).settle(new Map(out.choices));
    return new Map(out.choices);
  }

  /** The synthetic user message fed to the narrator as the next turn's input. */
  formatChoicesAsInput(choices: ChoicesInput): string {
    return formatChoices(toChoiceMap(choices), this.players);
  }

  /**
   * Records the completed turn (numbered `turnNumber`, i.e. after the window advanced it) and
   * returns the record as stored. Every call is kept (the last 1000 without a store, the store's
   * cap with one). `options.key` makes the call idempotent (see AppendTurnOptions): the host
   * passes windowCommitKey(turn) so a retried commit of a turn is recorded once; a repeated key
   * returns the record stored first. `options.scene`: the scene shown after the turn, kept with
   * the record (the host passes the narrator's next scene).
   */
  async recordTurn(
    choices: ChoicesInput,
    narrativeSummary: string,
    store?: SessionStore,
    options: RecordTurnOptions = {},
  ): Promise<TurnRecord> {
    const key = checkAppendKey(options.key);
    const record = new TurnRecord(
      this.turnNumber,
      choices,
      narrativeSummary,
      this.#clock.now() / 1000,
      options.scene ?? null,
    );
    const target = store ?? this.#store;
    if (target === null) {
      this.#history ??= new MemoryHistory(MEMORY_HISTORY_CAP);
      return this.#history.append(record, key);
    }
    const out = await target.appendTurn(
      this.gameId,
      record.toDict(),
      this.#patch(true),
      key === null ? {} : { key },
    );
    if (out.stored) this.#dirtyPlayers = null;
    return TurnRecord.fromDict(out.record);
  }

  /** The last `count` turns, oldest first. */
  async getTurnHistory(store?: SessionStore, count = 10): Promise<TurnRecord[]> {
    if (!Number.isSafeInteger(count) || count < 1 || count > 1000) {
      throw new InvalidInputError('count', 'must be an integer from 1 to 1000');
    }
    const target = store ?? this.#store;
    if (target === null) return this.#history?.last(count) ?? [];
    const dicts = await target.recentTurns(this.gameId, count);
    return dicts.map((d) => TurnRecord.fromDict(d));
  }

  /** Persists players registered since the last write and `extra` (no window changes). */
  async save(store?: SessionStore): Promise<void> {
    const target = store ?? this.#store;
    if (target === null) return;
    await target.updateGame(this.gameId, this.#patch(true), this.#clock.now());
    this.#dirtyPlayers = null;
  }

  /**
   * Changes the length of this game's windows from the next one on (an open window keeps its
   * deadline). Stored in one write with `extra` and new players, before it applies here.
   */
  async changeCountdown(seconds: number, store?: SessionStore): Promise<void> {
    const v = checkCountdownSeconds(seconds);
    const target = store ?? this.#store;
    if (target !== null) {
      const patch = { ...this.#patch(true), countdownSeconds: v };
      await target.updateGame(this.gameId, patch, this.#clock.now());
      this.#dirtyPlayers = null;
    }
    this.countdownSeconds = v;
  }

  /** Adds the players the store knows and this session does not (registered elsewhere). */
  async #learnPlayers(store: SessionStore): Promise<void> {
    const saved = await store.loadGame(this.gameId).catch(() => null);
    if (saved === null) return;
    for (const [id, d] of Object.entries(saved.players))
      if (!this.players.has(id)) this.players.set(id, PlayerState.fromDict(d));
  }

  /**
   * Stops this object without touching the store: the window timer is cancelled (waiters get
   * CountdownCancelledError) and the session is marked inactive. Used when the game was exited
   * or swapped out elsewhere, and at shutdown.
   */
  dispose(): void {
    this.active = false;
    this.#window?.cancel(new CountdownCancelledError('the session was disposed'));
  }

  toDict(): SessionDict {
    return stateToDict(this);
  }

  /** Restores a session from a serialised dict (validated; throws SessionDataError). */
  static fromDict(d: unknown, options: GameSessionOptions = {}): GameSession {
    const state = stateFromDict(d);
    const s = new GameSession(state.channelId, state.gameName, state.gameId, {
      ...options,
      countdownSeconds: state.countdownSeconds,
    });
    Object.assign(s, state);
    return s;
  }

  /**
   * @internal A session loaded from a store takes part in its open window: it times it, so the
   * turn advances at the deadline even if nobody here waits on it (loadFromStore, loadByGameId).
   */
  static [JOIN_WINDOW](s: GameSession): GameSession {
    if (s.#store !== null && s.active && s.windowDeadlineMs !== null)
      s.#trackWindow(s.turnNumber, s.windowDeadlineMs);
    return s;
  }

  static async loadFromStore(
    channelId: string,
    store: SessionStore,
    options: GameSessionOptions = {},
  ): Promise<GameSession | null> {
    const d = await store.loadChannel(checkChannelId(channelId));
    return d === null
      ? null
      : GameSession[JOIN_WINDOW](GameSession.fromDict(d, { ...options, store }));
  }

  static async deleteFromStore(channelId: string, store: SessionStore): Promise<void> {
    await store.unbindChannel(checkChannelId(channelId));
  }

  // -------------------------------------------------------------------------------------------

  #patch(withExtra: boolean): GamePatch {
    const patch: GamePatch = {};
    const dirty = this.#dirtyPlayers;
    if (dirty !== null && dirty.size > 0) {
      patch.players = [...dirty].flatMap((id) => {
        const p = this.players.get(id);
        return p ? [p.toDict()] : [];
      });
    }
    if (withExtra) patch.extra = this.extra;
    return patch;
  }

  #newWindow(turn: number): CountdownWindow {
    const w = new CountdownWindow(turn, this.#clock, this);
    this.#window = w;
    return w;
  }

  /** Tracks (and times) the window of `turn`, reusing the tracker if it already exists. */
  #trackWindow(turn: number, deadlineMs: number): CountdownWindow {
    const current = this.#window;
    if (current !== null && current.turn === turn && !current.settled) return current;
    const w = this.#newWindow(turn);
    w.arm(deadlineMs - this.#clock.now());
    return w;
  }

  /**
   * @internal Closes a window by the rules (memory-only: synchronously, so no promise is made
   * per close); called by the session's own CountdownWindow.
   */
  [CLOSE_WINDOW](w: CountdownWindow, early: boolean): Promise<void> | undefined {
    const input = { gameId: this.gameId, turn: w.turn, nowMs: this.#clock.now(), early };
    const store = this.#store;
    if (store !== null) return this.#closeThrough(store, w, input);
    try {
      w.closed(applyClose(this, input));
    } catch (e) {
      w.closeFailed(e, this.active);
    }
  }

  async #closeThrough(store: SessionStore, w: CountdownWindow, input: CloseInput): Promise<void> {
    try {
      const out = await store.closeWindow(this.channelId, input);
      // The store closed it: mirror that here, unless the window ended meanwhile (exit, dispose).
      if (out.status === 'closed' && !w.settled && this.turnNumber <= out.turn) {
        this.turnNumber = out.turn + 1;
        this.pendingChoices = new Map();
        this.windowDeadlineMs = null;
        this.lastWindow = { turn: out.turn, choices: out.choices };
      }
      w.closed(out);
    } catch (e) {
      w.closeFailed(e, this.active);
    }
  }
}
