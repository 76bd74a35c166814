import type { Logger } from 'pino';
import { GameSessionError } from '../core/errors.js';
import type { ChannelView, HostEvent } from '../host/types.js';
import type { ConsoleHost } from './console-host.js';
import type { SessionKeys } from './identity.js';
import type { ServerMessage } from './protocol.js';
import { chosenDelta, type HandleOf, toWireTurn, toWireView, type WireView } from './wire-view.js';

/** The channel already has as many players as a channel may have. */
export class ChannelFullError extends GameSessionError {
  constructor(max: number) {
    super('CHANNEL_FULL', `this channel is full (${max} players); try another channel`);
  }
}

/** Where a feed delivers: the same bytes for every member. */
export interface FeedMember {
  sendBytes(bytes: Buffer): void;
}

/** Presses within this time go out as one delta: a burst of N presses then costs each member a
 *  few writes, not N (every write to a socket is a system call). A crowded channel waits a little
 *  longer (COALESCE_MS_PER_MEMBER, up to MAX_COALESCE_MS), so the writes a burst costs grow
 *  with its members, not with members × presses. */
const COALESCE_MS = 30;
const COALESCE_MS_PER_MEMBER = 0.5;
const MAX_COALESCE_MS = 200;

/** Handles remembered per channel before the cache starts over (bounded memory). */
const HANDLE_CACHE = 4096;

interface Feed {
  channelId: string;
  /** Members that have received a full view (deltas only make sense after one). */
  members: Set<FeedMember>;
  joining: Set<FeedMember>;
  last: WireView | null;
  /** The newest host view of an open window not sent yet (presses, most likely): translated
   *  and compared with `last` once, when flushed (a delta, or the whole view if more changed). */
  pending: ChannelView | null;
  timer: NodeJS.Timeout | null;
  handles: Map<string, string>;
  unsubscribe: () => void;
}

/** Encodes a server message once; every subscriber is sent the same bytes. */
export function encode(message: ServerMessage): Buffer {
  return Buffer.from(JSON.stringify(message));
}

/**
 * One subscription to the host per channel, shared by every connection in it. Each host event is
 * translated to the wire (handles instead of user ids) and serialised once; a press that only
 * adds to the open window goes out as a small `chosen` delta instead of the whole view. So a
 * press costs the server O(players) bytes and work, not O(players²).
 */
export class ChannelFeeds {
  readonly #feeds = new Map<string, Feed>();
  readonly #host: ConsoleHost;
  readonly #keys: SessionKeys;
  readonly #logger: Logger;
  readonly #maxPlayers: number;
  readonly #deltas: boolean;

  constructor(
    host: ConsoleHost,
    keys: SessionKeys,
    logger: Logger,
    options: { maxPlayers: number; deltas: boolean },
  ) {
    this.#host = host;
    this.#keys = keys;
    this.#logger = logger;
    this.#maxPlayers = options.maxPlayers;
    this.#deltas = options.deltas;
  }

  /** The handle function of a channel (cached while the channel has members). */
  handleOf(channelId: string): HandleOf {
    const feed = this.#feeds.get(channelId);
    return (userId) => this.#handle(feed ?? null, channelId, userId);
  }

  /** Players (connections) in the channel. */
  size(channelId: string): number {
    const feed = this.#feeds.get(channelId);
    return feed === undefined ? 0 : feed.members.size + feed.joining.size;
  }

  /**
   * Adds `member` to the channel and sends it the channel's current view. Returns the function
   * that removes it. ChannelFullError when the channel has `maxPlayers` members already.
   */
  async join(channelId: string, member: FeedMember): Promise<() => void> {
    let feed = this.#feeds.get(channelId);
    if (feed !== undefined && feed.members.size + feed.joining.size >= this.#maxPlayers)
      throw new ChannelFullError(this.#maxPlayers);
    if (feed === undefined) {
      const created: Feed = {
        channelId,
        members: new Set(),
        joining: new Set(),
        last: null,
        pending: null,
        timer: null,
        handles: new Map(),
        unsubscribe: () => {},
      };
      created.unsubscribe = this.#host.subscribe(channelId, (e) => this.#onEvent(created, e));
      this.#feeds.set(channelId, created);
      feed = created;
    }
    const f = feed;
    f.joining.add(member);
    let left = false;
    const leave = (): void => {
      if (left) return;
      left = true;
      f.joining.delete(member);
      f.members.delete(member);
      if (f.members.size + f.joining.size === 0 && this.#feeds.get(channelId) === f) {
        if (f.timer !== null) clearTimeout(f.timer);
        f.unsubscribe();
        this.#feeds.delete(channelId);
      }
    };
    try {
      if (f.last === null) {
        const view = await this.#host.view(channelId);
        // A view pushed meanwhile is newer than the one fetched.
        f.last ??= toWireView(view, (id) => this.#handle(f, channelId, id));
      }
    } catch (err) {
      leave();
      throw err;
    }
    if (left) return leave;
    f.joining.delete(member);
    f.members.add(member);
    member.sendBytes(encode({ type: 'view', view: f.last }));
    return leave;
  }

  #handle(feed: Feed | null, channelId: string, userId: string): string {
    const hit = feed?.handles.get(userId);
    if (hit !== undefined) return hit;
    const handle = this.#keys.handle(channelId, userId);
    if (feed !== null) {
      if (feed.handles.size >= HANDLE_CACHE) feed.handles.clear();
      feed.handles.set(userId, handle);
    }
    return handle;
  }

  #onEvent(feed: Feed, event: HostEvent): void {
    const handleOf: HandleOf = (id) => this.#handle(feed, feed.channelId, id);
    let message: ServerMessage;
    switch (event.type) {
      case 'view': {
        // A view of the same open window as the one before (a press, most likely) waits for the
        // flush: a burst of presses is translated and compared once, not once per press.
        if (this.#deltas && sameWindow(feed.pending ?? feed.last, event.view)) {
          feed.pending = event.view;
          feed.timer ??= setTimeout(() => this.#flush(feed), this.#coalesceMs(feed));
          return;
        }
        this.#flush(feed);
        const view = toWireView(event.view, handleOf);
        feed.last = view;
        message = { type: 'view', view };
        break;
      }
      case 'text':
        message = { type: 'text', delta: event.delta, ...(event.first ? { first: true } : {}) };
        break;
      case 'turn':
        message = { type: 'turn', record: toWireTurn(event.story, handleOf) };
        break;
      case 'presence':
        return; // the page is told by the view that follows when the table as shown changed
    }
    this.#flush(feed);
    this.#broadcast(feed, encode(message));
  }

  #coalesceMs(feed: Feed): number {
    return Math.min(
      MAX_COALESCE_MS,
      Math.max(COALESCE_MS, feed.members.size * COALESCE_MS_PER_MEMBER),
    );
  }

  /** Sends the pending view: as a `chosen` delta when only presses changed, else whole. */
  #flush(feed: Feed): void {
    if (feed.timer !== null) clearTimeout(feed.timer);
    feed.timer = null;
    const pending = feed.pending;
    feed.pending = null;
    if (pending === null) return;
    const view = toWireView(pending, (id) => this.#handle(feed, feed.channelId, id));
    const delta = chosenDelta(feed.last, view);
    feed.last = view;
    if (delta === null) this.#broadcast(feed, encode({ type: 'view', view }));
    else this.#broadcast(feed, encode(delta));
  }

  #broadcast(feed: Feed, bytes: Buffer): void {
    for (const member of feed.members) {
      try {
        member.sendBytes(bytes);
      } catch (err) {
        this.#logger.debug({ err }, 'a member of a channel feed failed');
      }
    }
  }
}

/** Whether `next` shows the same open window of the same game and turn as `prev` (a cheap test;
 *  chosenDelta decides, when flushed, whether only presses changed). */
function sameWindow(prev: WireView | ChannelView | null, next: ChannelView): boolean {
  return (
    prev !== null &&
    prev.status === 'counting' &&
    next.status === 'counting' &&
    prev.turn === next.turn &&
    prev.game?.gameId === next.game?.gameId &&
    prev.window?.deadlineMs === next.window?.deadlineMs
  );
}
