import { StoreUncertainError } from '../core/errors.js';
import type { SessionStore } from '../core/store-port.js';
import { ChannelRunner } from './channel-runner.js';
import type { ChannelSessions } from './channel-sessions.js';
import type { HostContext } from './host-context.js';
import { IdleChannels } from './idle-channels.js';
import { ChannelResync, mayBeRecorded } from './store-faults.js';
import type { ClosedTurn, TurnLease, TurnOutcome } from './turn-driver.js';

export interface ChannelDirectoryDeps {
  ctx: HostContext;
  sessions: ChannelSessions;
  store: SessionStore;
  /** Whether the owning GameHost has been closed (read at each use). */
  isClosed(): boolean;
  /** Someone follows the channel in this process (a subscriber, or a player at its table). */
  followed(channelId: string): boolean;
  /** A channel was let go from memory (the host forgets what else it kept for it). */
  evicted(channelId: string): void;
  /** Idle channels are let go after this long (ms; Infinity: never). */
  evictIdleAfterMs: number;
}

/**
 * GameHost's channels in this process: one runner per channel, its game looked up in the store
 * on first use, and looked up again when another process changed the channel (marked stale by
 * an event it published) — but not while this process is resolving that channel's turn, unless
 * the store says its game no longer runs there.
 */
export class ChannelDirectory {
  readonly #d: ChannelDirectoryDeps;
  readonly #runners = new Map<string, ChannelRunner>();
  readonly #reloading = new Set<ChannelRunner>();
  readonly #loading = new Set<ChannelRunner>();
  /** The driver's watch of each channel held, settled once its events reach this process. */
  readonly #watched = new Map<string, Promise<void>>();
  readonly #resync: ChannelResync;
  readonly #idle: IdleChannels;

  constructor(deps: ChannelDirectoryDeps) {
    this.#d = deps;
    this.#resync = new ChannelResync(deps.ctx.clock, (channelId) => this.#refresh(channelId));
    this.#idle = new IdleChannels(deps.ctx.clock, deps.evictIdleAfterMs);
  }

  /** Channels held in memory now. */
  get size(): number {
    return this.#runners.size;
  }

  get(channelId: string): ChannelRunner | undefined {
    return this.#runners.get(channelId);
  }

  all(): IterableIterator<ChannelRunner> {
    return this.#runners.values();
  }

  /** The channel's runner, loaded (or reloaded if stale) from the store. */
  async ready(channelId: string): Promise<ChannelRunner> {
    this.#idle.touch(channelId);
    this.#evictIdle();
    let runner = this.#runners.get(channelId);
    if (runner === undefined) {
      runner = new ChannelRunner(channelId, this.#d.ctx);
      this.#runners.set(channelId, runner);
      // Watched for as long as it is held, from before its first read: nothing another process
      // publishes after that read is missed.
      this.#watched.set(channelId, this.#d.ctx.driver.watch(channelId));
    }
    const r = runner;
    if (r.loaded === null) {
      this.#loading.add(r);
      r.loaded = (this.#watched.get(channelId) ?? Promise.resolve())
        .then(() => this.#d.sessions.restore(r))
        .catch((e: unknown) => {
          r.loaded = null; // a store outage must not make the channel look empty forever
          throw e;
        })
        .finally(() => this.#loading.delete(r));
    } else if (r.stale && !this.#reloading.has(r)) {
      this.#reloading.add(r);
      r.loaded = r
        .exclusive(async () => {
          this.#reloading.delete(r);
          r.stale = false;
          const resolved = r.resolvedHere;
          const saved = await this.#d.sessions.readChannel(channelId);
          if (this.#d.isClosed()) return;
          // A turn this process is resolving keeps its state while the store agrees its game
          // still runs here; an exit or swap elsewhere ends it (the reload detaches it).
          const same = saved?.active === true && saved.game_id === r.session?.gameId;
          // A resolution that ended here while the read was on its way may have committed after
          // it: the read would take the channel back to its closed, unresolved turn ('narrating'
          // with nothing left to resolve it). Read again instead.
          if (same && r.resolvedHere !== resolved && !r.resolvingHere) {
            this.markStale(channelId);
            return;
          }
          if (r.resolvingHere && same) return;
          await this.#d.sessions.reload(r, saved);
        })
        .catch((e: unknown) => {
          this.#reloading.delete(r);
          r.stale = true;
          r.loaded = Promise.resolve();
          throw e;
        });
    }
    await r.loaded;
    return r;
  }

  /** Resolves `closed` on the channel's runner, brought up to date from the store first if the
   *  turn was closed elsewhere; 'skipped' when the channel no longer runs that game's turn. */
  async resolveTurn(closed: ClosedTurn, lease: TurnLease): Promise<TurnOutcome> {
    let r = await this.ready(closed.channelId);
    if (!r.holds(closed) && !r.resolvingHere) {
      r.stale = true;
      r = await this.ready(closed.channelId);
    }
    return r.resolve(closed, lease); // 'skipped' there when it is still not this runner's turn
  }

  /**
   * A call on the channel failed without saying whether the store applied it (a stalled Redis
   * runs it when it resumes): the channel is read again in the background, as soon as the store
   * answers, and its view pushed to every subscriber.
   */
  resync(channelId: string, after?: Promise<void>): void {
    this.#resync.request(channelId, after);
  }

  /** `op` on the channel (`what`: 'your press', 'the boot'…), with an outcome the store left
   *  unknown reported as such (StoreUncertainError), the channel then read again (resync). */
  async guard<T>(channelId: string, what: string, op: Promise<T>): Promise<T> {
    try {
      return await op;
    } catch (e) {
      if (!(e instanceof StoreUncertainError)) throw e;
      this.resync(channelId, e.settled);
      throw mayBeRecorded(what, e);
    }
  }

  /** `r.exclusive(fn)` under `guard` (a boot, exit or load). */
  exclusive<T>(r: ChannelRunner, what: string, fn: () => Promise<T>): Promise<T> {
    return this.guard(r.channelId, what, r.exclusive(fn));
  }

  /** The channel's runner read again from the store now (not only when marked stale). */
  async reread(channelId: string): Promise<ChannelRunner> {
    const r = this.#runners.get(channelId);
    if (r !== undefined) r.stale = true;
    return this.ready(channelId);
  }

  /** Stops the background work (host shutdown). */
  close(): void {
    this.#resync.close();
  }

  async #refresh(channelId: string): Promise<void> {
    const r = this.#runners.get(channelId);
    if (r === undefined || this.#d.isClosed()) return;
    r.stale = true;
    (await this.ready(channelId)).emitView();
  }

  /**
   * Lets go of the channels idle for the idle period that nobody follows here and whose game
   * waits for nothing (no open window, no turn being resolved, nothing being booted or loaded):
   * their game is in the store, and the next use loads it again, exactly as after a restart.
   */
  #evictIdle(): void {
    for (const channelId of this.#idle.due()) {
      const r = this.#runners.get(channelId);
      if (r === undefined) {
        this.#idle.forget(channelId);
        continue;
      }
      const s = r.session;
      // A copy another process changed (nobody here to show it to) waits for nothing here,
      // whatever it last showed: the store has the channel, and the scheduler its countdown.
      const changedElsewhere = r.stale && this.#d.ctx.driver.sharesChannels;
      const waiting =
        r.busy ||
        r.resolvingHere ||
        (!changedElsewhere &&
          ((r.phase !== 'ready' && r.phase !== 'failed') ||
            (s !== null && s.windowDeadlineMs !== null))) ||
        this.#reloading.has(r) ||
        this.#loading.has(r);
      if (waiting || this.#d.followed(channelId) || this.#resync.has(channelId)) continue;
      this.#runners.delete(channelId);
      this.#watched.delete(channelId);
      this.#d.ctx.driver.unwatch(channelId);
      this.#idle.forget(channelId);
      this.#d.sessions.release(r);
      r.shutdown();
      this.#d.evicted(channelId);
    }
  }

  /** Another process changed the channel: it is read again before its next use, and at once
   *  (in the background) if someone follows it here, to be shown to them. */
  markStale(channelId: string): void {
    const r = this.#runners.get(channelId);
    if (r === undefined || r.loaded === null) return;
    r.stale = true;
    if (this.#d.followed(channelId)) this.ready(channelId).catch(() => {}); // retried at next use
  }
}
