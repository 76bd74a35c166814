import type { Clock } from '../core/clock.js';
import type { ChannelRunner } from './channel-runner.js';
import { EventHub } from './event-hub.js';
import {
  type PresenceChange,
  type PresenceRole,
  PresenceTable,
  presenceChange,
} from './presence.js';
import type { TurnDriver } from './turn-driver.js';
import type { HostEvent, HostUser } from './types.js';

export interface ChannelTableDeps {
  clock: Clock;
  /** Publishes presence changes to every process, this one included. */
  driver: TurnDriver;
  /** Whether the owning GameHost has been closed (read at each use). */
  isClosed(): boolean;
  /** The channel's runner, up to date (GameHost's). */
  ready(channelId: string): Promise<ChannelRunner>;
  /** Another process changed the channel: reload it before its next use (ChannelDirectory). */
  markStale(channelId: string): void;
}

/**
 * Who is at each channel's table in this process (presence) and who listens to it (the
 * subscribers), and the delivery of the turn driver's events to both: a presence change is
 * applied in the order delivered, a view is drawn with the table as this process knows it.
 */
export class ChannelTable {
  readonly #d: ChannelTableDeps;
  readonly #hub = new EventHub();
  readonly #presence = new PresenceTable();

  constructor(deps: ChannelTableDeps) {
    this.#d = deps;
  }

  /** Listens to the channel; its first listener here has the driver watch it (its last lets go). */
  subscribe(channelId: string, listener: (e: HostEvent) => void): () => void {
    const first = !this.#hub.has(channelId);
    const off = this.#hub.subscribe(channelId, listener);
    if (first) void this.#d.driver.watch(channelId);
    let subscribed = true;
    return () => {
      if (!subscribed) return;
      subscribed = false;
      off();
      if (!this.#hub.has(channelId) && !this.#d.isClosed()) this.#d.driver.unwatch(channelId);
    };
  }

  /** The users at the channel's table now. */
  usersHere(channelId: string): PresenceChange[] {
    return this.#presence.here(channelId, this.#d.clock.now());
  }

  /** Someone follows the channel in this process (a subscriber, or a player at its table). */
  followed(channelId: string): boolean {
    return this.#hub.has(channelId) || this.usersHere(channelId).length > 0;
  }

  /** The channel was let go from memory: its table goes with it. */
  forget(channelId: string): void {
    this.#presence.forget(channelId);
  }

  /** Host shutdown: no listeners, nobody at any table. */
  clear(): void {
    this.#hub.clear();
    this.#presence.clear();
  }

  /** `user` is at the table until `ttlMs` from now, as `role` (GameHost.here). */
  markHere(r: ChannelRunner, user: HostUser, role: PresenceRole | undefined, ttlMs: number): void {
    const now = this.#d.clock.now();
    const s = r.running ? r.session : null;
    const at = { turn: s?.turnNumber ?? 0, windowOpen: s?.windowDeadlineMs != null };
    const before = this.#presence.get(r.channelId, user.id, now);
    this.#changed(r, presenceChange(before, user, role, at, now + ttlMs));
  }

  /** `userId` left the channel (GameHost.leave). */
  markLeft(r: ChannelRunner, userId: string): void {
    const before = this.#presence.get(r.channelId, userId, this.#d.clock.now());
    if (before === null) return;
    this.#changed(r, { ...before, until: 0 });
  }

  /** An event for this process' subscribers. One from another process also means this copy of
   *  the channel is out of date: it is reloaded in the background (text deltas change nothing). */
  deliver(channelId: string, event: HostEvent, remote: boolean): void {
    const now = this.#d.clock.now();
    if (event.type === 'presence') {
      const redrawn = this.#presence.applyDelivered(channelId, event.change, now);
      this.#hub.emit(channelId, event);
      if (redrawn !== null) this.#hub.emit(channelId, { type: 'view', view: redrawn });
      // Whoever changed the table checks whether the open window now waits for nobody.
      if (!remote && !this.#d.isClosed())
        this.#d.ready(channelId).then(
          (r) => r.closeIfAllChosen(),
          () => {},
        );
      return;
    }
    this.#hub.emit(
      channelId,
      event.type === 'view'
        ? { type: 'view', view: this.#presence.drawView(event.view, now) }
        : event,
    );
    if (!remote || event.type === 'text' || this.#d.isClosed()) return;
    this.#d.markStale(channelId);
  }

  /** Another process started watching the channel: everyone at its table known here is
   *  published again (applying a change twice is applying it once). */
  rollCall(channelId: string): void {
    if (this.#d.isClosed()) return;
    for (const change of this.usersHere(channelId))
      this.#d.driver.publish(channelId, { type: 'presence', channelId, change });
  }

  /** Published to every process, this one included: each applies it as delivered (so all
   *  apply changes in one order) and redraws the channel's view if the table as shown changed. */
  #changed(r: ChannelRunner, change: PresenceChange): void {
    this.#d.driver.publish(r.channelId, { type: 'presence', channelId: r.channelId, change });
  }
}
