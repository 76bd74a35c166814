import {
  GameNotFoundError,
  GameSessionError,
  SessionDataError,
  SessionInactiveError,
  StoreClosedError,
  StoreError,
} from '../core/errors.js';
import {
  checkAppendKey,
  checkChannelId,
  checkChoice,
  checkGameId,
  checkHistoryCap,
  checkPageLimit,
  checkTurnCount,
  checkUserId,
  checkUserName,
} from '../core/limits.js';
import {
  applyActivate,
  applyClose,
  applyExit,
  applyPatch,
  applyPress,
  type CloseInput,
  type CloseOutcome,
  type JsonValue,
  type PressInput,
  type SessionDict,
  type SessionState,
  stateFromDict,
  stateToDict,
} from '../core/session-state.js';
import type {
  AppendTurnOptions,
  AppendTurnOutcome,
  GamePage,
  GamePatch,
  GameSummary,
  ListGamesOptions,
  SessionStore,
  StoredPressOutcome,
} from '../core/store-port.js';
import { decodeChannelSettings, encodeChannelSettings } from '../core/store-port.js';
import { TurnRecord, type TurnRecordDict } from '../core/turn-record.js';
import { decodeCursor, encodeCursor, type IndexCursor } from './cursor.js';

/**
 * A synchronous key-value backend that can run a function atomically. Memory and SQLite are
 * both synchronous, so one implementation of the store's rules serves both (see SnapshotStore).
 */
export interface SnapshotBackend {
  transaction<T>(fn: () => T): T;
  /** The stored game as fresh state owned by the caller (changing it changes nothing stored),
   *  or null; SessionDataError when the stored data is corrupt. */
  readGame(gameId: string): SessionState | null;
  /** Stores `s`; the backend may keep the object itself (the caller no longer changes it).
   *  `summary` null: the index columns are unchanged since the game was read. */
  writeGame(s: SessionState, summary: GameSummary | null): void;
  /** The stored game itself, for a rule that checks everything before it changes anything and
   *  whose write cannot fail afterwards (a press). Backends that keep no objects leave it out. */
  liveGame?(gameId: string): SessionState | null;
  removeGame(gameId: string): void;
  /** Moves a game's stored data and history aside as they are (out of the index, unbound). */
  setAside(gameId: string, nowMs: number, reason: string): void;
  boundGame(channelId: string): string | null;
  bind(channelId: string, gameId: string): void;
  unbind(channelId: string): void;
  /** The channel's settings JSON, or null. */
  channelSettings(channelId: string): string | null;
  setChannelSettings(channelId: string, json: string): void;
  /** Appends a turn record (with its idempotency key, if any); keeps the newest `cap` per game. */
  appendTurn(gameId: string, json: string, key: string | null, cap: number): void;
  /** The kept record appended with idempotency key `key`, or null. */
  turnByKey(gameId: string, key: string): string | null;
  recentTurns(gameId: string, count: number): string[];
  listGames(limit: number, after: IndexCursor | null): GameSummary[];
  close(): void;
}

export interface SnapshotStoreOptions {
  /** Turns kept per game (oldest dropped first). Default 1000. */
  historyCap?: number;
}

function summaryOf(s: SessionState): GameSummary {
  return {
    gameId: s.gameId,
    gameName: s.gameName,
    channelId: s.channelId,
    turnNumber: s.turnNumber,
    active: s.active,
    createdAt: s.createdAtMs,
    updatedAt: s.updatedAtMs,
  };
}

/** A stored turn record, validated (SessionDataError when the row is corrupt). */
function parseTurn(gameId: string, json: string): TurnRecordDict {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (e) {
    throw new SessionDataError(
      `turns of ${gameId}`,
      `stored record is not valid JSON (${(e as Error).message})`,
    );
  }
  return TurnRecord.fromDict(parsed).toDict();
}

/** The store rules (boot, press, close, exit, swap, history, index) over a SnapshotBackend. */
export class SnapshotStore implements SessionStore {
  readonly #backend: SnapshotBackend;
  readonly #historyCap: number;
  #closed = false;

  constructor(backend: SnapshotBackend, options: SnapshotStoreOptions = {}) {
    this.#backend = backend;
    this.#historyCap = checkHistoryCap(options.historyCap);
  }

  /** Runs `fn` atomically; store failures become StoreError, rule violations pass through. */
  #tx<T>(fn: (b: SnapshotBackend) => T): T {
    if (this.#closed) throw new StoreClosedError();
    try {
      return this.#backend.transaction(() => fn(this.#backend));
    } catch (e) {
      if (e instanceof GameSessionError) throw e;
      throw new StoreError(`store operation failed: ${(e as Error).message}`, { cause: e });
    }
  }

  #read(b: SnapshotBackend, gameId: string): SessionState | null {
    return b.readGame(gameId);
  }

  #write(b: SnapshotBackend, s: SessionState, dataOnly = false): void {
    b.writeGame(s, dataOnly ? null : summaryOf(s));
  }

  #mustRead(b: SnapshotBackend, gameId: string): SessionState {
    const s = this.#read(b, gameId);
    if (s === null) throw new GameNotFoundError(gameId);
    return s;
  }

  /** The game `gameId` if it is the running game of `channelId`. */
  #running(b: SnapshotBackend, channelId: string, gameId: string, live = false): SessionState {
    const s = live && b.liveGame !== undefined ? b.liveGame(gameId) : this.#read(b, gameId);
    if (s === null || b.boundGame(channelId) !== gameId || s.channelId !== channelId) {
      throw new SessionInactiveError('this game is not running in this channel');
    }
    return s;
  }

  /** Exits the channel's current game unless it is `keep`; frees the channel. */
  #vacate(b: SnapshotBackend, channelId: string, keep: string, nowMs: number): void {
    const prevId = b.boundGame(channelId);
    if (prevId === null || prevId === keep) return;
    const prev = this.#read(b, prevId);
    if (prev?.active) {
      applyExit(prev, prev.gameId, nowMs);
      this.#write(b, prev);
    }
    b.unbind(channelId);
  }

  /** Unbinds `s` from the channel it was bound to, if that is not `channelId`. */
  #detachElsewhere(b: SnapshotBackend, s: SessionState, channelId: string, nowMs: number): void {
    if (s.channelId === channelId || b.boundGame(s.channelId) !== s.gameId) return;
    if (s.active) applyExit(s, s.gameId, nowMs);
    b.unbind(s.channelId);
  }

  async bootGame(game: SessionDict): Promise<void> {
    const s = stateFromDict(game);
    s.extra = JSON.parse(JSON.stringify(s.extra)); // nothing stored is shared with the caller
    this.#tx((b) => {
      this.#vacate(b, s.channelId, s.gameId, s.updatedAtMs);
      const existing = this.#read(b, s.gameId);
      if (existing !== null) this.#detachElsewhere(b, existing, s.channelId, s.updatedAtMs);
      this.#write(b, s);
      b.bind(s.channelId, s.gameId);
    });
  }

  async loadChannel(channelId: string): Promise<SessionDict | null> {
    checkChannelId(channelId);
    return this.#tx((b) => {
      const id = b.boundGame(channelId);
      const s = id === null ? null : this.#read(b, id);
      return s === null ? null : stateToDict(s);
    });
  }

  async loadGame(gameId: string): Promise<SessionDict | null> {
    checkGameId(gameId);
    return this.#tx((b) => {
      const s = this.#read(b, gameId);
      return s === null ? null : stateToDict(s);
    });
  }

  async unbindChannel(channelId: string): Promise<void> {
    checkChannelId(channelId);
    this.#tx((b) => this.#vacate(b, channelId, '', Date.now()));
  }

  async channelSettings(channelId: string): Promise<Record<string, JsonValue>> {
    checkChannelId(channelId);
    return decodeChannelSettings(this.#tx((b) => b.channelSettings(channelId)));
  }

  async setChannelSettings(channelId: string, settings: Record<string, JsonValue>): Promise<void> {
    checkChannelId(channelId);
    const json = encodeChannelSettings(settings);
    this.#tx((b) => b.setChannelSettings(channelId, json));
  }

  async deleteGame(gameId: string): Promise<void> {
    checkGameId(gameId);
    this.#tx((b) => {
      const s = this.#read(b, gameId);
      if (s !== null && b.boundGame(s.channelId) === gameId) b.unbind(s.channelId);
      b.removeGame(gameId);
    });
  }

  async setAsideUnreadable(channelId: string, nowMs: number): Promise<string | null> {
    checkChannelId(channelId);
    return this.#tx((b) => {
      const id = b.boundGame(channelId);
      if (id === null) return null;
      try {
        this.#read(b, id);
        return null;
      } catch (e) {
        if (!(e instanceof SessionDataError)) throw e;
        b.unbind(channelId);
        b.setAside(id, nowMs, e.message);
        return id;
      }
    });
  }

  async listGames(options: ListGamesOptions = {}): Promise<GamePage> {
    const limit = checkPageLimit(options.limit);
    const after = options.cursor ? decodeCursor(options.cursor) : null;
    return this.#tx((b) => {
      const rows = b.listGames(limit + 1, after);
      const games = rows.slice(0, limit);
      const last = games[games.length - 1];
      return { games, nextCursor: rows.length > limit && last ? encodeCursor(last) : null };
    });
  }

  async press(channelId: string, input: PressInput): Promise<StoredPressOutcome> {
    // Checked here too (not only by GameSession): a press changes the live game in place.
    checkUserId(input.userId);
    checkUserName(input.userName);
    checkChoice(input.choice);
    return this.#tx((b) => {
      // applyPress checks everything before it changes anything: it may work on the live game.
      const s = this.#running(b, channelId, input.gameId, true);
      const updatedAt = s.updatedAtMs;
      const out = applyPress(s, input);
      // A press inside an open window changes no index column (updated_at moves on open only).
      this.#write(b, s, s.updatedAtMs === updatedAt);
      const stored: StoredPressOutcome = out;
      stored.pending = [...s.pendingChoices];
      return stored;
    });
  }

  async closeWindow(channelId: string, input: CloseInput): Promise<CloseOutcome> {
    return this.#tx((b) => {
      const s = this.#read(b, input.gameId);
      if (s === null) throw new SessionInactiveError('this game no longer exists');
      if (s.channelId !== channelId)
        throw new SessionInactiveError('this game moved to another channel');
      const out = applyClose(s, input);
      if (
        out.status === 'closed' &&
        s.turnNumber === input.turn + 1 &&
        s.windowDeadlineMs === null
      ) {
        this.#write(b, s);
      }
      // The closed window's choices are the stored state's: the caller gets its own copy.
      return out.status === 'closed' ? { ...out, choices: new Map(out.choices) } : out;
    });
  }

  async exitGame(
    channelId: string,
    gameId: string,
    nowMs: number,
    patch: GamePatch = {},
  ): Promise<SessionDict> {
    return this.#tx((b) => {
      const s = this.#running(b, channelId, gameId);
      applyPatch(s, patch, nowMs);
      applyExit(s, gameId, nowMs);
      this.#write(b, s);
      b.unbind(channelId);
      return stateToDict(s);
    });
  }

  async swapIn(channelId: string, gameId: string, nowMs: number): Promise<SessionDict> {
    checkChannelId(channelId);
    checkGameId(gameId);
    return this.#tx((b) => {
      const target = this.#mustRead(b, gameId);
      this.#vacate(b, channelId, gameId, nowMs);
      this.#detachElsewhere(b, target, channelId, nowMs);
      applyActivate(target, channelId, nowMs);
      this.#write(b, target);
      b.bind(channelId, gameId);
      return stateToDict(target);
    });
  }

  async updateGame(gameId: string, patch: GamePatch, nowMs: number): Promise<void> {
    this.#tx((b) => {
      const s = this.#mustRead(b, gameId);
      applyPatch(s, patch, nowMs);
      this.#write(b, s);
    });
  }

  async appendTurn(
    gameId: string,
    record: TurnRecordDict,
    patch?: GamePatch,
    options: AppendTurnOptions = {},
  ): Promise<AppendTurnOutcome> {
    const key = checkAppendKey(options.key);
    const dict = TurnRecord.fromDict(record).toDict();
    return this.#tx((b) => {
      const s = this.#mustRead(b, gameId);
      const earlier = key === null ? null : b.turnByKey(gameId, key);
      if (earlier !== null) return { record: parseTurn(gameId, earlier), stored: false };
      b.appendTurn(gameId, JSON.stringify(dict), key, this.#historyCap);
      if (patch !== undefined) {
        applyPatch(s, patch, Math.round(dict.timestamp * 1000));
        this.#write(b, s);
      }
      return { record: dict, stored: true };
    });
  }

  async recentTurns(gameId: string, count: number): Promise<TurnRecordDict[]> {
    checkGameId(gameId);
    checkTurnCount(count);
    return this.#tx((b) => b.recentTurns(gameId, count).map((json) => parseTurn(gameId, json)));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#backend.close();
  }
}
