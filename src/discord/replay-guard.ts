// A signed interaction is valid for minutes (the timestamp window), so a captured request could
// be sent again and played twice: each interaction id is claimed once, and a second claim within
// the window is a replay.

/** Claims an interaction id for `ttlMs`: true the first time, false for a replay. */
export type ClaimInteraction = (id: string, ttlMs: number) => Promise<boolean>;

/** Ids claimed in this process: enough for one worker. Entries expire after their TTL (every
 *  entry has the server's one TTL, so insertion order is expiry order and a sweep stops early). */
export function localInteractionClaims(now: () => number = Date.now): ClaimInteraction {
  const seen = new Map<string, number>();
  return async (id, ttlMs) => {
    const t = now();
    for (const [key, expires] of seen) {
      if (expires > t) break;
      seen.delete(key);
    }
    const expires = seen.get(id);
    if (expires !== undefined && expires > t) return false;
    seen.set(id, t + ttlMs);
    return true;
  };
}

/** Ids claimed in the store every worker shares (RedisStore.claimOnce): a replay sent to another
 *  worker behind the load balancer is caught too. */
export function sharedInteractionClaims(store: {
  claimOnce(name: string, ttlMs: number): Promise<boolean>;
}): ClaimInteraction {
  return (id, ttlMs) => store.claimOnce(`discord-interaction:${id}`, ttlMs);
}
