import { systemClock } from './clock.js';
import { GameSession, type GameSessionOptions, JOIN_WINDOW } from './game-session.js';
import { checkChannelId, checkGameId } from './limits.js';
import { defaultRegistry, type SessionRegistry } from './registry.js';
import type { GameSummary, SessionStore } from './store-port.js';

/** Every saved game in the store's index, newest first (pages through the whole index). */
export async function listAllGames(
  store: SessionStore,
  options: { max?: number } = {},
): Promise<GameSummary[]> {
  const max = options.max ?? Number.POSITIVE_INFINITY;
  const out: GameSummary[] = [];
  let cursor: string | null = null;
  do {
    const page = await store.listGames({
      limit: Math.min(500, Math.max(1, max - out.length)),
      cursor,
    });
    out.push(...page.games);
    cursor = page.nextCursor;
  } while (cursor !== null && out.length < max);
  return out.slice(0, max);
}

/** Loads a saved game by id (bound to `store`), or null. It is not made active by loading; if it
 *  is running with an open window, the loaded session times that window too. */
export async function loadByGameId(
  gameId: string,
  store: SessionStore,
  options: GameSessionOptions = {},
): Promise<GameSession | null> {
  const d = await store.loadGame(checkGameId(gameId));
  return d === null
    ? null
    : GameSession[JOIN_WINDOW](GameSession.fromDict(d, { ...options, store }));
}

export interface HotSwapOptions extends GameSessionOptions {
  /** Where the channel's running session is registered (default: the module's registry). */
  registry?: SessionRegistry;
}

/**
 * Changes cartridges: the channel's running game is saved and exited (pending choices kept),
 * and the saved game `gameId` becomes the channel's game, moved from any other channel. The new
 * session is registered for the channel and returned. Unknown ids reject with GameNotFoundError
 * and change nothing.
 */
export async function hotSwap(
  channelId: string,
  gameId: string,
  store: SessionStore,
  options: HotSwapOptions = {},
): Promise<GameSession> {
  checkChannelId(channelId);
  checkGameId(gameId);
  const registry = options.registry ?? defaultRegistry;
  const clock = options.clock ?? systemClock;
  const old = registry.get(channelId);
  if (old?.active && old.store !== null && old.store !== store) await old.exitGame();
  const dict = await store.swapIn(channelId, gameId, clock.now());
  // The store has already exited the old game; stop this process's copy of it.
  old?.dispose();
  const session = GameSession.fromDict(dict, { ...options, store });
  registry.set(channelId, session);
  return session;
}
