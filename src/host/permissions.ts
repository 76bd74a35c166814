import { InvalidInputError, StaleTurnError } from '../core/errors.js';
import {
  MAX_CHANNEL_COUNTDOWN_SECONDS,
  MAX_COUNTDOWN_SECONDS,
  MIN_CHANNEL_COUNTDOWN_SECONDS,
  MIN_COUNTDOWN_SECONDS,
} from '../core/limits.js';
import type { JsonValue, SessionDict } from '../core/session-state.js';
import { PermissionError, WrongStateError } from './errors.js';
import type { ChannelSettings, HostUser } from './types.js';

const DEFAULT_CHANNEL_SETTINGS: Readonly<ChannelSettings> = Object.freeze({
  aggregation: 'all',
  closeWhenAllChosen: false,
  anyoneMayManage: false,
  countdownSeconds: null,
});

/** A channel's settings: the adapter's overrides on top of the defaults (unknown values ignored). */
export function resolveSettings(partial: Partial<ChannelSettings> | undefined): ChannelSettings {
  const p = partial ?? {};
  return {
    aggregation:
      p.aggregation === 'plurality' || p.aggregation === 'host' || p.aggregation === 'all'
        ? p.aggregation
        : DEFAULT_CHANNEL_SETTINGS.aggregation,
    closeWhenAllChosen: p.closeWhenAllChosen === true,
    anyoneMayManage: p.anyoneMayManage === true,
    countdownSeconds:
      typeof p.countdownSeconds === 'number' &&
      Number.isFinite(p.countdownSeconds) &&
      p.countdownSeconds >= MIN_COUNTDOWN_SECONDS &&
      p.countdownSeconds <= MAX_COUNTDOWN_SECONDS
        ? p.countdownSeconds
        : null,
  };
}

/**
 * Who may exit or swap the running game: the player who booted it, a user with the platform's
 * manage-channel permission, or anyone when the channel allows it.
 */
function mayManage(user: HostUser, bootedBy: string | null, settings: ChannelSettings): boolean {
  return (
    settings.anyoneMayManage ||
    user.canManageChannel === true ||
    (bootedBy !== null && user.id === bootedBy)
  );
}

/** A game running in another channel is moved here only by someone who may manage it there:
 *  its booter, or anyone when that channel allows it. (A platform manager's permission is for
 *  the channel they act in, so it does not count for the other one.) PermissionError if not. */
export function checkMayTake(
  channelId: string,
  saved: SessionDict,
  bootedBy: string | null,
  user: HostUser,
  settingsOf: (channelId: string) => ChannelSettings,
): void {
  if (!saved.active || saved.channel_id === channelId) return;
  if (mayManage({ ...user, canManageChannel: false }, bootedBy, settingsOf(saved.channel_id)))
    return;
  throw new PermissionError(
    'this game is running in another channel; only the player who booted it may move it here',
  );
}

/** Exit/swap/boot over a channel's running game: its booter, a manager, or anyone if allowed
 *  (an ended story may be replaced by anyone, unless `evenIfEnded`). PermissionError if not. */
export function checkMayReplace(
  channel: { running: boolean; ended: boolean; extra: { bootedBy: string | null } | null },
  user: HostUser,
  settings: ChannelSettings,
  evenIfEnded = false,
): void {
  if (!channel.running || (channel.ended && !evenIfEnded)) return;
  if (!mayManage(user, channel.extra?.bootedBy ?? null, settings))
    throw new PermissionError(
      'only the player who booted this game (or a channel manager) may exit or replace it',
    );
}

/** A channel's countdown: whoever may manage its running game, or with none running, a channel
 *  manager (or anyone when the channel allows it). PermissionError if not. */
export function checkMayChangeCountdown(
  channel: { running: boolean; extra: { bootedBy: string | null } | null },
  user: HostUser,
  settings: ChannelSettings,
): void {
  const running = channel.running && channel.extra !== null;
  if (!mayManage(user, running ? (channel.extra?.bootedBy ?? null) : null, settings))
    throw new PermissionError(
      running
        ? 'only the player who booted this game (or a channel manager) may change its countdown'
        : 'only a channel manager may change the countdown while no game runs',
    );
}

/**
 * The 'host decides' rule, in one process or across them: `expect` (the game and turn stamp the
 * decision was drawn for) must match the game `at`, a decision must be pending, and only the
 * booting player or a channel manager picks, one of the choices the players made.
 */
export function checkDecision<P extends { userId: string; options: readonly string[] }>(
  at: { gameId: string; turnNumber: number } | null,
  pending: P | null,
  user: HostUser,
  choice: string,
  expect: { gameId?: string; turn?: number },
): P {
  if (
    at !== null &&
    ((expect.gameId !== undefined && expect.gameId !== at.gameId) ||
      (expect.turn !== undefined && expect.turn !== at.turnNumber))
  )
    throw new StaleTurnError(expect.turn ?? at.turnNumber, at.turnNumber);
  if (pending === null) throw new WrongStateError('no decision is pending in this channel');
  if (user.id !== pending.userId && user.canManageChannel !== true)
    throw new PermissionError('only the player who booted the game decides what happens');
  if (!pending.options.includes(choice))
    throw new InvalidInputError('choice', 'is not one of the choices the players made');
  return pending;
}

/** Players who pressed within this many closed windows count as active (early close). */
const ACTIVE_TURNS = 3;

/**
 * Whether every player the open window counts (see presence.ts countedPlayers: the players
 * here, else those who pressed in one of the last ACTIVE_TURNS closed windows) has chosen; with
 * none (a new game nobody is known in), the window is never closed early, so the first press of
 * a game cannot cut out the other players.
 */
export function allActiveChosen(
  counted: readonly string[],
  pending: ReadonlyMap<string, string>,
): boolean {
  return counted.length > 0 && counted.every((userId) => pending.has(userId));
}

/** The players who pressed in one of the last ACTIVE_TURNS closed windows (user ids). */
export function activePlayers(
  lastPressed: ReadonlyMap<string, number>,
  currentTurn: number,
): string[] {
  const out: string[] = [];
  for (const [userId, turn] of lastPressed)
    if (turn >= currentTurn - ACTIVE_TURNS) out.push(userId);
  return out;
}

/** Records the closed window's players and forgets those inactive for long (bounded size). */
export function updateLastPressed(
  lastPressed: ReadonlyMap<string, number>,
  turn: number,
  choices: ReadonlyMap<string, string>,
): Map<string, number> {
  const out = new Map<string, number>();
  for (const [userId, t] of lastPressed) if (t >= turn - ACTIVE_TURNS) out.set(userId, t);
  for (const userId of choices.keys()) out.set(userId, turn);
  return out;
}

/** The countdown chosen for a channel (its stored settings), or null when none (or a stored
 *  value out of the limits). */
export function chosenCountdown(settings: Readonly<Record<string, JsonValue>>): number | null {
  const v = settings.countdownSeconds;
  return typeof v === 'number' &&
    Number.isSafeInteger(v) &&
    v >= MIN_CHANNEL_COUNTDOWN_SECONDS &&
    v <= MAX_CHANNEL_COUNTDOWN_SECONDS
    ? v
    : null;
}
