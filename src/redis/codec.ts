import {
  CountdownNotStartedError,
  FencedCommitError,
  GameNotFoundError,
  GameSessionError,
  InvalidInputError,
  SessionDataError,
  SessionInactiveError,
  StaleTurnError,
  StoreError,
  WindowClosedError,
} from '../core/errors.js';
import { PlayerState } from '../core/player-state.js';
import {
  applyPatch,
  SESSION_SCHEMA_VERSION,
  type SessionDict,
  type SessionState,
  stateFromDict,
  stateToDict,
} from '../core/session-state.js';
import type { GamePatch, GameSummary, StoredPressOutcome } from '../core/store-port.js';
import { TurnRecord, type TurnRecordDict } from '../core/turn-record.js';

/**
 * Key layout. Every key carries the hash tag of a bucket, `{b<n>}`, n = FNV-1a(id) mod
 * BUCKETS: the keys of a game (hash, history, unresolved turns, lease) and the bucket's
 * indexes (recency index, open windows, pending resolutions) share one Cluster slot, so each
 * press / close / commit is one single-slot script. Channel keys live in the channel's bucket.
 */
export const BUCKETS = 64;

export function bucketOf(id: string): number {
  let h = 0x811c9dc5;
  for (const byte of Buffer.from(id, 'utf8')) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % BUCKETS;
}

type GameKeys = {
  game: string;
  hist: string;
  /** The history's idempotency keys: key → append number of its record. */
  hkeys: string;
  ur: string;
  lease: string;
  idx: string;
  open: string;
  unres: string;
  /** Where setAside keeps the hash and history of a game that could not be read. */
  aside: string;
  asideHist: string;
  prefix: string;
};

export class Keys {
  // Key names are derived on every press; a small cache saves the hashing and string building.
  readonly #games = new Map<string, GameKeys>();

  constructor(readonly prefix: string) {}

  /** `gg:{b7}:` — the prefix of every key in bucket `b`. */
  bucket(b: number): string {
    return `${this.prefix}:{b${b}}:`;
  }

  /** game hash, history (+ its keys), unresolved turns, lease; then the bucket's idx, open, unres. */
  game(gameId: string): GameKeys {
    const hit = this.#games.get(gameId);
    if (hit !== undefined) return hit;
    if (this.#games.size >= 10000) this.#games.clear();
    const p = this.bucket(bucketOf(gameId));
    const k = {
      game: `${p}g:${gameId}`,
      hist: `${p}h:${gameId}`,
      hkeys: `${p}hk:${gameId}`,
      ur: `${p}u:${gameId}`,
      lease: `${p}l:${gameId}`,
      idx: `${p}idx`,
      open: `${p}open`,
      unres: `${p}unres`,
      aside: `${p}x:${gameId}`,
      asideHist: `${p}xh:${gameId}`,
      prefix: p,
    };
    this.#games.set(gameId, k);
    return k;
  }

  channel(channelId: string) {
    const p = this.bucket(bucketOf(channelId));
    return {
      chan: `${p}c:${channelId}`,
      claimants: `${p}cc:${channelId}`,
      settings: `${p}cs:${channelId}`,
    };
  }
}

/** Redis numbers: String() round-trips every double and Lua's tonumber reads it. */
const n = (v: number): string => String(v);

/** The fields of a game hash for a validated state (private fields — bd, f:*, ftok, rs — are
 *  not touched). */
export function stateToFields(s: SessionState): string[] {
  return [
    'id',
    s.gameId,
    'ch',
    s.channelId,
    'act',
    s.active ? '1' : '0',
    'turn',
    n(s.turnNumber),
    'name',
    s.gameName,
    'title',
    s.titleScreenUrl,
    'cd',
    n(s.countdownSeconds),
    'dl',
    s.windowDeadlineMs === null ? '' : n(s.windowDeadlineMs),
    'co',
    JSON.stringify([...s.pendingChoices.keys()]),
    ...[...s.pendingChoices].flatMap(([u, c]) => [`c:${u}`, c]),
    'po',
    JSON.stringify([...s.players.keys()]),
    ...[...s.players.values()].flatMap((p) => [
      `p:${p.userId}`,
      `${n(p.joinedTurn)}|${p.userName}`,
    ]),
    'lw',
    s.lastWindow === null
      ? ''
      : JSON.stringify({ t: n(s.lastWindow.turn), c: [...s.lastWindow.choices] }),
    'extra',
    JSON.stringify(s.extra),
    'cr',
    n(s.createdAtMs),
    'up',
    n(s.updatedAtMs),
    'v',
    n(SESSION_SCHEMA_VERSION),
  ];
}

export function flatToRecord(flat: unknown): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  if (!Array.isArray(flat)) return out;
  for (let i = 0; i + 1 < flat.length; i += 2) out[String(flat[i])] = String(flat[i + 1]);
  return out;
}

function parseJson(field: string, text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new SessionDataError(field, `stored ${what} is not valid JSON (${(e as Error).message})`);
  }
}

/** Validates an already parsed `[[user, choice]…]` list. */
function checkPairs(field: string, v: unknown): Array<[string, string]> {
  if (
    !Array.isArray(v) ||
    !v.every((p) => Array.isArray(p) && typeof p[0] === 'string' && typeof p[1] === 'string')
  ) {
    throw new SessionDataError(field, 'stored list is malformed');
  }
  return v as Array<[string, string]>;
}

/** Parses and validates a stored `[[user, choice]…]` list ('' or absent: empty). */
export function pairs(field: string, text: string | undefined): Array<[string, string]> {
  return checkPairs(
    field,
    parseJson(field, text === undefined || text === '' ? '[]' : text, 'list'),
  );
}

function num(field: string, text: string | undefined): number {
  const v = text === undefined || text === '' ? Number.NaN : Number(text);
  if (!Number.isFinite(v)) throw new SessionDataError(field, 'stored number is malformed');
  return v;
}

/** Parses a closed window `{"t":"5","c":[[user, choice]…]}` into turn and ordered choices. */
export function parseWindow(text: string): { turn: number; choices: Map<string, string> } {
  const v = parseJson('last_window', text, 'window') as { t?: unknown; c?: unknown };
  if (typeof v !== 'object' || v === null) throw new SessionDataError('last_window', 'malformed');
  return {
    turn: num('last_window.turn', String(v.t)),
    choices: new Map(checkPairs('last_window.choices', v.c ?? [])),
  };
}

function idList(field: string, text: string | undefined): string[] {
  const v = parseJson(field, text === undefined || text === '' ? '[]' : text, 'list');
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string'))
    throw new SessionDataError(field, 'stored list is malformed');
  return v as string[];
}

/** A game hash → the validated dict (SessionDataError on anything malformed). */
export function fieldsToDict(h: Record<string, string>): SessionDict {
  const pend: Array<[string, string]> = idList('pending_order', h.co).map((u) => {
    const c = h[`c:${u}`];
    if (c === undefined) throw new SessionDataError(`pending_choices.${u}`, 'is missing');
    return [u, c];
  });
  const players: Record<string, unknown> = Object.create(null);
  for (const u of idList('players', h.po)) {
    const v = h[`p:${u}`] ?? '';
    const bar = v.indexOf('|');
    if (bar < 0) throw new SessionDataError(`players.${u}`, 'stored player is malformed');
    players[u] = {
      user_id: u,
      user_name: v.slice(bar + 1),
      joined_turn: num('players', v.slice(0, bar)),
    };
  }
  let lastWindow: unknown = null;
  if (h.lw) {
    const w = parseWindow(h.lw);
    lastWindow = {
      turn: w.turn,
      choices: Object.fromEntries(w.choices),
      choice_order: [...w.choices.keys()],
    };
  }
  const raw = {
    schema_version: h.v ? num('schema_version', h.v) : undefined,
    game_id: h.id,
    game_name: h.name ?? '',
    channel_id: h.ch,
    active: h.act === '1',
    turn_number: num('turn_number', h.turn),
    title_screen_url: h.title ?? '',
    // Object.fromEntries and spread define own properties, so ids like '__proto__' stay data.
    players: { ...players },
    pending_choices: Object.fromEntries(pend),
    pending_order: pend.map((p) => p[0]),
    countdown_seconds: num('countdown_seconds', h.cd),
    window_deadline_ms: h.dl ? num('window_deadline_ms', h.dl) : null,
    last_window: lastWindow,
    extra: parseJson('extra', h.extra || '{}', 'extra'),
    created_at_ms: num('created_at_ms', h.cr),
    updated_at_ms: num('updated_at_ms', h.up),
  };
  return stateToDict(stateFromDict(raw));
}

/**
 * Validates a patch exactly as applyPatch does and encodes it for the scripts:
 * [flags, name, title, extra, players]; flags '!' means "invalid" (the script reports it after
 * its own checks, so errors come in the same order as in SnapshotStore), '-' means "no patch".
 */
export function encodePatch(patch: GamePatch | undefined): {
  args: string[];
  error: GameSessionError | null;
} {
  if (patch === undefined) return { args: ['-', '', '', '', '', ''], error: null };
  const probe: SessionState = stateFromDict({ game_id: 'probe', channel_id: 'probe' });
  try {
    applyPatch(probe, patch, 0);
  } catch (e) {
    if (e instanceof GameSessionError) return { args: ['!', '', '', '', '', ''], error: e };
    throw e;
  }
  let flags = '';
  const args = ['', '', '', '', ''];
  if (patch.gameName !== undefined) {
    flags += 'n';
    args[0] = probe.gameName;
  }
  if (patch.titleScreenUrl !== undefined) {
    flags += 't';
    args[1] = probe.titleScreenUrl;
  }
  if (patch.extra !== undefined) {
    flags += 'e';
    args[2] = JSON.stringify(probe.extra);
  }
  if (patch.players !== undefined && patch.players.length > 0) {
    flags += 'p';
    const list = patch.players.map((p) => PlayerState.fromDict(p));
    args[3] = JSON.stringify(list.map((p) => [p.userId, p.userName, n(p.joinedTurn)]));
  }
  if (patch.countdownSeconds !== undefined) {
    flags += 'c';
    args[4] = n(probe.countdownSeconds);
  }
  return { args: [flags, ...args], error: null };
}

/** Maps a `GG <CODE> …` error reply to the core's typed error. */
export function mapScriptError(message: string, ctx: { gameId?: string }): Error | null {
  if (!message.startsWith('GG ')) return null;
  const [, code, a, b] = message.split(' ');
  switch (code) {
    case 'NOTRUNNING':
      return new SessionInactiveError('this game is not running in this channel');
    case 'INACTIVE':
      return new SessionInactiveError();
    case 'STALE':
      return new StaleTurnError(Number(a), Number(b));
    case 'CLOSED':
      return new WindowClosedError(Number(a));
    case 'NOGAMECLOSE':
      return new SessionInactiveError('this game no longer exists');
    case 'MOVED':
      return new SessionInactiveError('this game moved to another channel');
    case 'NOTSTARTED':
      return new CountdownNotStartedError(`turn ${a} has no open countdown window`);
    case 'NOGAME':
      return new GameNotFoundError(ctx.gameId ?? '');
    case 'CORRUPT':
      return new SessionDataError(`game ${ctx.gameId ?? '?'}.${a}`, 'stored data is malformed');
    case 'FENCED':
      return new StoreError('the operation was overtaken by a newer one (fenced); retry');
    case 'LEASELOST':
      return new FencedCommitError();
    case 'INVALID':
      return new InvalidInputError('patch', 'is invalid');
    default:
      return new StoreError(`unexpected script reply: ${message}`);
  }
}

/** Rows of the `list` script (id name channel turn active created updated, flat). */
export function summaryRows(flat: readonly string[]): GameSummary[] {
  const rows: GameSummary[] = [];
  for (let i = 0; i + 6 < flat.length; i += 7) {
    rows.push({
      gameId: String(flat[i]),
      gameName: String(flat[i + 1]),
      channelId: String(flat[i + 2]),
      turnNumber: Number(flat[i + 3]),
      active: flat[i + 4] === '1',
      createdAt: Number(flat[i + 5]),
      updatedAt: Number(flat[i + 6]),
    });
  }
  return rows;
}

/** The `press` script's reply: {first, deadline, now, turn, joined, order, choices…}, and the
 *  press time (Redis TIME). The pending list (in first-press order) only with `withPending`. */
export function pressOutcome(
  reply: readonly string[],
  withPending: boolean,
  gameId: string,
): { outcome: StoredPressOutcome; nowMs: number } {
  const [first, deadline, at, turnNumber, joined, order, ...choices] = reply;
  const deadlineMs = Number(deadline);
  const nowMs = Number(at);
  const out: StoredPressOutcome = {
    isFirstChoice: Number(first) === 1,
    secondsRemaining: (deadlineMs - nowMs) / 1000,
    deadlineMs,
    turnNumber: Number(turnNumber),
    joinedTurn: Number(joined),
  };
  if (!withPending) return { outcome: out, nowMs };
  let ids: unknown;
  try {
    ids = JSON.parse(String(order));
  } catch {
    ids = null;
  }
  if (!Array.isArray(ids) || ids.length !== choices.length)
    throw new SessionDataError(`game ${gameId}.pending_order`, 'stored list is malformed');
  out.pending = ids.map((u, i): [string, string] => [String(u), String(choices[i])]);
  return { outcome: out, nowMs };
}

/** A history member ("<n>|<json>", or bare JSON from before records were numbered) as a
 *  validated record; SessionDataError when it is corrupt. */
export function historyRecord(gameId: string, member: string): TurnRecordDict {
  const json = member.startsWith('{') ? member : member.slice(member.indexOf('|') + 1);
  let v: unknown;
  try {
    v = JSON.parse(json);
  } catch (e) {
    throw new SessionDataError(
      `turns of ${gameId}`,
      `stored record is not valid JSON (${(e as Error).message})`,
    );
  }
  return TurnRecord.fromDict(v).toDict();
}
