import { InvalidInputError } from './errors.js';
import type { PlayerDict } from './player-state.js';
import type {
  CloseInput,
  CloseOutcome,
  JsonValue,
  PressInput,
  PressOutcome,
  SessionDict,
} from './session-state.js';
import type { TurnRecordDict } from './turn-record.js';

/** One line of the saved-games index. */
export interface GameSummary {
  gameId: string;
  gameName: string;
  /** The channel the game was last bound to. */
  channelId: string;
  turnNumber: number;
  /** True while the game is the running game of its channel. */
  active: boolean;
  /** Unix milliseconds. */
  createdAt: number;
  /** Unix milliseconds; the index is ordered by this, newest first. */
  updatedAt: number;
}

export interface GamePage {
  games: GameSummary[];
  /** Pass back as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

export interface ListGamesOptions {
  /** 1..500, default 50. */
  limit?: number;
  cursor?: string | null;
}

/** What a press through a store returns: the rule's outcome, and the stored window for mirroring. */
export interface StoredPressOutcome extends PressOutcome {
  /** Every pending choice of the window, in first-press order. A store may leave it out to keep
   *  the press cheap (RedisStore does by default); the session then merges this press into what
   *  it already knew, and `loadFromStore` gives the full list. */
  pending?: Array<[string, string]>;
}

/** Changes to a game's non-window fields, merged atomically. */
export interface GamePatch {
  gameName?: string;
  titleScreenUrl?: string;
  /** Players to add or rename (a player's joined turn never changes once stored). */
  players?: PlayerDict[];
  /** Replaces the host's per-game data. */
  extra?: Record<string, JsonValue>;
  /** The length of the game's windows from the next one on (an open window keeps its
   *  deadline), within the countdown limits. */
  countdownSeconds?: number;
}

export interface AppendTurnOptions {
  /** Idempotency key of this append (1..200 characters), e.g. `turn:7` for the commit of the
   *  window of turn 7. Omitted: the append is always stored. */
  key?: string | undefined;
}

export interface AppendTurnOutcome {
  /** The record as stored (validated and normalised), or the earlier record with the same key. */
  record: TurnRecordDict;
  /** False when an earlier append with the same key was found and nothing was written. */
  stored: boolean;
}

/**
 * The persistence port. Every method is atomic on its own: a shared store (Redis) makes the
 * sessions of one channel behave as one across processes. Every method rejects with StoreError
 * when the backend cannot be reached, and with a GameSessionError subclass when the operation
 * breaks a rule (it then changes nothing).
 */
export interface SessionStore {
  /** Stores a new or re-booted game and makes it the active game of its channel. The
   *  channel's previous game (if another) is exited first, keeping its pending choices; a game
   *  bound to another channel is moved. */
  bootGame(game: SessionDict): Promise<void>;
  /** The game bound to the channel (active or exited-but-not-deleted), or null. */
  loadChannel(channelId: string): Promise<SessionDict | null>;
  loadGame(gameId: string): Promise<SessionDict | null>;
  /** Removes the channel's binding; the saved game stays in the index. */
  unbindChannel(channelId: string): Promise<void>;
  /** What a channel's players chose for it (e.g. a longer countdown), kept apart from its games
   *  so it outlives exits and swaps; {} when nothing was set. */
  channelSettings(channelId: string): Promise<Record<string, JsonValue>>;
  /** Replaces the channel's settings: a JSON object of at most CHANNEL_SETTINGS_MAX_BYTES. */
  setChannelSettings(channelId: string, settings: Record<string, JsonValue>): Promise<void>;
  /** Deletes a saved game and its history. */
  deleteGame(gameId: string): Promise<void>;
  /**
   * The channel's bound game when its stored data cannot be read (SessionDataError): unbinds it
   * and moves its data and history aside, untouched (out of the index, kept for the operator to
   * inspect), so the channel can take another game. Returns the game id moved, or null when the
   * channel has no bound game or it reads fine (then nothing changes).
   */
  setAsideUnreadable(channelId: string, nowMs: number): Promise<string | null>;
  listGames(options?: ListGamesOptions): Promise<GamePage>;

  press(channelId: string, input: PressInput): Promise<StoredPressOutcome>;
  closeWindow(channelId: string, input: CloseInput): Promise<CloseOutcome>;
  /** Exits the channel's game `gameId`: cancels its window (choices kept), marks it inactive,
   *  keeps it listed. Returns the stored game as exited. */
  exitGame(
    channelId: string,
    gameId: string,
    nowMs: number,
    patch?: GamePatch,
  ): Promise<SessionDict>;
  /** Hot-swap: exits the channel's current game (if any, and not `gameId`) and makes saved game
   *  `gameId` the channel's active game, unbinding it from any other channel. */
  swapIn(channelId: string, gameId: string, nowMs: number): Promise<SessionDict>;
  updateGame(gameId: string, patch: GamePatch, nowMs: number): Promise<void>;

  /** Appends a turn record to the game's history: every append is stored, in call order
   *  (several records may share a turn number). History is capped per game (oldest dropped).
   *  With `options.key` the append is idempotent: while the record first appended with that
   *  key is still in the history, a second append with it stores nothing, applies no patch and
   *  returns that record (`stored: false`). The host's commit passes one key per turn, so a
   *  retried commit is stored once. */
  appendTurn(
    gameId: string,
    record: TurnRecordDict,
    patch?: GamePatch,
    options?: AppendTurnOptions,
  ): Promise<AppendTurnOutcome>;
  /** The last `count` turns, oldest first. */
  recentTurns(gameId: string, count: number): Promise<TurnRecordDict[]>;

  close(): Promise<void>;
}

/** The idempotency key of the commit of window `turn` (its record is numbered `turn + 1`): the
 *  single-process host and the distributed scheduler both pass it, so a turn is recorded once. */
export function windowCommitKey(turn: number): string {
  return `window:${turn}`;
}

/** The largest channel settings object a store keeps (its JSON, in UTF-8 bytes). */
export const CHANNEL_SETTINGS_MAX_BYTES = 4096;

/** The JSON of valid channel settings (InvalidInputError otherwise), for the stores. */
export function encodeChannelSettings(settings: unknown): string {
  if (typeof settings !== 'object' || settings === null || Array.isArray(settings))
    throw new InvalidInputError('settings', 'must be an object');
  let json: string;
  try {
    json = JSON.stringify(settings);
  } catch (e) {
    throw new InvalidInputError('settings', `must be JSON (${(e as Error).message})`);
  }
  if (Buffer.byteLength(json, 'utf8') > CHANNEL_SETTINGS_MAX_BYTES)
    throw new InvalidInputError('settings', `must be at most ${CHANNEL_SETTINGS_MAX_BYTES} bytes`);
  return json;
}

/** Stored channel settings read back: {} for none or anything that is not an object. */
export function decodeChannelSettings(json: string | null | undefined): Record<string, JsonValue> {
  if (typeof json !== 'string') return {};
  try {
    const v: unknown = JSON.parse(json);
    return typeof v === 'object' && v !== null && !Array.isArray(v)
      ? (v as Record<string, JsonValue>)
      : {};
  } catch {
    return {};
  }
}
