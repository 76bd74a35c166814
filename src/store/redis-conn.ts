import { GameSessionError, StoreClosedError, StoreError } from '../core/errors.js';
import { type LoadedScript, loadScripts, type ScriptName } from './redis-scripts.js';

/** Where RedisStore connects: one node (URL), or a Cluster (node list, or `{ rootNodes }`). */
export type RedisTarget = string | string[] | { rootNodes: Array<string | { url: string }> };

export interface RedisConnOptions {
  /** Treat a single URL as a Cluster seed node. Default false. */
  cluster?: boolean;
  /** A call that Redis has not answered within this many ms rejects with StoreError. Default 8000. */
  commandTimeoutMs?: number;
  /** Give up the first connection after this many ms. Default 8000. */
  connectTimeoutMs?: number;
  /** Upper bound of the reconnect back-off. Default 1000 ms. */
  reconnectMaxDelayMs?: number;
}

/** The part of node-redis (client or cluster) this package uses. */
interface ScriptClient {
  evalSha(sha: string, o: { keys: string[]; arguments: string[] }): Promise<unknown>;
  eval(script: string, o: { keys: string[]; arguments: string[] }): Promise<unknown>;
  connect(): Promise<unknown>;
  close(): Promise<void>;
  destroy(): void;
  on(event: string, listener: (...args: unknown[]) => void): unknown;
}

interface Pending {
  at: number;
  reject: (e: Error) => void;
}

/**
 * One connection (or Cluster client) running the store's scripts with:
 * - EVALSHA, falling back to EVAL on NOSCRIPT (after SCRIPT FLUSH, a restart, a failover);
 *   NOSCRIPT means the script did not run, so the retry cannot apply anything twice;
 * - a deadline per call kept by ONE shared watchdog timer instead of node-redis' per-command
 *   timer (which costs an AbortSignal and a timer per command);
 * - no offline queue: while the socket is down calls fail at once with StoreError, and nothing
 *   queued is replayed later behind the caller's back. Reconnection is automatic.
 */
export class ScriptConn {
  readonly #client: ScriptClient;
  readonly #scripts: Record<ScriptName, LoadedScript>;
  readonly #timeoutMs: number;
  readonly #pending = new Set<Pending>();
  readonly #watchdog: ReturnType<typeof setInterval>;
  #closed = false;
  /** Number of commands sent to Redis (EVALSHA + EVAL fallbacks), for tests and benchmarks. */
  commands = 0;

  private constructor(
    client: ScriptClient,
    scripts: Record<ScriptName, LoadedScript>,
    timeoutMs: number,
  ) {
    this.#client = client;
    this.#scripts = scripts;
    this.#timeoutMs = timeoutMs;
    this.#watchdog = setInterval(() => this.#expire(), Math.min(250, timeoutMs / 4));
    this.#watchdog.unref();
  }

  static async open(target: RedisTarget, options: RedisConnOptions = {}): Promise<ScriptConn> {
    const timeoutMs = options.commandTimeoutMs ?? 8000;
    const connectTimeoutMs = options.connectTimeoutMs ?? 8000;
    const maxDelay = options.reconnectMaxDelayMs ?? 1000;
    const redis = await import('redis');
    const base = {
      // RESP2: script replies are RESP2-shaped anyway, and it is what BullMQ's scripts expect.
      RESP: 2 as const,
      disableOfflineQueue: true,
      // 0 disables node-redis' per-command timer; the watchdog below enforces the deadline.
      commandOptions: { timeout: 0 },
      socket: {
        connectTimeout: Math.min(connectTimeoutMs, 5000),
        // Keep retrying forever, quickly: a Redis restart should cost ~1 s, not minutes.
        reconnectStrategy: (retries: number) =>
          Math.min(50 * 2 ** Math.min(retries, 10), maxDelay) + Math.floor(Math.random() * 50),
        keepAlive: true,
      },
    };
    const nodes =
      typeof target === 'string'
        ? options.cluster
          ? [target]
          : null
        : Array.isArray(target)
          ? target
          : target.rootNodes.map((n) => (typeof n === 'string' ? n : n.url));
    const client = (nodes === null
      ? redis.createClient({ url: target as string, ...base })
      : redis.createCluster({
          rootNodes: nodes.map((url) => ({ url })),
          defaults: base,
          RESP: 2,
          commandOptions: { timeout: 0 },
        })) as unknown as ScriptClient;
    // Errors are reported through the calls that hit them; without a listener node-redis would
    // turn every socket error into an uncaught exception.
    client.on('error', () => {});
    const scripts = await loadScripts();
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      await Promise.race([
        client.connect(),
        new Promise((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`no connection within ${connectTimeoutMs} ms`)),
            connectTimeoutMs,
          );
        }),
      ]);
    } catch (e) {
      try {
        client.destroy();
      } catch {
        // already down
      }
      throw new StoreError(`cannot connect to Redis: ${(e as Error).message}`, { cause: e });
    } finally {
      clearTimeout(timer);
    }
    return new ScriptConn(client, scripts, timeoutMs);
  }

  #expire(): void {
    const limit = performance.now() - this.#timeoutMs;
    for (const p of this.#pending) {
      if (p.at > limit) break; // insertion order: the rest are younger
      this.#pending.delete(p);
      p.reject(new StoreError(`Redis did not answer within ${this.#timeoutMs} ms`));
    }
  }

  /** Runs a script; rule violations come back as the core's errors via `mapError`. */
  run(
    name: ScriptName,
    keys: string[],
    args: string[],
    mapError: (message: string) => Error | null,
  ): Promise<unknown> {
    if (this.#closed) return Promise.reject(new StoreClosedError());
    const script = this.#scripts[name];
    const o = { keys, arguments: args };
    this.commands++;
    const call = this.#client.evalSha(script.sha, o).catch((e: unknown) => {
      if (e instanceof Error && e.message.startsWith('NOSCRIPT')) {
        this.commands++;
        return this.#client.eval(script.source, o);
      }
      throw e;
    });
    return new Promise((resolve, reject) => {
      const p: Pending = { at: performance.now(), reject };
      this.#pending.add(p);
      call.then(
        (v) => {
          this.#pending.delete(p);
          resolve(v);
        },
        (e: unknown) => {
          this.#pending.delete(p);
          reject(toError(e, mapError));
        },
      );
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#watchdog);
    for (const p of this.#pending) p.reject(new StoreError('the store was closed'));
    this.#pending.clear();
    // A graceful close waits for replies; with Redis gone it could wait forever.
    let timer: ReturnType<typeof setTimeout> | undefined;
    const gaveUp = new Promise<'timeout'>((r) => {
      timer = setTimeout(() => r('timeout'), 2000);
    });
    try {
      if ((await Promise.race([this.#client.close(), gaveUp])) === 'timeout')
        this.#client.destroy();
    } catch {
      this.#client.destroy();
    } finally {
      clearTimeout(timer);
    }
  }
}

function toError(e: unknown, mapError: (message: string) => Error | null): Error {
  if (e instanceof GameSessionError) return e;
  const message = e instanceof Error ? e.message : String(e);
  return mapError(message) ?? new StoreError(`Redis: ${message}`, { cause: e });
}
