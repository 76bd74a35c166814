// One "process" of a distributed deployment for tests: its own RedisStore connections, scheduler
// worker and pub/sub connections, on namespace `ns` of a test Redis, with fast leases and sweeps.

import type { SessionStore } from '../../src/core/store-port.js';
import { GameHost } from '../../src/host/game-host.js';
import type { ChannelSettings } from '../../src/host/types.js';
import type { Narrator } from '../../src/narrator/port.js';
import { RedisStore } from '../../src/redis/store.js';
import { RedisTurnDriver } from '../../src/redis/turn-driver.js';

export async function startClusterHost(options: {
  url: string;
  ns: string;
  name: string;
  narrator: Narrator;
  settings?: Partial<ChannelSettings>;
  /** The store the GameHost uses, around this process' RedisStore (the driver keeps the bare
   *  one), e.g. a door on some of its answers. */
  hostStore?: (store: RedisStore) => SessionStore;
  /** Pub/sub channel of host events (default `<ns>:events`, the deployment's): another one
   *  stands for a process that hears none of the others' events (pub/sub is at-most-once). */
  eventChannel?: string;
  /** Idle channels are let go after this long (ms; the host's default otherwise). */
  evictIdleAfterMs?: number;
  /** The countdown (s; default 0.5). */
  countdownSeconds?: number;
}): Promise<{ host: GameHost; store: RedisStore; close(): Promise<void> }> {
  const { url, ns, name } = options;
  const settings = options.settings ?? {};
  const store = await RedisStore.connect(url, { prefix: ns, returnPending: true });
  const host = new GameHost({
    store: options.hostStore?.(store) ?? store,
    narrators: () => options.narrator,
    countdownSeconds: options.countdownSeconds ?? 0.5,
    ...(options.evictIdleAfterMs !== undefined
      ? { evictIdleAfterMs: options.evictIdleAfterMs }
      : {}),
    settings: () => settings,
    driver: new RedisTurnDriver({
      store,
      connection: url,
      eventChannel: options.eventChannel ?? `${ns}:events`,
      queueName: `${ns}-q`,
      workerId: name,
      leaseMs: 1000,
      sweepIntervalMs: 200,
    }),
  });
  try {
    await host.start();
  } catch (e) {
    await host.close();
    await store.close();
    throw e;
  }
  return {
    host,
    store,
    async close() {
      await host.close();
      await store.close();
    },
  };
}
