// The host start-up shared by `gamegirl serve` (web console) and `gamegirl discord` (the bot):
// open the configured store, build the GameHost from the configuration, start it, and undo all of
// it when something fails or the process stops.
import type { Config } from '../config.js';
import { narratorFactory, openStore } from '../config.js';
import type { SessionStore } from '../core/store-port.js';
import { GameHost } from '../host/game-host.js';
import type { TurnDriver } from '../host/turn-driver.js';
import type { GameHostOptions } from '../host/types.js';
import { type DataDirLock, lockDataDir } from './data-lock.js';
import { narratorTimeoutMs } from './limit-settings.js';
import { type AppMetrics, createMetrics } from './metrics.js';
import { type OpsRoutes, opsRoutes } from './ops-http.js';

/** What an entry point may add to the host the configuration describes. */
export type StartHostExtra = Pick<GameHostOptions, 'titleScreen' | 'log'>;

export interface StartedHost {
  host: GameHost;
  store: SessionStore;
  /** Where games are saved (the SQLite file, or the Redis URL without its password). */
  where: string;
  /** This process' metrics (host, store, Node); adapters add their own. */
  metrics: AppMetrics;
  /** /metrics, /healthz and /readyz. */
  ops: OpsRoutes;
  /** From now on /readyz answers 503 'draining' (the process is stopping). */
  drain(): void;
  /** Closes the host, then the store. Safe to call more than once. */
  close(): Promise<void>;
}

/**
 * The host could not start (its Redis scheduler did not come up). The host and the store are
 * already closed; the caller reports the message (`cannot start the Redis scheduler: …`) and
 * exits with code 1.
 */
export class HostStartError extends Error {
  constructor(cause: unknown) {
    super(`cannot start the Redis scheduler: ${(cause as Error)?.message ?? String(cause)}`, {
      cause,
    });
    this.name = 'HostStartError';
  }
}

/** With REDIS_URL this process shares channels with every other process on the same Redis
 *  (loaded only then: a SQLite console never loads the Redis client, BullMQ or the driver). */
async function redisDriver(config: Config, store: SessionStore): Promise<TurnDriver | undefined> {
  if (config.redisUrl === null) return undefined;
  const { RedisStore } = await import('../redis/store.js');
  const { RedisTurnDriver } = await import('../redis/turn-driver.js');
  if (!(store instanceof RedisStore)) return undefined;
  return new RedisTurnDriver({ store, connection: config.redisUrl });
}

/**
 * Opens the configured store and starts a GameHost on it: the configured narrators, countdown,
 * channel settings (process-wide defaults for every channel) and, with REDIS_URL, cluster mode.
 * Throws HostStartError when the host does not start; errors opening the store (StoreError, …)
 * are passed on as they are. Nothing is left open when it throws.
 */
export async function startHost(config: Config, extra: StartHostExtra = {}): Promise<StartedHost> {
  const { store, where } = await openStore(config);
  let lock: DataDirLock | null = null;
  try {
    // A SQLite folder is served by one process (Redis mode coordinates many by itself).
    if (config.redisUrl === null) lock = lockDataDir(config.dataDir);
  } catch (err) {
    await store.close();
    throw err;
  }
  const metrics = createMetrics();
  let host: GameHost;
  try {
    const channelSettings = Object.freeze({ ...config.channelSettings });
    const driver = await redisDriver(config, store);
    host = new GameHost({
      ...extra,
      // The driver works on the store itself; the host's calls are timed.
      store: metrics.instrumentStore(store),
      metrics: metrics.host,
      narrators: await narratorFactory(config),
      countdownSeconds: config.countdownSeconds,
      settings: () => channelSettings,
      pressRateLimit: config.limits.pressRate,
      bootRateLimit: config.limits.bootRate,
      llmBootRateLimit: config.limits.llmBootRate,
      narratorTimeoutMs: narratorTimeoutMs(config.limits, config.llm?.timeoutMs ?? null),
      ...(config.limits.evictIdleAfterMs === null
        ? {}
        : { evictIdleAfterMs: config.limits.evictIdleAfterMs }),
      ...(driver !== undefined ? { driver } : {}),
    });
  } catch (err) {
    await store.close();
    lock?.release();
    throw err;
  }
  let closing: Promise<void> | null = null;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      try {
        await host.close();
      } finally {
        try {
          await store.close();
        } finally {
          lock?.release();
        }
      }
    })();
    return closing;
  };
  try {
    await host.start();
  } catch (err) {
    // The start failure is what the operator needs to see, not a failure while cleaning up.
    await close().catch(() => {});
    throw new HostStartError(err);
  }
  const h = host;
  metrics.gauge('gamegirl_open_windows', 'Countdown windows open in this process', () =>
    h.openWindows(),
  );
  let draining = false;
  const ops = opsRoutes({
    registry: metrics.registry,
    ready: () => h.ready(),
    draining: () => draining,
  });
  const drain = () => {
    draining = true;
  };
  return { host, store, where, metrics, ops, drain, close };
}
