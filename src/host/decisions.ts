import type { Clock } from '../core/clock.js';
import type { SessionDict } from '../core/session-state.js';
import type { SessionStore } from '../core/store-port.js';
import { checkDecision } from './permissions.js';
import { type Deciding, encodeHostExtra, type HostExtra, parseHostExtra } from './saved-state.js';
import type { HostUser } from './types.js';

/**
 * 'Host decides': checks `user`'s pick against the decision pending in the channel's game and
 * stores it with the game, where the turn's resolver finds it — in this process or another
 * (the pending decision is stored with the game, never only in memory). Refusals as
 * checkDecision's; nothing is written then.
 */
export async function storeDecision(
  store: SessionStore,
  clock: Clock,
  channelId: string,
  user: HostUser,
  choice: string,
  expect: { gameId?: string; turn?: number },
): Promise<{ gameId: string; deciding: Deciding }> {
  const saved = await store.loadChannel(channelId);
  let pending: (Deciding & { extra: HostExtra }) | null = null;
  if (saved?.active === true) {
    const x = parseHostExtra(saved.extra);
    if (x.deciding?.choice === null) pending = { ...x.deciding, extra: x };
  }
  const at = saved && { gameId: saved.game_id, turnNumber: saved.turn_number };
  const { extra, ...d } = checkDecision(at, pending, user, choice, expect);
  const gameId = (saved as SessionDict).game_id;
  const deciding = { ...d, choice };
  await store.updateGame(gameId, { extra: encodeHostExtra({ ...extra, deciding }) }, clock.now());
  return { gameId, deciding };
}
