import type { Clock } from '../core/clock.js';
import { GameNotFoundError, InvalidInputError } from '../core/errors.js';
import { GameSession } from '../core/game-session.js';
import type { SessionStore } from '../core/store-port.js';
import { TurnRecord } from '../core/turn-record.js';
import { type Narrator, pluralityChoice } from '../narrator/port.js';
import type { ClosedWindowInfo, RedisScheduler, TurnResult } from '../schedule/redis-scheduler.js';
import { RedisStore } from '../store/redis-store.js';
import type { ChannelRunner } from './channel-runner.js';
import { WrongStateError } from './errors.js';
import { type BusNotice, RedisEventBus } from './event-bus.js';
import { type Deciding, encodeHostExtra, type HostExtra, parseHostExtra } from './host-extra.js';
import { failureMessage, narrateTurn } from './narration.js';
import { checkDecision } from './permissions.js';
import type { ChannelSettings, GameSpec, HostEvent, HostUser } from './types.js';

/**
 * GameHostOptions.cluster: several host processes (stateless workers behind any load balancer)
 * share channels through a RedisStore. Every process runs a scheduler worker
 * (createRedisScheduler) and subscribes to one pub/sub channel of change notices.
 */
export interface ClusterOptions {
  /** A standalone Redis for the scheduler's BullMQ queue and the pub/sub notices (may be the
   *  store's Redis), e.g. 'redis://localhost:6379'. */
  connection: string;
  /** Pub/sub channel of change notices (default 'gg:events'); one per deployment. */
  eventChannel?: string;
  /** BullMQ queue name (default 'gg-expiry'); one per deployment. */
  queueName?: string;
  /** Lease on a turn being narrated, renewed while the narrator runs (default 2000 ms). */
  leaseMs?: number;
  /** How often the scheduler sweeps Redis for due windows and turns (default 1000 ms). */
  sweepIntervalMs?: number;
  /** This process' name in leases (default: a random UUID). */
  workerId?: string;
}

/** What the cluster link needs from its GameHost. */
export interface ClusterHostPort {
  /** Must be a RedisStore. */
  readonly store: SessionStore;
  readonly clock: Clock;
  readonly narratorTimeoutMs: number;
  settings(channelId: string): ChannelSettings;
  makeNarrator(spec: GameSpec): Narrator;
  /** Local delivery to this process' subscribers. */
  emit(channelId: string, event: HostEvent): void;
  /** Reloads the channel from the store (if this process follows it) and emits its view. */
  refresh(channelId: string): Promise<void>;
}

const NARRATOR_CACHE = 256;
/** How often a resolver waiting for a 'host' decision looks for it in the store. */
const DECISION_POLL_MS = 100;

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', stop);
    };
    const stop = () => {
      done();
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      done();
      resolve();
    }, ms);
    signal.addEventListener('abort', stop, { once: true });
  });
}

/**
 * The cluster side of a GameHost:
 * - narration runs only in the scheduler's `onWindowClosed`, in whichever process holds the
 *   turn's lease, through the same `narrateTurn` as the single-process host; its result (next
 *   scene and narrator state in `extra`) is stored with the turn's record by the fenced commit,
 *   so each turn is narrated and committed once. Local countdown timers may close a window
 *   (idempotent in the store) but never narrate; they only hurry the scheduler.
 * - a failed narration is written to the game's `extra.unresolved` (the 'failed' view) and the
 *   lease is given back; only a player's `retry` (from any process) narrates it again.
 * - every change is announced on the pub/sub channel; each process reloads the channels it
 *   follows and emits a fresh 'view'. 'text' deltas and 'turn' events stay in the narrating
 *   process. 'host' aggregation is decided by plurality here (the decision is not shared).
 */
export class ClusterLink {
  /** Settles once the scheduler and the bus run (rejects if they cannot start). */
  readonly ready: Promise<void>;
  readonly #port: ClusterHostPort;
  readonly #store: RedisStore;
  #bus: RedisEventBus | null = null;
  #scheduler: RedisScheduler | null = null;
  readonly #narrators = new Map<string, Narrator>();
  readonly #refreshing = new Set<string>();
  readonly #again = new Set<string>();
  /** Games whose failed turn a player asked to retry through this process. */
  readonly #retrying = new Set<string>();
  #closed = false;

  constructor(options: ClusterOptions, port: ClusterHostPort) {
    if (!(port.store instanceof RedisStore))
      throw new InvalidInputError('cluster', 'needs a RedisStore as the store');
    this.#port = port;
    this.#store = port.store;
    this.ready = this.#start(options);
    this.ready.catch(() => {}); // reported by GameHost.start() and every host call
  }

  async #start(options: ClusterOptions): Promise<void> {
    const bus = await RedisEventBus.connect(
      options.connection,
      (n) => this.#onNotice(n),
      options.eventChannel,
    );
    this.#bus = bus;
    try {
      const { createRedisScheduler } = await import('../schedule/redis-scheduler.js');
      this.#scheduler = await createRedisScheduler({
        store: this.#store,
        connection: options.connection,
        onWindowClosed: (w, signal) => this.#narrate(w, signal),
        onTurnCommitted: (w, result) => this.#committed(w, result),
        // A failed turn waits for a player's retry; the scheduler only looks at it again now
        // and then (and leaves it alone: see #narrate).
        retryDelayMs: 60_000,
        ...(options.queueName !== undefined ? { queueName: options.queueName } : {}),
        ...(options.leaseMs !== undefined ? { leaseMs: options.leaseMs } : {}),
        ...(options.sweepIntervalMs !== undefined
          ? { sweepIntervalMs: options.sweepIntervalMs }
          : {}),
        ...(options.workerId !== undefined ? { workerId: options.workerId } : {}),
      });
    } catch (e) {
      await bus.close();
      throw e;
    }
  }

  /** A host operation changed the channel (this process' view is already up to date). */
  notify(channelId: string): void {
    void this.#bus?.publish(channelId, 'host');
  }

  /** A local countdown timer closed a window: tell everyone, and narrate without waiting for
   *  the scheduler's job (the lease makes that safe if another process does the same). */
  windowClosed(channelId: string, gameId: string): void {
    this.notify(channelId);
    void this.#scheduler?.resolveGame(gameId).catch(() => {});
  }

  /** Runs the channel's failed turn again now (claims its lease) and reloads the channel;
   *  resolves when the attempt is over. WrongStateError when nothing failed. */
  async retry(r: ChannelRunner): Promise<void> {
    const gameId = r.session?.gameId;
    const un = r.extra?.unresolved ?? null;
    if (r.phase !== 'failed' || gameId === undefined || un === null)
      throw new WrongStateError('nothing to retry: the last turn did not fail');
    this.#retrying.add(gameId);
    try {
      await this.#scheduler?.resolveGame(gameId, un.turn);
    } finally {
      this.#retrying.delete(gameId);
    }
    await this.#port.refresh(r.channelId);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.ready.catch(() => {});
    await this.#scheduler?.close();
    await this.#bus?.close();
  }

  #onNotice(n: BusNotice): void {
    if (this.#closed || (n.origin === this.#bus?.origin && n.kind === 'host')) return;
    this.#refresh(n.channelId);
  }

  /** Coalesced reloads: at most one running and one queued per channel. */
  #refresh(channelId: string): void {
    if (this.#refreshing.has(channelId)) {
      this.#again.add(channelId);
      return;
    }
    this.#refreshing.add(channelId);
    void (async () => {
      try {
        do {
          this.#again.delete(channelId);
          await this.#port.refresh(channelId).catch(() => {});
        } while (this.#again.has(channelId) && !this.#closed);
      } finally {
        this.#refreshing.delete(channelId);
      }
    })();
  }

  #announce(channelId: string): void {
    void this.#bus?.publish(channelId, 'worker');
  }

  #narrator(gameId: string, spec: GameSpec): Narrator {
    let n = this.#narrators.get(gameId);
    if (n === undefined) {
      n = this.#port.makeNarrator(spec);
      if (this.#narrators.size >= NARRATOR_CACHE) {
        const oldest = this.#narrators.keys().next();
        if (oldest.done !== true) this.#narrators.delete(oldest.value);
      }
      this.#narrators.set(gameId, n);
    }
    return n;
  }

  /** The scheduler's onWindowClosed: narrates the turn; the patch is committed with it. */
  async #narrate(w: ClosedWindowInfo, signal: AbortSignal): Promise<TurnResult> {
    const port = this.#port;
    const saved = await this.#store.loadGame(w.gameId);
    if (saved === null) throw new GameNotFoundError(w.gameId);
    let x = parseHostExtra(saved.extra);
    const channelId = saved.channel_id;
    const session = GameSession.fromDict(saved, { clock: port.clock, store: port.store });
    const kept = x.unresolved?.turn === w.turn ? x.unresolved.decided : null;
    if (x.unresolved !== null && !this.#retrying.has(w.gameId)) {
      // Failed before: only a player's retry runs it again (a late job, a sweep or another
      // process' timer must not), exactly as in single-process mode.
      throw new WrongStateError('this turn failed; it waits for a retry');
    }
    if (x.unresolved !== null) {
      // A retry: show 'narrating' again everywhere.
      x = { ...x, unresolved: null };
      await this.#store.updateGame(w.gameId, { extra: encodeHostExtra(x) }, port.clock.now());
    }
    this.#announce(channelId);
    const mode = port.settings(channelId).aggregation;
    let decided = kept ?? (mode === 'plurality' ? pluralityChoice(w.choices) : null);
    if (kept === null && mode === 'host') {
      const picked = await this.#awaitDecision(w, x, signal);
      decided = picked.choice;
      x = picked.extra;
    }
    const controller = new AbortController();
    const onAbort = (): void => controller.abort(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      const { next, summary } = await narrateTurn({
        narrator: this.#narrator(w.gameId, x.spec),
        session,
        extra: x,
        turn: w.turn,
        choices: w.choices,
        decided,
        controller,
        clock: port.clock,
        timeoutMs: port.narratorTimeoutMs,
        onText: (delta) => {
          if (delta !== '') port.emit(channelId, { type: 'text', channelId, delta });
        },
      });
      return { narrativeSummary: summary, patch: { extra: encodeHostExtra(next) } };
    } catch (e) {
      if (signal.aborted) throw e; // the lease was lost: the turn is another worker's now
      const unresolved = {
        turn: w.turn,
        choices: [...w.choices],
        decided,
        error: failureMessage(e),
      };
      await port.store
        .updateGame(w.gameId, { extra: encodeHostExtra({ ...x, unresolved }) }, port.clock.now())
        .catch(() => {});
      this.#announce(channelId);
      throw e;
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  /**
   * 'host' aggregation: with two or more different choices, stores the pending decision with the
   * game (every process shows it; `decide` may arrive at any of them) and waits until the
   * booting player's choice is stored. The lease is renewed meanwhile; a resolver that dies
   * leaves the decision in place for the next one. Returns the choice (or the only option) and
   * the game's extra with the decision cleared.
   */
  async #awaitDecision(
    w: ClosedWindowInfo,
    x: HostExtra,
    signal: AbortSignal,
  ): Promise<{ choice: string | null; extra: HostExtra }> {
    const options = [...new Set(w.choices.values())];
    if (options.length <= 1) return { choice: options[0] ?? null, extra: x };
    const now = () => this.#port.clock.now();
    if (x.deciding?.turn !== w.turn) {
      const deciding = { turn: w.turn, userId: x.bootedBy ?? '', options, choice: null };
      await this.#store.updateGame(w.gameId, { extra: encodeHostExtra({ ...x, deciding }) }, now());
      this.#announce(w.channelId);
    }
    for (;;) {
      if (signal.aborted) throw signal.reason;
      const saved = await this.#store.loadGame(w.gameId);
      if (saved === null) throw new GameNotFoundError(w.gameId);
      const current = parseHostExtra(saved.extra);
      const d = current.deciding;
      if (d !== null && d.turn === w.turn && d.choice !== null)
        return { choice: d.choice, extra: { ...current, deciding: null } };
      // An exited game keeps its pending decision (like a narration in progress, which a
      // cluster resolver finishes too); it is looked at less often until it is loaded again.
      await abortableSleep(saved.active ? DECISION_POLL_MS : 10 * DECISION_POLL_MS, signal);
    }
  }

  /** 'host' aggregation from any process: stores the booting player's (or a manager's) pick for
   *  the resolver to find. Refusals as in single-process mode. */
  async decide(
    r: ChannelRunner,
    user: HostUser,
    choice: string,
    expect: { gameId?: string; turn?: number },
  ): Promise<void> {
    const saved = await this.#store.loadChannel(r.channelId);
    let pending: (Deciding & { gameId: string; extra: HostExtra }) | null = null;
    if (saved !== null) {
      const x = parseHostExtra(saved.extra);
      if (x.deciding?.choice === null) pending = { ...x.deciding, gameId: saved.game_id, extra: x };
    }
    const at = saved && { gameId: saved.game_id, turnNumber: saved.turn_number };
    const { gameId, extra, ...deciding } = checkDecision(at, pending, user, choice, expect);
    await this.#store.updateGame(
      gameId,
      { extra: encodeHostExtra({ ...extra, deciding: { ...deciding, choice } }) },
      this.#port.clock.now(),
    );
    this.notify(r.channelId);
    await this.#port.refresh(r.channelId);
  }

  #committed(w: ClosedWindowInfo, result: TurnResult): void {
    const channelId = w.channelId;
    const record = new TurnRecord(
      w.turn + 1,
      w.choices,
      result.narrativeSummary,
      this.#port.clock.now() / 1000,
    );
    this.#port.emit(channelId, { type: 'turn', channelId, record });
    this.#announce(channelId);
  }
}
