import { randomUUID } from 'node:crypto';
import { TurnRecord } from '../core/turn-record.js';
import { DecisionWaiters } from '../host/decision-waiters.js';
import type { ClosedTurn, TurnDriver, TurnLease, TurnLoop } from '../host/turn-driver.js';
import type { ChannelView, HostEvent, PresenceChange, StoryTurn } from '../host/types.js';
import { RedisPubSub } from './pubsub.js';
import type { ClosedWindowInfo, RedisScheduler, TurnDeferral, TurnResult } from './scheduler.js';
import type { RedisStore } from './store.js';

/** The Redis driver's settings: several host processes share channels through one RedisStore. */
export interface RedisTurnDriverOptions {
  /** The store every process of the deployment uses (the GameHost's store). */
  store: RedisStore;
  /** A standalone Redis for the scheduler's BullMQ queue and the pub/sub fan-out (may be the
   *  store's Redis), e.g. 'redis://localhost:6379'. */
  connection: string;
  /** Pub/sub channel of the deployment (default 'gg:events'): 'host decides' wake-ups on it,
   *  and each game channel's events on `<eventChannel>:<channelId>`. One per deployment. */
  eventChannel?: string;
  /** BullMQ queue name (default 'gg-expiry'); one per deployment. */
  queueName?: string;
  /** Lease on a turn being resolved, renewed while it runs (default 2000 ms). */
  leaseMs?: number;
  /** How often the scheduler sweeps Redis for due windows and turns (default 1000 ms). */
  sweepIntervalMs?: number;
  /** This process' name in leases (default: a random UUID). */
  workerId?: string;
}

/** How long `watch` waits for Redis to confirm a subscription before it lets the caller go on
 *  (an outage: the subscription is made when Redis is back, and events meanwhile are lost as
 *  any pub/sub message is then). */
const WATCH_WAIT_MS = 2000;
/** Streamed narrator text is sent to other processes in pieces at most this often. */
const TEXT_COALESCE_MS = 40;
/** A resolver waiting for a 'host decides' pick re-reads the store at least this often, in case
 *  the pub/sub wake-up was lost (pub/sub is at-most-once). */
const DECISION_RECHECK_MS = 1000;
/** A failed turn waits for a player's retry; the scheduler only looks at it again this rarely. */
const FAILED_TURN_RECHECK_MS = 60_000;
/** When a turn's game is not running where the scheduler looked (exited, or loaded elsewhere
 *  while this process held the lease), it is looked at again after this long. */
const SKIPPED_TURN_RECHECK_MS = 5000;

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

type WireEvent =
  | { type: 'view'; view: ChannelView }
  | { type: 'text'; channelId: string; delta: string; first?: boolean }
  /** `story` is plain JSON already (the record's dict is the stored form). */
  | { type: 'turn'; channelId: string; record: unknown; story: StoryTurn }
  | { type: 'presence'; channelId: string; change: PresenceChange };

/** `s`: the publisher's sequence number, so it knows when its own messages have come back. */
type Message =
  | { o: string; s: number; k: 'event'; c: string; e: WireEvent }
  /** A process started listening to channel `c`: the others say who is at its table. */
  | { o: string; s: number; k: 'roll'; c: string }
  | { o: string; s: number; k: 'decided'; g: string; t: number };

/**
 * The scaled-out TurnDriver. A closed window is resolved by whichever process the Redis
 * scheduler (BullMQ expiry jobs + a sweep) gives the turn's lease to, through the host's one
 * loop, and committed by the fenced script (a resolver that lost its lease is refused with
 * FencedCommitError). A game channel's host events (views, streamed text coalesced, turns,
 * presence) go through that channel's own pub/sub topic, so the players of every process see
 * the same events in the same order, and a process decodes only the topics of the channels it
 * watches (those it holds or has listeners on); a 'host decides' pick, stored with the game,
 * wakes its resolver over the deployment's topic, which every process listens to.
 */
export class RedisTurnDriver implements TurnDriver {
  readonly sharesChannels = true;
  readonly #options: RedisTurnDriverOptions;
  readonly #origin = randomUUID();
  #loop: TurnLoop | null = null;
  #bus: RedisPubSub | null = null;
  #scheduler: RedisScheduler | null = null;
  #closed = false;
  /** Games whose failed turn a player asked to retry through this process. */
  readonly #retrying = new Set<string>();
  readonly #decisions = new DecisionWaiters();
  /** The last message this process published, the last it published on a topic it listens to
   *  (the one `delivered` waits for), and the last of its own it has received back. */
  #sent = 0;
  #awaited = 0;
  #echoed = 0;
  /** Game channels watched (`watch` count), and the settled subscription of each. */
  readonly #watching = new Map<string, { count: number; subscribed: Promise<void> }>();
  readonly #echoWaiters: Array<{ upTo: number; resolve: () => void }> = [];
  readonly #text = new Map<
    string,
    { delta: string; first: boolean; timer: ReturnType<typeof setTimeout> }
  >();

  constructor(options: RedisTurnDriverOptions) {
    this.#options = options;
  }

  async start(loop: TurnLoop): Promise<void> {
    const o = this.#options;
    this.#loop = loop;
    const bus = await RedisPubSub.connect(o.connection, this.#deploymentTopic(), (m, topic) =>
      this.#receive(m, topic),
    );
    this.#bus = bus;
    // Channels watched before the driver started are subscribed now.
    for (const channelId of this.#watching.keys()) void bus.listen(this.#topic(channelId));
    try {
      const { createRedisScheduler } = await import('./scheduler.js');
      this.#scheduler = await createRedisScheduler({
        store: o.store,
        connection: o.connection,
        onWindowClosed: (w, signal, commit) => this.#resolve(w, signal, commit),
        retryDelayMs: FAILED_TURN_RECHECK_MS,
        ...(o.queueName !== undefined ? { queueName: o.queueName } : {}),
        ...(o.leaseMs !== undefined ? { leaseMs: o.leaseMs } : {}),
        ...(o.sweepIntervalMs !== undefined ? { sweepIntervalMs: o.sweepIntervalMs } : {}),
        ...(o.workerId !== undefined ? { workerId: o.workerId } : {}),
      });
    } catch (e) {
      await bus.close();
      throw e;
    }
  }

  windowClosed(closed: ClosedTurn): Promise<void> {
    return this.#scheduler?.resolveGame(closed.gameId).catch(() => {}) ?? Promise.resolve();
  }

  async retry(closed: ClosedTurn): Promise<void> {
    this.#retrying.add(closed.gameId);
    try {
      await this.#scheduler?.resolveGame(closed.gameId, closed.turn);
    } finally {
      this.#retrying.delete(closed.gameId);
    }
  }

  /** Every event, this process' own included, reaches subscribers only as Redis hands it back:
   *  Redis delivers one channel's messages to every subscriber in one order, so the players of
   *  every process see the same sequence. */
  publish(channelId: string, event: HostEvent): void {
    if (this.#closed) return;
    if (event.type === 'text') {
      const pending = this.#text.get(channelId);
      const first = event.first === true;
      // A new attempt's first piece replaces what an earlier attempt left unsent.
      if (pending !== undefined && first) Object.assign(pending, { delta: event.delta, first });
      else if (pending !== undefined) pending.delta += event.delta;
      else {
        const timer = setTimeout(() => this.#flushText(channelId), TEXT_COALESCE_MS);
        this.#text.set(channelId, { delta: event.delta, first, timer });
      }
      return;
    }
    this.#flushText(channelId); // text written before this event is delivered before it
    if (this.#local(channelId, event)) return;
    const e: WireEvent =
      event.type === 'turn' ? { ...event, record: event.record.toDict() } : event;
    this.#send(this.#topic(channelId), { k: 'event', c: channelId, e });
  }

  /** While Redis cannot be reached, an event (e.g. the notice that the store is down) is given
   *  to this process' own subscribers directly: the other processes see their own copy. */
  #local(channelId: string, event: HostEvent): boolean {
    if (this.#bus === null || this.#bus.connected()) return false;
    this.#loop?.deliver(channelId, event, false);
    return true;
  }

  watch(channelId: string): Promise<void> {
    const known = this.#watching.get(channelId);
    if (known !== undefined) {
      known.count += 1;
      return known.subscribed;
    }
    const bus = this.#bus;
    let subscribed = Promise.resolve();
    if (bus !== null && !this.#closed) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const bound = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, WATCH_WAIT_MS);
      });
      const listening = bus.listen(this.#topic(channelId)).then(() => {
        if (this.#watching.has(channelId))
          this.#send(this.#topic(channelId), { k: 'roll', c: channelId });
      });
      subscribed = Promise.race([listening, bound]).finally(() => clearTimeout(timer));
    }
    this.#watching.set(channelId, { count: 1, subscribed });
    return subscribed;
  }

  unwatch(channelId: string): void {
    const known = this.#watching.get(channelId);
    if (known === undefined) return;
    known.count -= 1;
    if (known.count > 0) return;
    this.#watching.delete(channelId);
    this.#bus?.unlisten(this.#topic(channelId));
  }

  awaitDecision(gameId: string, turn: number, signal: AbortSignal): Promise<void> {
    return this.#decisions.wait(gameId, turn, signal, DECISION_RECHECK_MS);
  }

  decided(gameId: string, turn: number): void {
    this.#decisions.wake(gameId, turn);
    this.#send(this.#deploymentTopic(), { k: 'decided', g: gameId, t: turn });
  }

  async ready(): Promise<boolean> {
    return (this.#bus?.connected() ?? false) && (this.#scheduler?.connected() ?? false);
  }

  delivered(): Promise<void> {
    for (const channelId of [...this.#text.keys()]) this.#flushText(channelId);
    if (this.#closed || this.#echoed >= this.#awaited) return Promise.resolve();
    return new Promise((resolve) => this.#echoWaiters.push({ upTo: this.#awaited, resolve }));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const w of this.#echoWaiters.splice(0)) w.resolve();
    for (const { timer } of this.#text.values()) clearTimeout(timer);
    this.#text.clear();
    await this.#scheduler?.close();
    await this.#bus?.close();
  }

  /** The scheduler granted this process the turn's lease: run the host's loop under it. */
  async #resolve(
    w: ClosedWindowInfo,
    signal: AbortSignal,
    commit: (result: TurnResult) => Promise<TurnRecord>,
  ): Promise<TurnDeferral | undefined> {
    const loop = this.#loop;
    if (loop === null || this.#closed) return { retryAfterMs: 0 };
    const lease: TurnLease = {
      signal,
      retry: this.#retrying.has(w.gameId),
      commit: (session, _choices, summary, scene) =>
        commit({ narrativeSummary: summary, scene, patch: { extra: session.extra } }),
    };
    const closed = { channelId: w.channelId, gameId: w.gameId, turn: w.turn, choices: w.choices };
    const outcome = await loop.resolve(closed, lease);
    // Interrupted (exited or swapped mid-way, perhaps loaded again already): at the next sweep.
    if (outcome === 'interrupted') return { retryAfterMs: 0 };
    if (outcome === 'skipped') return { retryAfterMs: SKIPPED_TURN_RECHECK_MS };
    return undefined;
  }

  #flushText(channelId: string): void {
    const pending = this.#text.get(channelId);
    if (pending === undefined) return;
    clearTimeout(pending.timer);
    this.#text.delete(channelId);
    const e = {
      type: 'text' as const,
      channelId,
      delta: pending.delta,
      ...(pending.first ? { first: true } : {}),
    };
    if (this.#local(channelId, e)) return;
    this.#send(this.#topic(channelId), { k: 'event', c: channelId, e });
  }

  #deploymentTopic(): string {
    return this.#options.eventChannel ?? 'gg:events';
  }

  /** A game channel's own topic. */
  #topic(channelId: string): string {
    return `${this.#deploymentTopic()}:${channelId}`;
  }

  #send(topic: string, m: DistributiveOmit<Message, 'o' | 's'>): void {
    if (this.#bus === null) return;
    this.#sent += 1;
    // Only a message on a topic this process listens to comes back to it.
    if (m.k === 'decided' || this.#watching.has(m.c)) this.#awaited = this.#sent;
    void this.#bus.publish(topic, { ...m, o: this.#origin, s: this.#sent } satisfies Message);
  }

  /** One of this process' own messages came back: everything published up to it has (a lost
   *  one counts as back, pub/sub being at-most-once). */
  #echo(seq: number): void {
    this.#echoed = Math.max(this.#echoed, seq);
    for (let i = this.#echoWaiters.length - 1; i >= 0; i--) {
      const w = this.#echoWaiters[i];
      if (w !== undefined && w.upTo <= this.#echoed) {
        this.#echoWaiters.splice(i, 1);
        w.resolve();
      }
    }
  }

  #receive(m: unknown, topic: string): void {
    if (this.#closed || typeof m !== 'object' || m === null) return;
    const msg = m as Partial<Message>;
    if (typeof msg.o !== 'string') return;
    const remote = msg.o !== this.#origin;
    if (!remote && typeof msg.s === 'number') queueMicrotask(() => this.#echo(msg.s as number));
    if (msg.k === 'decided') {
      if (!remote) return; // woken when it was stored
      if (typeof msg.g === 'string' && Number.isSafeInteger(msg.t))
        this.#decisions.wake(msg.g, msg.t as number);
      return;
    }
    if (msg.k !== 'roll' && msg.k !== 'event') return;
    const c = (msg as Partial<Extract<Message, { k: 'roll' | 'event' }>>).c;
    // A game channel's messages come on its own topic only.
    if (typeof c !== 'string' || topic !== this.#topic(c)) return;
    if (msg.k === 'roll') {
      if (remote) this.#loop?.rollCall(c);
      return;
    }
    const event = decodeEvent(c, (msg as Partial<Extract<Message, { k: 'event' }>>).e);
    if (event !== null) this.#loop?.deliver(c, event, remote);
  }
}

/** A host event as another process published it; null for anything malformed. */
function decodeEvent(channelId: string, e: unknown): HostEvent | null {
  if (typeof e !== 'object' || e === null) return null;
  const w = e as Partial<WireEvent> & Record<string, unknown>;
  if (w.type === 'text' && typeof w.delta === 'string')
    return {
      type: 'text',
      channelId,
      delta: w.delta,
      ...(w.first === true ? { first: true } : {}),
    };
  if (w.type === 'turn') {
    // Published by a process of this deployment (like views): only its shape is checked.
    const story = w.story as Partial<StoryTurn> | undefined;
    if (typeof story !== 'object' || story === null || !Array.isArray(story.choices)) return null;
    try {
      return {
        type: 'turn',
        channelId,
        record: TurnRecord.fromDict(w.record),
        story: story as StoryTurn,
      };
    } catch {
      return null;
    }
  }
  if (w.type === 'presence') {
    const c = w.change as Partial<PresenceChange> | undefined;
    return typeof c === 'object' &&
      c !== null &&
      typeof c.userId === 'string' &&
      typeof c.userName === 'string' &&
      (c.role === 'player' || c.role === 'spectator') &&
      Number.isSafeInteger(c.playsFrom) &&
      typeof c.until === 'number'
      ? { type: 'presence', channelId, change: c as PresenceChange }
      : null;
  }
  if (w.type === 'view' && typeof w.view === 'object' && w.view !== null)
    return (w.view as ChannelView).channelId === channelId
      ? { type: 'view', view: w.view as ChannelView }
      : null;
  return null;
}
