import { checkUserName } from '../core/limits.js';
import type { HostUser } from '../host/types.js';
import { oneLine } from './text.js';

const SNOWFLAKE = /^[0-9]{1,20}$/;

/**
 * A HostUser from what an interaction says about its user: the first usable name (server
 * nickname, global name, username), cleaned of invisible characters. Null for a bad id.
 */
export function hostUser(
  id: unknown,
  names: ReadonlyArray<string | null | undefined>,
  canManageChannel: boolean,
): HostUser | null {
  if (typeof id !== 'string' || !SNOWFLAKE.test(id)) return null;
  for (const n of names) {
    if (typeof n !== 'string') continue;
    const name = oneLine(n, 100, '');
    try {
      return { id, name: checkUserName(name), canManageChannel };
    } catch {
      // not a usable name: try the next one
    }
  }
  return { id, name: `user ${id.slice(-4)}`, canManageChannel };
}
