import type { Logger } from 'pino';
import type { RawData, WebSocket } from 'ws';
import { GameSessionError } from '../core/errors.js';
import { checkChannelId, checkUserName } from '../core/limits.js';
import { CONNECTED_TTL_MS } from '../host/presence.js';
import type { GameSpec, HostUser } from '../host/types.js';
import { type ChannelFeeds, encode, type FeedMember } from './channel-feed.js';
import type { ConsoleHost } from './console-host.js';
import type { FairTurns } from './fair-turns.js';
import {
  type ClientMessage,
  MAX_CLIENT_MESSAGE_BYTES,
  parseClientMessage,
  type ServerMessage,
} from './protocol.js';
import { toWireRecap, toWireStoryPage, toWireTurn } from './wire-view.js';

/** A private channel refused a join without its code. */
export class JoinCodeError extends GameSessionError {
  constructor() {
    super('JOIN_CODE', 'this channel is private: open its invite link (or ask for its join code)');
  }
}

export interface RateLimit {
  /** Messages allowed in a burst. */
  burst: number;
  /** Messages refilled per second. */
  perSecond: number;
}

export const DEFAULT_RATE_LIMIT: RateLimit = { burst: 30, perSecond: 10 };
/** Messages waiting to be handled on one connection before new ones are refused. */
const MAX_QUEUE = 16;
/** Turns sent for the history menu (the story so far, newest last). */
const HISTORY_TURNS = 50;
/** A client this far behind on reading is dropped rather than buffered without end. */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

export interface ConnectionOptions {
  host: ConsoleHost;
  logger: Logger;
  rateLimit: RateLimit;
  hello: () => ServerMessage;
  /** The player's user id, derived by the server from its session (never from a message). */
  userId: string;
  feeds: ChannelFeeds;
  /** Every connection's messages take their turn here, one per event-loop iteration. */
  turns: FairTurns;
  /** Counts a boot from this connection's address (throws RateLimitedError over the limit). */
  takeBoot: (spec: GameSpec) => void;
  /** When set, a channel is joined only with its code; called to check one. */
  joinCodes: {
    check(channelId: string, code: string | undefined): boolean;
    code(channelId: string): string;
  } | null;
  /** A connection that has not joined a channel within this time is closed. */
  joinDeadlineMs: number;
  /** Games per page of `games`; default the host's (20). */
  gamesPageSize?: number;
  now?: () => number;
}

/** One browser's WebSocket: validates its messages and relays its channel's events. */
export class ClientConnection implements FeedMember {
  readonly #ws: WebSocket;
  readonly #o: ConnectionOptions;
  readonly #now: () => number;
  #tokens: number;
  #refilledAt: number;
  #lastLimitNotice = Number.NEGATIVE_INFINITY;
  #queue: Promise<void> = Promise.resolve();
  #queued = 0;
  #channelId: string | null = null;
  #user: HostUser | null = null;
  #unsubscribe: (() => void) | null = null;
  /** Refreshes this page's presence at its channel's table while it is connected. */
  #presenceTimer: ReturnType<typeof setInterval> | null = null;
  #closed = false;
  #joinTimer: NodeJS.Timeout | null;

  constructor(ws: WebSocket, options: ConnectionOptions) {
    this.#ws = ws;
    this.#o = options;
    this.#now = options.now ?? (() => performance.now());
    this.#tokens = options.rateLimit.burst;
    this.#refilledAt = this.#now();
    ws.on('message', (data, isBinary) => this.#onMessage(data, isBinary));
    ws.on('close', () => this.dispose());
    ws.on('error', (err) => this.#o.logger.debug({ err }, 'websocket error'));
    // A socket that never joins must not hold a connection slot for long.
    this.#joinTimer = setTimeout(() => {
      if (this.#channelId === null) ws.close(1008, 'join a channel first');
    }, options.joinDeadlineMs);
    this.#joinTimer.unref();
    this.send(options.hello());
  }

  get channelId(): string | null {
    return this.#channelId;
  }

  send(message: ServerMessage): void {
    this.sendBytes(encode(message));
  }

  /** Sends an encoded message (the same bytes a channel feed sends every member). */
  sendBytes(bytes: Buffer): void {
    if (this.#closed || this.#ws.readyState !== this.#ws.OPEN) return;
    if (this.#ws.bufferedAmount > MAX_BUFFERED_BYTES) {
      this.#o.logger.warn({ channelId: this.#channelId }, 'dropping a client that stopped reading');
      this.#ws.terminate();
      return;
    }
    this.#ws.send(bytes, { binary: false });
  }

  dispose(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#joinTimer !== null) clearTimeout(this.#joinTimer);
    this.#unsubscribe?.();
    this.#unsubscribe = null;
    this.#leaveTable();
  }

  /** Leaves the joined channel's table (a page that closed or joined another channel). */
  #leaveTable(): void {
    if (this.#presenceTimer !== null) clearInterval(this.#presenceTimer);
    this.#presenceTimer = null;
    if (this.#channelId === null || this.#user === null) return;
    this.#o.host.leave(this.#channelId, this.#user.id).catch(() => {});
  }

  #takeToken(): boolean {
    const now = this.#now();
    const { burst, perSecond } = this.#o.rateLimit;
    this.#tokens = Math.min(burst, this.#tokens + ((now - this.#refilledAt) / 1000) * perSecond);
    this.#refilledAt = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  #refuse(code: string, message: string, id?: number): void {
    this.send({ type: 'error', id, code, message });
  }

  #onMessage(data: RawData, isBinary: boolean): void {
    if (this.#closed) return;
    if (!this.#takeToken() || this.#queued >= MAX_QUEUE) {
      // One notice per second at most: a flood must not turn into a flood of replies.
      const now = this.#now();
      if (now - this.#lastLimitNotice >= 1000) {
        this.#lastLimitNotice = now;
        this.#refuse('RATE_LIMITED', 'too many messages; slow down');
      }
      return;
    }
    if (isBinary) {
      this.#refuse('BINARY', 'binary frames are not accepted; send JSON text');
      return;
    }
    const size = Array.isArray(data)
      ? data.reduce((n, b) => n + b.length, 0)
      : (data as Buffer | ArrayBuffer).byteLength;
    if (size > MAX_CLIENT_MESSAGE_BYTES) {
      this.#refuse('TOO_LARGE', `messages are limited to ${MAX_CLIENT_MESSAGE_BYTES} bytes`);
      return;
    }
    const raw = Array.isArray(data)
      ? Buffer.concat(data).toString('utf8')
      : Buffer.isBuffer(data)
        ? data.toString('utf8')
        : Buffer.from(data as ArrayBuffer).toString('utf8');
    const parsed = parseClientMessage(raw);
    if (!parsed.ok) {
      this.#refuse(parsed.code, parsed.message, parsed.id);
      return;
    }
    this.#queued++;
    this.#queue = this.#queue
      .then(() => this.#o.turns.next())
      .then(() => this.#handle(parsed.message))
      .catch((err: unknown) => this.#fail(err, parsed.message))
      .finally(() => {
        this.#queued--;
      });
  }

  #fail(err: unknown, message: ClientMessage): void {
    if (err instanceof GameSessionError) {
      this.#refuse(err.code, err.message, message.id);
      return;
    }
    this.#o.logger.error({ err, type: message.type }, 'unexpected error handling a message');
    this.#refuse('INTERNAL', 'the server could not handle that message', message.id);
  }

  #joined(message: ClientMessage): { channelId: string; user: HostUser } | null {
    if (this.#channelId === null || this.#user === null) {
      this.#refuse('NOT_JOINED', `join a channel before sending "${message.type}"`, message.id);
      return null;
    }
    return { channelId: this.#channelId, user: this.#user };
  }

  async #handle(m: ClientMessage): Promise<void> {
    if (this.#closed) return;
    const host = this.#o.host;
    if (m.type === 'join') {
      await this.#join(m.channelId, m.name, m.code, m.id);
      return;
    }
    const at = this.#joined(m);
    if (at === null) return;
    const { channelId, user } = at;
    switch (m.type) {
      case 'games': {
        const page = await host.loadableGames(channelId, {
          cursor: m.cursor ?? null,
          ...(this.#o.gamesPageSize === undefined ? {} : { limit: this.#o.gamesPageSize }),
        });
        this.send({ type: 'games', id: m.id, games: page.games, nextCursor: page.nextCursor });
        return;
      }
      case 'history': {
        const turns = await host.story(channelId, HISTORY_TURNS);
        const handleOf = this.#o.feeds.handleOf(channelId);
        this.send({ type: 'history', id: m.id, turns: turns.map((t) => toWireTurn(t, handleOf)) });
        return;
      }
      case 'story': {
        const options: { before?: number; count?: number } = {};
        if (m.before !== undefined) options.before = m.before;
        if (m.count !== undefined) options.count = m.count;
        const page = await host.storyPage(channelId, options);
        const handleOf = this.#o.feeds.handleOf(channelId);
        this.send({
          type: 'story',
          id: m.id,
          page: page === null ? null : toWireStoryPage(page, handleOf),
        });
        return;
      }
      case 'press':
        await host.press(
          channelId,
          user,
          m.turn,
          m.choice,
          m.gameId === undefined ? {} : { gameId: m.gameId },
        );
        break;
      case 'decide': {
        const expect: { gameId?: string; turn?: number } = {};
        if (m.gameId !== undefined) expect.gameId = m.gameId;
        if (m.turn !== undefined) expect.turn = m.turn;
        await host.decide(channelId, user, m.choice, expect);
        break;
      }
      case 'xcard':
        // Anonymous: the host keeps no trace of who, and nothing here logs it.
        await host.xcard(
          channelId,
          user,
          m.turn,
          m.gameId === undefined ? {} : { gameId: m.gameId },
        );
        break;
      case 'countdown':
        await host.setCountdown(channelId, user, m.seconds);
        break;
      case 'boot':
        // The host refuses what no narrator can play (unknown cartridge, no LLM configured).
        this.#o.takeBoot(m.spec);
        await host.boot(channelId, user, m.spec);
        break;
      case 'exit':
        await host.exit(channelId, user);
        break;
      case 'load':
        await host.load(channelId, user, m.gameId);
        break;
      case 'retry':
        await host.retry(channelId, user);
        break;
      case 'role':
        await host.here(channelId, user, { role: m.role, ttlMs: CONNECTED_TTL_MS });
        break;
    }
    this.send({ type: 'ok', id: m.id, for: m.type });
  }

  async #join(channelId: string, name: string, code: string | undefined, id?: number) {
    checkChannelId(channelId);
    const hostUser: HostUser = { id: this.#o.userId, name: checkUserName(name) };
    const codes = this.#o.joinCodes;
    if (codes !== null && !codes.check(channelId, code)) throw new JoinCodeError();
    this.#unsubscribe?.();
    this.#unsubscribe = null;
    // Another channel (or the same one again): leave the old table first.
    if (this.#channelId !== channelId) this.#leaveTable();
    this.#channelId = null;
    const leave = await this.#o.feeds.join(channelId, this);
    if (this.#closed) {
      leave();
      return;
    }
    this.#unsubscribe = leave;
    this.#channelId = channelId;
    this.#user = hostUser;
    const you = this.#o.feeds.handleOf(channelId)(hostUser.id);
    this.send({
      type: 'joined',
      id,
      channelId,
      you,
      ...(codes !== null ? { code: codes.code(channelId) } : {}),
      ...(this.#o.host.settings(channelId).anyoneMayManage ? { anyoneMayManage: true } : {}),
    });
    // At the table while connected: refreshed well within its time to live. The view that
    // follows (the table changed) reaches this page through the channel's feed.
    await this.#o.host.here(channelId, hostUser, { ttlMs: CONNECTED_TTL_MS });
    if (this.#presenceTimer === null && !this.#closed) {
      this.#presenceTimer = setInterval(() => {
        const u = this.#user;
        if (this.#channelId === null || u === null) return;
        this.#o.host.here(this.#channelId, u, { ttlMs: CONNECTED_TTL_MS }).catch(() => {});
      }, CONNECTED_TTL_MS / 3);
      this.#presenceTimer.unref?.();
    }
    // "While you were away": to this page only, when its player missed turns. A store that
    // cannot answer now must not fail the join.
    const recap = await this.#o.host.recap(channelId, hostUser.id).catch((err: unknown) => {
      this.#o.logger.warn({ err, channelId }, 'recap not available');
      return null;
    });
    if (recap !== null && !this.#closed && this.#channelId === channelId)
      this.send({ type: 'recap', recap: toWireRecap(recap, this.#o.feeds.handleOf(channelId)) });
    this.send({ type: 'ok', id, for: 'join' });
  }
}
