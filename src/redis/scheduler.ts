/**
 * Distributed countdown expiry and exactly-once turn resolution (RedisStore + BullMQ).
 *
 *   const scheduler = await createRedisScheduler({
 *     store,                              // a RedisStore (single node or Cluster)
 *     connection: 'redis://host:6379',    // a standalone Redis for BullMQ (may be the store's)
 *     async onWindowClosed(w, signal) {   // w: { gameId, channelId, turn, choices }
 *       const scene = await narrator.next(w.choices, { signal });
 *       return { narrativeSummary: scene.summary, patch: { extra: scene.state } };
 *     },
 *     onTurnCommitted(w, result) { … },   // render the scene: runs once, on the committing worker
 *   });
 *   …
 *   await scheduler.close();
 *
 * How a turn ends, whichever process is alive:
 * 1. A press through `store` that opens a window adds a BullMQ delayed job (id derived from game
 *    and turn: adding it twice is a no-op). A press that finds the window past its deadline
 *    resolves at once. A periodic sweep (every `sweepIntervalMs`) finds windows and resolutions
 *    that are due in Redis itself, so a job that was never added, or was lost, costs only lateness
 *    (a closed turn is left `claimGraceMs` to the process that closed it before a sweep takes it).
 * 2. The job closes the window if it is due and the game is still on the job's turn (the turn
 *    number fences late and duplicate jobs), then claims the lowest unresolved turn of the game
 *    with a lease (`leaseMs`, renewed while `onWindowClosed` runs).
 * 3. `onWindowClosed` may run more than once for a turn (a resolver killed or paused past its
 *    lease is taken over elsewhere), so it must have no side effect that cannot repeat. Its
 *    result is committed by one fenced script: history record `turn + 1` plus the patch, only
 *    while the lease (turn + token) is still held. At-least-once delivery + fenced commit =
 *    every turn committed exactly once, in order.
 * 4. On start, the scheduler re-adds jobs for every open window and sweeps, so countdowns and
 *    half-resolved turns survive a restart of every worker.
 *
 * BullMQ 6 talks to Redis through node-redis here (ioredis is not a dependency), and its
 * node-redis adapter has no Cluster support: with a Cluster store, point `connection` at a
 * standalone Redis. Correctness never depends on BullMQ — the sweep reads the store.
 */
import { randomUUID } from 'node:crypto';
import { FencedCommitError } from '../core/errors.js';
import type { GamePatch } from '../core/store-port.js';
import { type SceneText, TurnRecord } from '../core/turn-record.js';
import { reconnectDelay } from './conn.js';
import { type Claim, Resolution } from './resolution.js';
import type { RedisStore, WindowEvent } from './store.js';

export interface ClosedWindowInfo {
  gameId: string;
  channelId: string;
  /** The turn whose window closed; the committed history record is numbered `turn + 1`. */
  turn: number;
  choices: Map<string, string>;
}

/** What `onWindowClosed` returns when it committed nothing: when to look at the turn again. */
export interface TurnDeferral {
  retryAfterMs: number;
}

export interface TurnResult {
  narrativeSummary: string;
  /** The scene shown after the turn, kept with its history record (TurnRecordDict.scene). */
  scene?: SceneText;
  /** Merged into the game atomically with the history record (e.g. `extra` = next scene). */
  patch?: GamePatch;
}

export type SchedulerMetric =
  | {
      type: 'closed';
      gameId: string;
      turn: number;
      latenessMs: number;
      by: 'job' | 'sweep' | 'press';
    }
  | { type: 'committed'; gameId: string; turn: number; workerId: string }
  | { type: 'refused'; gameId: string; turn: number; workerId: string };

export interface RedisSchedulerOptions {
  store: RedisStore;
  /** BullMQ's Redis: a URL or node-redis client options (standalone). */
  connection: string | { url: string };
  /**
   * Resolves a closed window (narrate). Required unless `worker` is false. Either returns the
   * result for the scheduler to commit, or commits it itself through `commit` (fenced: rejects
   * with FencedCommitError when the lease was lost). Committing nothing gives the turn back, to
   * be tried again after `retryDelayMs`, or after the returned deferral's `retryAfterMs`.
   */
  onWindowClosed?(
    window: ClosedWindowInfo,
    signal: AbortSignal,
    commit: (result: TurnResult) => Promise<TurnRecord>,
  ): Promise<TurnResult | TurnDeferral | undefined>;
  onTurnCommitted?(window: ClosedWindowInfo, result: TurnResult): void | Promise<void>;
  onMetric?(m: SchedulerMetric): void;
  /** Queue name (default 'gg-expiry'). Every worker of one deployment uses the same. */
  queueName?: string;
  /** Lease on a claimed turn, renewed every third of it (default 2000 ms). */
  leaseMs?: number;
  /** Sweep period (default 1000 ms). */
  sweepIntervalMs?: number;
  /** How long a closed turn (or one whose lease ran out) is left to the process that closed it
   *  (or held it) before a sweep elsewhere takes it (default: `leaseMs`). Without it, every
   *  process' sweep races the closing one for turns it has not had time to claim, and the winner
   *  loads a channel it does not serve. */
  claimGraceMs?: number;
  /** Jobs processed at once by this worker (default 32). */
  concurrency?: number;
  /** Delay before a turn whose `onWindowClosed` threw is tried again (default 1000 ms). */
  retryDelayMs?: number;
  /** This worker's name in leases (default: a random UUID). */
  workerId?: string;
  /** false: only add expiry jobs for presses through `store` (a gateway process); no job
   *  processing, sweep or resolution here. Default true. */
  worker?: boolean;
}

export interface RedisScheduler {
  readonly workerId: string;
  /** Adds the expiry job of a window (presses through `store` do this by themselves). */
  schedule(w: { gameId: string; turn: number; deadlineMs: number; nowMs?: number }): Promise<void>;
  /** Closes the game's window if due and resolves its unresolved turns now. */
  resolveGame(gameId: string, turn?: number, by?: 'job' | 'sweep' | 'press'): Promise<void>;
  /** One pass over every bucket; returns how many games it looked at. */
  sweep(): Promise<number>;
  /** Every connection of the scheduler (queue, worker) is up and it is not closing. */
  connected(): boolean;
  close(): Promise<void>;
}

interface JobData {
  g: string;
  t: number;
}

// BullMQ job ids must not contain ':'; base64url never does.
const jobId = (gameId: string, turn: number) =>
  `w-${Buffer.from(gameId, 'utf8').toString('base64url')}-${turn}`;

export async function createRedisScheduler(
  options: RedisSchedulerOptions,
): Promise<RedisScheduler> {
  const { Queue, Worker, createNodeRedisClient } = await import('bullmq');
  const { createClient } = await import('redis');
  const store = options.store;
  const isWorker = options.worker ?? true;
  const resolveTurn = options.onWindowClosed;
  if (isWorker && resolveTurn === undefined)
    throw new TypeError('onWindowClosed is required unless worker is false');
  const res = new Resolution(store);
  const workerId = options.workerId ?? randomUUID();
  const leaseMs = options.leaseMs ?? 2000;
  const claimGraceMs = options.claimGraceMs ?? leaseMs;
  const retryDelayMs = options.retryDelayMs ?? 1000;
  const queueName = options.queueName ?? 'gg-expiry';
  const url = typeof options.connection === 'string' ? options.connection : options.connection.url;
  // BullMQ's own connections: it blocks on BZPOPMIN, so no per-command timeout and an offline
  // queue (BullMQ retries by itself); the store's connection is the one that fails fast.
  // Clients handed to BullMQ are "shared": BullMQ never closes them, so they are closed here.
  const owned: Array<{ close(): Promise<void>; destroy(): void; readonly isReady: boolean }> = [];
  const bullClient = () => {
    const raw = createClient({
      url,
      RESP: 2,
      commandOptions: { timeout: 0 },
      socket: { reconnectStrategy: (n: number) => reconnectDelay(n) },
    });
    raw.on('error', () => {});
    owned.push(raw);
    const adapter = createNodeRedisClient(raw as never);
    adapter.on('error', () => {});
    return adapter;
  };
  const queue = new Queue<JobData>(queueName, {
    connection: bullClient(),
    defaultJobOptions: {
      removeOnComplete: { count: 1000 },
      removeOnFail: { count: 1000 },
      attempts: 5,
      backoff: { type: 'fixed', delay: 500 },
    },
  });
  queue.on('error', () => {});

  const inflight = new Map<string, Promise<void>>();
  let closing = false;

  async function runClaim(c: Claim): Promise<boolean> {
    const info: ClosedWindowInfo = {
      gameId: c.gameId,
      channelId: c.channelId,
      turn: c.turn,
      choices: c.choices,
    };
    const abort = new AbortController();
    const beat = setInterval(
      () => {
        res.extend(c, leaseMs).then(
          (held) => {
            if (!held) abort.abort(new Error('lease lost'));
          },
          () => {},
        );
      },
      Math.max(50, Math.floor(leaseMs / 3)),
    );
    let committed: TurnResult | null = null;
    const commit = async (result: TurnResult): Promise<TurnRecord> => {
      if (abort.signal.aborted || committed !== null) throw new FencedCommitError();
      const record = new TurnRecord(
        c.turn + 1,
        c.choices,
        result.narrativeSummary,
        Date.now() / 1000,
        result.scene ?? null,
      );
      try {
        await res.commit(c, result.narrativeSummary, result.patch, record.timestamp, record.scene);
      } catch (e) {
        if (e instanceof FencedCommitError)
          options.onMetric?.({ type: 'refused', gameId: c.gameId, turn: c.turn, workerId });
        throw e;
      }
      committed = result;
      options.onMetric?.({ type: 'committed', gameId: c.gameId, turn: c.turn, workerId });
      return record;
    };
    let returned: TurnResult | TurnDeferral | undefined;
    try {
      returned = await (resolveTurn as NonNullable<typeof resolveTurn>)(info, abort.signal, commit);
      if (committed === null && returned !== undefined && 'narrativeSummary' in returned)
        await commit(returned);
    } catch (e) {
      clearInterval(beat);
      if (abort.signal.aborted || e instanceof FencedCommitError) {
        // Its lease went to another worker: nothing of it is committed.
        if (!(e instanceof FencedCommitError))
          options.onMetric?.({ type: 'refused', gameId: c.gameId, turn: c.turn, workerId });
        return false;
      }
      await res.unlease(c, retryDelayMs).catch(() => {});
      return false;
    }
    clearInterval(beat);
    if (committed === null) {
      // Resolved nothing (e.g. a failed turn waiting for a player's retry): give it back.
      const delay =
        returned !== undefined && 'retryAfterMs' in returned ? returned.retryAfterMs : retryDelayMs;
      if (!abort.signal.aborted) await res.unlease(c, delay).catch(() => {});
      return false;
    }
    try {
      await options.onTurnCommitted?.(info, committed);
    } catch {
      // rendering is the host's concern; the turn is committed either way
    }
    return true;
  }

  async function resolveOnce(
    gameId: string,
    turn: number | undefined,
    by: 'job' | 'sweep' | 'press',
  ) {
    for (let i = 0; i < 3; i++) {
      const d = await res.closeDue(gameId, turn);
      if (d.status === 'closed')
        options.onMetric?.({ type: 'closed', gameId, turn: d.turn, latenessMs: d.latenessMs, by });
      if (d.status !== 'open') break;
      // Delivered early (clocks differ): wait a little; a long wait is left to a later sweep.
      if (d.msRemaining > 2000) return;
      await new Promise((r) => setTimeout(r, d.msRemaining + 1));
    }
    while (!closing) {
      const c = await res.claim(gameId, workerId, leaseMs);
      if (c.status !== 'claimed') return;
      if (!(await runClaim(c))) return;
    }
  }

  function resolveGame(
    gameId: string,
    turn?: number,
    by: 'job' | 'sweep' | 'press' = 'sweep',
  ): Promise<void> {
    const running = inflight.get(gameId);
    if (running !== undefined)
      return running.then(() => (turn === undefined ? undefined : resolveGame(gameId, turn, by)));
    const p = resolveOnce(gameId, turn, by).finally(() => inflight.delete(gameId));
    inflight.set(gameId, p);
    return p;
  }

  async function schedule(w: { gameId: string; turn: number; deadlineMs: number; nowMs?: number }) {
    const delay = Math.max(0, w.deadlineMs - (w.nowMs ?? Date.now()));
    await queue.add(
      'expire',
      { g: w.gameId, t: w.turn },
      { jobId: jobId(w.gameId, w.turn), delay },
    );
  }

  async function sweep(): Promise<number> {
    let seen = 0;
    const work: Array<Promise<void>> = [];
    for (let b = 0; b < store.internals.buckets; b++) {
      const d = await res.due(b, claimGraceMs);
      for (const id of new Set([...d.windows, ...d.resolutions])) {
        seen++;
        work.push(resolveGame(id, undefined, 'sweep').catch(() => {}));
      }
    }
    await Promise.all(work);
    return seen;
  }

  const unsubscribe = store.onWindowEvent((e: WindowEvent) => {
    if (closing) return;
    if (e.type === 'opened') void schedule(e).catch(() => {});
    else if (isWorker) void resolveGame(e.gameId, e.turn, 'press').catch(() => {});
  });

  let worker: InstanceType<typeof Worker<JobData>> | null = null;
  let timer: ReturnType<typeof setInterval> | null = null;
  let sweeping: Promise<number> | null = null;
  if (isWorker) {
    worker = new Worker<JobData>(
      queueName,
      async (job) => {
        await resolveGame(job.data.g, job.data.t, 'job');
      },
      {
        connection: bullClient(),
        concurrency: options.concurrency ?? 32,
        lockDuration: 10000,
        stalledInterval: 5000,
        maxStalledCount: 10,
      },
    );
    worker.on('error', () => {});
    await worker.waitUntilReady();
    // Recovery: every open window gets its job back (a no-op where it still exists), then sweep.
    for (let b = 0; b < store.internals.buckets; b++) {
      const { nowMs, list } = await res.windows(b);
      for (const w of list) await schedule({ ...w, nowMs });
    }
    timer = setInterval(() => {
      if (sweeping === null && !closing)
        sweeping = sweep()
          .catch(() => 0)
          .finally(() => {
            sweeping = null;
          });
    }, options.sweepIntervalMs ?? 1000);
    timer.unref();
    void sweep().catch(() => 0);
  }

  return {
    workerId,
    schedule,
    resolveGame,
    sweep,
    connected: () => !closing && owned.every((c) => c.isReady),
    async close() {
      if (closing) return;
      closing = true;
      if (timer !== null) clearInterval(timer);
      unsubscribe();
      await worker?.close();
      await Promise.allSettled([...inflight.values(), sweeping]);
      await queue.close();
      for (const c of owned) await c.close().catch(() => c.destroy());
    },
  };
}
