import {
  GameSessionError,
  InvalidInputError,
  StoreClosedError,
  StoreError,
  StoreUncertainError,
} from '../core/errors.js';
import { type LoadedScript, loadScripts, type ScriptName } from './scripts.js';

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
  /**
   * Connections to a single node (1-16, default 3; a Cluster client keeps one per master).
   * Each hash-tag bucket always uses the same connection, so one game's calls stay in order;
   * several let Redis run one connection's batch while this process reads another's replies.
   */
  connections?: number;
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

type ErrorClass = abstract new (...args: never[]) => Error;

/** node-redis' error classes that say how a call failed: with a reply from Redis (it ran the
 *  call, or refused it as a whole), or before it was sent (the socket was down). */
interface CertainFailures {
  reply: ErrorClass;
  unsent: ErrorClass[];
}

interface Pending {
  at: number;
  reject: (e: Error) => void;
  /** The call itself, which goes on after the deadline rejected its caller. */
  call: Promise<unknown> | null;
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
  readonly #clients: ScriptClient[];
  readonly #scripts: Record<ScriptName, LoadedScript>;
  readonly #timeoutMs: number;
  readonly #pending = new Set<Pending>();
  readonly #watchdog: ReturnType<typeof setInterval>;
  readonly #certain: CertainFailures;
  #closed = false;
  /** Number of commands sent to Redis (EVALSHA + EVAL fallbacks), for tests and benchmarks. */
  commands = 0;

  private constructor(
    clients: ScriptClient[],
    scripts: Record<ScriptName, LoadedScript>,
    timeoutMs: number,
    certain: CertainFailures,
  ) {
    this.#clients = clients;
    this.#certain = certain;
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
        reconnectStrategy: (retries: number) => reconnectDelay(retries, maxDelay),
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
    const count = nodes === null ? (options.connections ?? 3) : 1;
    if (!Number.isSafeInteger(count) || count < 1 || count > 16)
      throw new InvalidInputError('connections', 'must be an integer from 1 to 16');
    const clients = Array.from(
      { length: count },
      () =>
        (nodes === null
          ? redis.createClient({ url: target as string, ...base })
          : redis.createCluster({
              rootNodes: nodes.map((url) => ({ url })),
              defaults: base,
              RESP: 2,
              commandOptions: { timeout: 0 },
            })) as unknown as ScriptClient,
    );
    // Errors are reported through the calls that hit them; without a listener node-redis would
    // turn every socket error into an uncaught exception.
    for (const c of clients) c.on('error', () => {});
    const scripts = await loadScripts();
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      await Promise.race([
        Promise.all(clients.map((c) => c.connect())),
        new Promise((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`no connection within ${connectTimeoutMs} ms`)),
            connectTimeoutMs,
          );
        }),
      ]);
    } catch (e) {
      for (const c of clients) {
        try {
          c.destroy();
        } catch {
          // already down
        }
      }
      throw new StoreError(`cannot connect to Redis: ${(e as Error).message}`, { cause: e });
    } finally {
      clearTimeout(timer);
    }
    const certain: CertainFailures = {
      reply: redis.ErrorReply,
      unsent: [redis.ClientOfflineError, redis.ClientClosedError],
    };
    return new ScriptConn(clients, scripts, timeoutMs, certain);
  }

  #expire(): void {
    const limit = performance.now() - this.#timeoutMs;
    for (const p of this.#pending) {
      if (p.at > limit) break; // insertion order: the rest are younger
      this.#pending.delete(p);
      // Sent and not answered: a stalled Redis (SIGSTOP, a long script) runs it when it resumes.
      const settled = (p.call ?? Promise.resolve()).then(noop, noop);
      p.reject(
        new StoreUncertainError(`Redis did not answer within ${this.#timeoutMs} ms`, { settled }),
      );
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
    const client = this.#clientFor(keys[0]);
    this.commands++;
    return new Promise((resolve, reject) => {
      const p: Pending = { at: performance.now(), reject, call: null };
      this.#pending.add(p);
      const done = (v: unknown) => {
        this.#pending.delete(p);
        resolve(v);
      };
      const fail = (e: unknown) => {
        this.#pending.delete(p);
        reject(toError(e, mapError, this.#certain));
      };
      p.call = client.evalSha(script.sha, o).then(done, (e: unknown) => {
        if (e instanceof Error && e.message.startsWith('NOSCRIPT')) {
          this.commands++;
          return client.eval(script.source, o).then(done, fail);
        }
        fail(e);
      });
    });
  }

  /** The connection of a key's hash-tag bucket (`…{b<n>}…`), so a game's calls keep their order. */
  #clientFor(key: string | undefined): ScriptClient {
    const clients = this.#clients;
    if (clients.length === 1 || key === undefined) return clients[0] as ScriptClient;
    const at = key.indexOf('{b');
    const bucket = at < 0 ? 0 : Number.parseInt(key.slice(at + 2, at + 6), 10) || 0;
    return clients[bucket % clients.length] as ScriptClient;
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
    const destroyAll = () => {
      for (const c of this.#clients) {
        try {
          c.destroy();
        } catch {
          // already down
        }
      }
    };
    try {
      const closed = Promise.all(this.#clients.map((c) => c.close()));
      if ((await Promise.race([closed, gaveUp])) === 'timeout') destroyAll();
    } catch {
      destroyAll();
    } finally {
      clearTimeout(timer);
    }
  }
}

const noop = (): void => {};

function toError(
  e: unknown,
  mapError: (message: string) => Error | null,
  certain: CertainFailures,
): Error {
  if (e instanceof GameSessionError) return e;
  const message = e instanceof Error ? e.message : String(e);
  const mapped = mapError(message);
  if (mapped !== null) return mapped;
  // An error reply came from Redis (the script ran, or failed as a whole); a client that was
  // offline never sent the call. Anything else (the socket dropped with the call in flight)
  // leaves it unknown whether Redis ran it.
  if (e instanceof certain.reply || certain.unsent.some((c) => e instanceof c))
    return new StoreError(`Redis: ${message}`, { cause: e });
  return new StoreUncertainError(`Redis: ${message}`, { cause: e });
}

/**
 * The one reconnect back-off of every Redis connection the package opens (store, scheduler,
 * pub/sub): 50 ms doubling per attempt up to `maxMs`, with up to 50 ms of jitter so processes
 * that lost Redis together do not reconnect in lock-step.
 */
export function reconnectDelay(attempt: number, maxMs = 1000): number {
  return Math.min(50 * 2 ** Math.min(attempt, 10), maxMs) + Math.floor(Math.random() * 50);
}
