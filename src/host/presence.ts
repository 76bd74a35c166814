import { GameSessionError } from '../core/errors.js';
import type { ChannelView } from './events.js';
import { activePlayers } from './permissions.js';

// Who is at a channel's table: players and spectators that an adapter says are here (a web page
// connected now, a Discord user active recently). Every change goes through the turn driver as a
// 'presence' event, so every process keeps the same table (see docs/decisions.md, "Presence").

/** A player's choices count; a spectator watches (not waited for, presses refused). */
export type PresenceRole = 'player' | 'spectator';

/** One user's presence in a channel, as published to every process. */
export interface PresenceChange {
  userId: string;
  userName: string;
  role: PresenceRole;
  /** The first window (turn stamp) a player plays in: a spectator who asks to play joins from
   *  the next window, not the open one. */
  playsFrom: number;
  /** Unix milliseconds until which the user counts as here (refreshed by the adapter); 0: gone. */
  until: number;
}

/** A user at the table, as the view shows them (sorted by name). 'joining': plays from the
 *  next window. */
export interface PresentUser {
  userId: string;
  userName: string;
  role: PresenceRole | 'joining';
}

/** How long a web page counts as here without a refresh (it refreshes every third of it). */
export const CONNECTED_TTL_MS = 90_000;
/** How long a Discord user counts as here after their last interaction ("recently active"). */
export const RECENT_TTL_MS = 15 * 60_000;
/** Users kept per channel; past it, the one whose presence ends first is dropped. */
const MAX_PRESENT = 256;

/** A spectator (or a player joining from the next window) pressed a choice. */
export class SpectatingError extends GameSessionError {
  constructor(joining: boolean) {
    super(
      'SPECTATING',
      joining
        ? 'you play from the next window; this one goes on without you'
        : 'you are watching this channel; press Play to join from the next window',
    );
  }
}

/**
 * The presence of every channel this process follows. Changes are applied only as the turn
 * driver delivers them, so every process applies them in the same order; every view delivered
 * is drawn with this process' table at that point (`drawView`), so a view published by a
 * process whose table lagged shows the same table everywhere, and a change to the table as
 * shown redraws the channel's last view (`apply`).
 */
export class PresenceTable {
  readonly #channels = new Map<string, Map<string, PresenceChange>>();
  readonly #lastViews = new Map<string, ChannelView>();

  /** `view` with this process' table (kept as the channel's last view). */
  drawView(view: ChannelView, nowMs: number): ChannelView {
    const out = withTable(view, this.here(view.channelId, nowMs));
    this.#lastViews.set(view.channelId, out);
    return out;
  }

  /** Applies a delivered change; returns the channel's last view redrawn when the table as
   *  shown changed (null otherwise, or when no view was delivered yet). */
  applyDelivered(channelId: string, c: PresenceChange, nowMs: number): ChannelView | null {
    const last = this.#lastViews.get(channelId);
    if (!this.apply(channelId, c, nowMs) || last === undefined) return null;
    return this.drawView(last, nowMs);
  }

  /** Applies a change (idempotent: applying it twice is applying it once). Returns whether the
   *  table as shown changed (someone came, left, was renamed or changed role). */
  apply(channelId: string, c: PresenceChange, nowMs: number): boolean {
    let users = this.#channels.get(channelId);
    const before = users?.get(c.userId);
    const wasHere = before !== undefined && before.until > nowMs;
    if (c.until <= nowMs) {
      users?.delete(c.userId);
      if (users?.size === 0) this.#channels.delete(channelId);
      return wasHere;
    }
    if (users === undefined) {
      users = new Map();
      this.#channels.set(channelId, users);
    }
    users.set(c.userId, { ...c });
    if (users.size > MAX_PRESENT) {
      let first: PresenceChange | null = null;
      for (const u of users.values()) if (first === null || u.until < first.until) first = u;
      if (first !== null) users.delete(first.userId);
    }
    return (
      !wasHere ||
      before.role !== c.role ||
      before.userName !== c.userName ||
      before.playsFrom !== c.playsFrom
    );
  }

  /** The users here now. */
  here(channelId: string, nowMs: number): PresenceChange[] {
    const users = this.#channels.get(channelId);
    if (users === undefined) return [];
    const out: PresenceChange[] = [];
    for (const [id, u] of users) {
      if (u.until > nowMs) out.push(u);
      else users.delete(id);
    }
    return out;
  }

  get(channelId: string, userId: string, nowMs: number): PresenceChange | null {
    const u = this.#channels.get(channelId)?.get(userId);
    return u !== undefined && u.until > nowMs ? u : null;
  }

  /** Forgets a channel nobody is at (let go from memory). */
  forget(channelId: string): void {
    this.#channels.delete(channelId);
    this.#lastViews.delete(channelId);
  }

  clear(): void {
    this.#channels.clear();
    this.#lastViews.clear();
  }
}

/**
 * The change for `user` saying they are here until `until`: a newcomer plays unless they asked
 * to watch; a spectator who asks to play joins from the next window (`turn + 1` while a window
 * is open, else `turn`); otherwise the role is kept.
 */
export function presenceChange(
  before: PresenceChange | null,
  user: { id: string; name: string },
  role: PresenceRole | undefined,
  at: { turn: number; windowOpen: boolean },
  until: number,
): PresenceChange {
  const next = at.windowOpen ? at.turn + 1 : at.turn;
  const wanted = role ?? before?.role ?? 'player';
  const playsFrom =
    wanted === 'spectator' || before === null
      ? 0
      : before.role === 'player'
        ? before.playsFrom
        : next;
  return { userId: user.id, userName: user.name, role: wanted, playsFrom, until };
}

/** The table as a view shows it, by name (every process draws the same order, whatever order
 *  the changes reached it in). */
export function presentUsers(here: readonly PresenceChange[], turn: number): PresentUser[] {
  const byName = [...here].sort((a, b) =>
    a.userName === b.userName
      ? a.userId < b.userId
        ? -1
        : 1
      : a.userName.localeCompare(b.userName, 'en'),
  );
  return byName.map((u) => ({
    userId: u.userId,
    userName: u.userName,
    role: u.role === 'player' && u.playsFrom > turn ? 'joining' : u.role,
  }));
}

/** `view` with `here` as its table and the open window's "waiting for" told by it. */
function withTable(view: ChannelView, here: readonly PresenceChange[]): ChannelView {
  const present = presentUsers(here, view.turn);
  if (view.window === null || here.length === 0) return { ...view, present };
  const chosen = new Set(view.window.chosen.map((c) => c.userId));
  const waitingFor = here
    .filter((u) => u.role === 'player' && u.playsFrom <= view.turn && !chosen.has(u.userId))
    .map((u) => u.userName);
  return { ...view, present, window: { ...view.window, waitingFor } };
}

/**
 * The players an open window counts (early close, "waiting for"): those here who play in it.
 * With no presence known at all (a library user whose adapter tells none), the players who
 * pressed in the last few closed windows, as before presence existed.
 */
export function countedPlayers(
  here: readonly PresenceChange[],
  lastPressed: ReadonlyMap<string, number>,
  turn: number,
): string[] {
  if (here.length === 0) return activePlayers(lastPressed, turn);
  return here.filter((u) => u.role === 'player' && u.playsFrom <= turn).map((u) => u.userId);
}

/** Refuses a press from a user who watches, or who plays only from a later window. */
export function checkMayPress(p: PresenceChange | null, turn: number): void {
  if (p === null) return;
  if (p.role === 'spectator') throw new SpectatingError(false);
  if (p.playsFrom > turn) throw new SpectatingError(true);
}
