import { MAX_COUNTDOWN_SECONDS, MIN_COUNTDOWN_SECONDS } from './limits.js';
import { PlayerState } from './player-state.js';
import {
  type ClosedWindow,
  type JsonValue,
  SESSION_SCHEMA_VERSION,
  type SessionState,
  stateFromDict,
} from './session-state.js';
import { upgradeTitleUrl } from './title-card.js';

/**
 * Reading and copying state that a store wrote itself, on every press: the hot path of a store.
 *
 * `stateFromStored` takes a dict this package wrote (a row of the store) and checks its shape —
 * types, ranges, keys agreeing with ids, ids and names through PlayerState — without the zod
 * schema (which cost most of a SqliteStore press). Anything unusual (an older schema, an
 * explicit key order, a missing field, a wrong type) goes to `stateFromDict`, which validates
 * fully and names the bad field, so a corrupt row is still refused with SessionDataError.
 */
export function stateFromStored(input: unknown): SessionState {
  return (isObject(input) ? fastState(input) : null) ?? stateFromDict(input);
}

/** A copy of `s` that shares nothing its rules change in place (players, pending choices);
 *  `lastWindow` and `extra` are only ever replaced, never changed, so they are shared. */
export function cloneState(s: SessionState): SessionState {
  const players = new Map<string, PlayerState>();
  for (const [id, p] of s.players)
    players.set(id, new PlayerState(p.userId, p.userName, p.joinedTurn));
  return { ...s, players, pendingChoices: new Map(s.pendingChoices) };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const isCount = (v: unknown): v is number =>
  typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isMillis = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;
const isText = (v: unknown): v is string => typeof v === 'string' && v !== '';

/** Choices as written by this package (no explicit order), or null. */
function choicesOf(v: unknown): Map<string, string> | null {
  if (!isObject(v)) return null;
  const out = new Map<string, string>();
  for (const k in v) {
    const c = v[k];
    if (!isText(c) || k === '') return null;
    out.set(k, c);
  }
  return out;
}

function fastState(d: Record<string, unknown>): SessionState | null {
  const {
    game_id: gameId,
    game_name: gameName,
    channel_id: channelId,
    active,
    turn_number: turnNumber,
    title_screen_url: title,
    countdown_seconds: countdown,
    window_deadline_ms: deadline,
    created_at_ms: createdAtMs,
    updated_at_ms: updatedAtMs,
    extra,
    players: playersIn,
    last_window: lw,
  } = d;
  if (
    d.schema_version !== SESSION_SCHEMA_VERSION ||
    d.pending_order !== undefined ||
    !isText(gameId) ||
    typeof gameName !== 'string' ||
    !isText(channelId) ||
    typeof active !== 'boolean' ||
    !isCount(turnNumber) ||
    typeof title !== 'string' ||
    typeof countdown !== 'number' ||
    !(countdown >= MIN_COUNTDOWN_SECONDS && countdown <= MAX_COUNTDOWN_SECONDS) ||
    !(deadline === null || isMillis(deadline)) ||
    !isMillis(createdAtMs) ||
    !isMillis(updatedAtMs) ||
    !isObject(extra) ||
    !isObject(playersIn)
  )
    return null;
  const pendingChoices = choicesOf(d.pending_choices);
  if (pendingChoices === null) return null;
  let lastWindow: ClosedWindow | null = null;
  if (lw !== null) {
    if (!isObject(lw) || !isCount(lw.turn) || lw.choice_order !== undefined) return null;
    const choices = choicesOf(lw.choices);
    if (choices === null) return null;
    lastWindow = { turn: lw.turn, choices };
  }
  const players = new Map<string, PlayerState>();
  try {
    for (const id in playersIn) {
      const p = playersIn[id];
      if (!isObject(p) || p.user_id !== id || !isCount(p.joined_turn)) return null;
      players.set(id, new PlayerState(id, p.user_name as string, p.joined_turn));
    }
  } catch {
    return null; // an id or name breaking the text rules: the full parse reports it
  }
  return {
    gameId,
    gameName,
    channelId,
    active,
    turnNumber,
    titleScreenUrl: upgradeTitleUrl(title, gameId),
    countdownSeconds: countdown,
    players,
    pendingChoices,
    windowDeadlineMs: deadline,
    lastWindow,
    extra: extra as Record<string, JsonValue>,
    createdAtMs,
    updatedAtMs,
  };
}
