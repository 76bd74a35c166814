import type { GamePage, SessionStore } from '../core/store-port.js';

/** Games per `games` page when the caller names no limit. */
const DEFAULT_GAMES_PAGE = 20;
/** Store pages read for one reply at most: a reply never scans the whole index. */
const MAX_SCANS = 10;

/**
 * One page of the games a player of `channelId` may load, newest first: saved games (not
 * running anywhere) and the channel's own. Games running in other channels are left out (their
 * players' business). The cursor is the store's; a page may come back short, or even empty with
 * a cursor, when many games in a row were left out.
 */
export async function loadableGames(
  store: SessionStore,
  channelId: string,
  options: { cursor?: string | null; limit?: number } = {},
): Promise<GamePage> {
  const limit = Math.max(1, Math.min(100, options.limit ?? DEFAULT_GAMES_PAGE));
  const games: GamePage['games'] = [];
  let cursor = options.cursor ?? null;
  for (let scans = 0; scans < MAX_SCANS && games.length < limit; scans++) {
    const page = await store.listGames({ limit: limit - games.length, cursor });
    for (const g of page.games) if (!g.active || g.channelId === channelId) games.push(g);
    cursor = page.nextCursor;
    if (cursor === null) break;
  }
  return { games, nextCursor: cursor };
}
