import {
  CountdownNotStartedError,
  InvalidInputError,
  SessionDataError,
  SessionInactiveError,
  StaleTurnError,
  WindowClosedError,
} from './errors.js';
import { checkCountdownSeconds, checkGameName, DEFAULT_COUNTDOWN_SECONDS } from './limits.js';
import { type PlayerDict, PlayerState } from './player-state.js';
import {
  applyOrder,
  needsExplicitOrder,
  objectFromEntries,
  parseDict,
  sessionDictSchema,
} from './schema.js';
import { upgradeTitleUrl } from './title-card.js';
import { choicesToDict } from './turn-record.js';

export const SESSION_SCHEMA_VERSION = 1;

/** JSON-compatible values, for the host's per-game data (`extra`). */
export type JsonValue =
  | string
  | number
  | boolean
  | null
  | JsonValue[]
  | { [key: string]: JsonValue };

/** The result of a closed countdown window, kept so late waiters get the same answer. */
export interface ClosedWindow {
  turn: number;
  choices: Map<string, string>;
}

/**
 * Everything a game session is, as plain mutable data. GameSession implements it, and stores
 * keep their own copies; the rule functions below operate on either, so the rules exist once.
 */
export interface SessionState {
  gameId: string;
  gameName: string;
  channelId: string;
  active: boolean;
  turnNumber: number;
  titleScreenUrl: string;
  countdownSeconds: number;
  players: Map<string, PlayerState>;
  pendingChoices: Map<string, string>;
  /** Absolute close time (Unix ms) of the open window, or null when no window is open. */
  windowDeadlineMs: number | null;
  lastWindow: ClosedWindow | null;
  extra: Record<string, JsonValue>;
  createdAtMs: number;
  updatedAtMs: number;
}

/** The serialised form: the seed's snake_case field names plus this package's additions. */
export interface SessionDict {
  schema_version: number;
  game_id: string;
  game_name: string;
  channel_id: string;
  active: boolean;
  turn_number: number;
  title_screen_url: string;
  players: Record<string, PlayerDict>;
  pending_choices: Record<string, string>;
  pending_order?: string[];
  countdown_seconds: number;
  window_deadline_ms: number | null;
  last_window: { turn: number; choices: Record<string, string>; choice_order?: string[] } | null;
  extra: Record<string, JsonValue>;
  created_at_ms: number;
  updated_at_ms: number;
}

/**
 * The serialised form. `extra` is deep-copied so the dict shares nothing with the state, unless
 * the caller serialises it at once (`copyExtra: false`, the stores' write path).
 */
export function stateToDict(s: SessionState, copyExtra = true): SessionDict {
  const d: SessionDict = {
    schema_version: SESSION_SCHEMA_VERSION,
    game_id: s.gameId,
    game_name: s.gameName,
    channel_id: s.channelId,
    active: s.active,
    turn_number: s.turnNumber,
    title_screen_url: s.titleScreenUrl,
    players: objectFromEntries([...s.players].map(([id, p]) => [id, p.toDict()] as const)),
    pending_choices: objectFromEntries(s.pendingChoices),
    countdown_seconds: s.countdownSeconds,
    window_deadline_ms: s.windowDeadlineMs,
    last_window: null,
    extra: copyExtra ? (JSON.parse(JSON.stringify(s.extra)) as Record<string, JsonValue>) : s.extra,
    created_at_ms: s.createdAtMs,
    updated_at_ms: s.updatedAtMs,
  };
  if (needsExplicitOrder(s.pendingChoices.keys())) d.pending_order = [...s.pendingChoices.keys()];
  if (s.lastWindow) {
    const { choices, order } = choicesToDict(s.lastWindow.choices);
    d.last_window = { turn: s.lastWindow.turn, choices, ...(order ? { choice_order: order } : {}) };
  }
  return d;
}

/** Validates a dict (ours, or one the seed's Python code wrote) into fresh state. */
export function stateFromDict(input: unknown): SessionState {
  const d = parseDict(sessionDictSchema, input, 'session');
  const players = new Map<string, PlayerState>();
  for (const [key, p] of d.players) {
    if (p.user_id !== key)
      throw new SessionDataError(`players.${key}.user_id`, 'does not match its key');
    players.set(key, new PlayerState(p.user_id, p.user_name, p.joined_turn));
  }
  const pending = new Map(applyOrder(d.pending_choices, d.pending_order, 'pending_order'));
  const lw = d.last_window ?? null;
  const now = d.updated_at_ms ?? d.created_at_ms ?? 0;
  return {
    gameId: d.game_id,
    gameName: d.game_name,
    channelId: d.channel_id,
    active: d.active,
    turnNumber: d.turn_number,
    titleScreenUrl: upgradeTitleUrl(d.title_screen_url, d.game_id),
    countdownSeconds: d.countdown_seconds ?? DEFAULT_COUNTDOWN_SECONDS,
    players,
    pendingChoices: pending,
    windowDeadlineMs: d.window_deadline_ms ?? null,
    lastWindow: lw
      ? {
          turn: lw.turn,
          choices: new Map(applyOrder(lw.choices, lw.choice_order, 'last_window.choice_order')),
        }
      : null,
    extra: (d.extra ?? {}) as Record<string, JsonValue>,
    createdAtMs: d.created_at_ms ?? now,
    updatedAtMs: now,
  };
}

// ---------------------------------------------------------------------------------------------
// Rules. Each takes the state and the caller's clock reading, mutates the state, and returns
// what the caller needs to know. They throw GameSessionError subclasses before mutating anything.

export interface PressInput {
  gameId: string;
  userId: string;
  userName: string;
  choice: string;
  /** The turn the pressed button belongs to; omitted means "the current turn". */
  turn?: number | undefined;
  nowMs: number;
}

export interface PressOutcome {
  isFirstChoice: boolean;
  secondsRemaining: number;
  deadlineMs: number;
  turnNumber: number;
  joinedTurn: number;
}

function assertSameGame(s: SessionState, gameId: string): void {
  if (!s.active) throw new SessionInactiveError();
  if (s.gameId !== gameId)
    throw new SessionInactiveError('another game has been loaded into this channel');
}

/** A button press: registers the player, opens the window if none is open, last press wins. */
export function applyPress(s: SessionState, p: PressInput): PressOutcome {
  const isFirstChoice = pressInto(s, p.gameId, p.userId, p.userName, p.choice, p.turn, p.nowMs);
  const deadline = s.windowDeadlineMs as number;
  return {
    isFirstChoice,
    secondsRemaining: (deadline - p.nowMs) / 1000,
    deadlineMs: deadline,
    turnNumber: s.turnNumber,
    joinedTurn: (s.players.get(p.userId) as PlayerState).joinedTurn,
  };
}

/**
 * The press rule itself, with positional arguments so that the memory-only hot path allocates
 * nothing. Returns whether this press opened the window; the deadline is in
 * `s.windowDeadlineMs` afterwards.
 */
export function pressInto(
  s: SessionState,
  gameId: string,
  userId: string,
  userName: string,
  choice: string,
  turn: number | undefined,
  nowMs: number,
  /** The player's entry when the caller already looked it up (saves a second lookup). */
  known: PlayerState | undefined = s.players.get(userId),
): boolean {
  assertSameGame(s, gameId);
  if (turn !== undefined && turn !== s.turnNumber) throw new StaleTurnError(turn, s.turnNumber);
  const deadline = s.windowDeadlineMs;
  if (deadline !== null && nowMs >= deadline) throw new WindowClosedError(s.turnNumber);
  registerPlayerIn(s, userId, userName, known);
  if (deadline === null) {
    s.windowDeadlineMs = nowMs + s.countdownSeconds * 1000;
    // updated_at moves when a window opens or closes, not on every press inside it: the
    // saved-games list orders by it, and re-sorting that index on every press cost a Redis
    // press ~15 % of its server time (docs/decisions.md, "Redis").
    s.updatedAtMs = nowMs;
  }
  // Map.set on an existing key keeps its position: order stays "first pressed".
  s.pendingChoices.set(userId, choice);
  return deadline === null;
}

export function registerPlayerIn(
  s: SessionState,
  userId: string,
  userName: string,
  existing: PlayerState | undefined = s.players.get(userId),
): PlayerState {
  if (existing === undefined) {
    const p = new PlayerState(userId, userName, s.turnNumber);
    s.players.set(userId, p);
    return p;
  }
  if (existing.userName !== userName) existing.userName = userName;
  return existing;
}

export interface CloseInput {
  gameId: string;
  turn: number;
  nowMs: number;
  /** Close before the deadline (e.g. every player has chosen). */
  early?: boolean | undefined;
  /** The scene on screen is set aside (the X-card): close the turn now, with its open window's
   *  choices, or with none when no window is open. Implies `early`. */
  setAside?: boolean | undefined;
}

export type CloseOutcome =
  | { status: 'closed'; turn: number; choices: Map<string, string> }
  | { status: 'open'; turn: number; msRemaining: number };

/**
 * Closes the window of `turn`: advances the turn once and clears the pending choices.
 * Idempotent: closing an already closed window returns the same choices again.
 */
export function applyClose(s: SessionState, c: CloseInput): CloseOutcome {
  if (s.lastWindow !== null && s.lastWindow.turn === c.turn && s.gameId === c.gameId) {
    return { status: 'closed', turn: c.turn, choices: new Map(s.lastWindow.choices) };
  }
  assertSameGame(s, c.gameId);
  if (c.turn !== s.turnNumber) throw new StaleTurnError(c.turn, s.turnNumber);
  const deadline = s.windowDeadlineMs;
  if (deadline === null && !c.setAside)
    throw new CountdownNotStartedError(`turn ${c.turn} has no open countdown window`);
  if (deadline !== null && !c.early && !c.setAside && c.nowMs < deadline)
    return { status: 'open', turn: c.turn, msRemaining: deadline - c.nowMs };
  const choices = s.pendingChoices;
  // Shared with the result: every waiter of this window already shares that one Map.
  s.lastWindow = { turn: c.turn, choices };
  s.pendingChoices = new Map();
  s.windowDeadlineMs = null;
  s.turnNumber = c.turn + 1;
  s.updatedAtMs = c.nowMs;
  return { status: 'closed', turn: c.turn, choices };
}

/** Exit (or swap out): the open window is cancelled, its pending choices stay with the game. */
export function applyExit(s: SessionState, gameId: string, nowMs: number): void {
  assertSameGame(s, gameId);
  s.windowDeadlineMs = null;
  s.active = false;
  s.updatedAtMs = nowMs;
}

/** Makes a saved game the active game of `channelId`. A kept window reopens on the next press. */
export function applyActivate(s: SessionState, channelId: string, nowMs: number): void {
  s.channelId = channelId;
  s.active = true;
  s.windowDeadlineMs = null;
  s.updatedAtMs = nowMs;
}

/** Merges a patch into the game's non-window fields. Validates everything before changing anything. */
export function applyPatch(s: SessionState, patch: GamePatchInput, nowMs: number): void {
  const gameName = patch.gameName === undefined ? undefined : checkGameName(patch.gameName);
  if (patch.titleScreenUrl !== undefined && typeof patch.titleScreenUrl !== 'string') {
    throw new InvalidInputError('titleScreenUrl', 'must be a string');
  }
  const players = (patch.players ?? []).map((p) => PlayerState.fromDict(p));
  const extra = patch.extra === undefined ? undefined : cloneJsonObject(patch.extra);
  const countdown =
    patch.countdownSeconds === undefined
      ? undefined
      : checkCountdownSeconds(patch.countdownSeconds);
  if (gameName !== undefined) s.gameName = gameName;
  if (countdown !== undefined) s.countdownSeconds = countdown;
  if (patch.titleScreenUrl !== undefined) s.titleScreenUrl = patch.titleScreenUrl;
  for (const p of players) {
    const existing = s.players.get(p.userId);
    if (existing) existing.userName = p.userName;
    else s.players.set(p.userId, p);
  }
  if (extra !== undefined) s.extra = extra;
  s.updatedAtMs = nowMs;
}

export interface GamePatchInput {
  gameName?: string | undefined;
  titleScreenUrl?: string | undefined;
  players?: unknown[] | undefined;
  extra?: Record<string, JsonValue> | undefined;
  countdownSeconds?: unknown;
}

function cloneJsonObject(v: unknown): Record<string, JsonValue> {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new InvalidInputError('extra', 'must be an object');
  try {
    return JSON.parse(JSON.stringify(v)) as Record<string, JsonValue>;
  } catch (e) {
    throw new InvalidInputError('extra', `must be JSON-serialisable (${(e as Error).message})`);
  }
}
