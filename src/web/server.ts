import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { type Logger, pino } from 'pino';
import { WebSocketServer } from 'ws';
import { systemClock } from '../core/clock.js';
import type { TitleScreen } from '../core/game-session.js';
import { PressRateLimiter } from '../host/rate-limit.js';
import { ChannelFeeds } from './channel-feed.js';
import { ClientConnection, DEFAULT_RATE_LIMIT, type RateLimit } from './connection.js';
import type { ConsoleHost } from './console-host.js';
import { serveExport } from './export-route.js';
import { clientAddress, exposureNotice, HostAllowList } from './exposure.js';
import { FairTurns } from './fair-turns.js';
import {
  createTitleHandler,
  findPublicDir,
  loadStaticFiles,
  sendCached,
  sendText,
} from './http.js';
import { SessionKeys } from './identity.js';
import { type CartridgeEntry, MAX_CLIENT_MESSAGE_BYTES } from './protocol.js';

export interface WebConsoleOptions {
  host: ConsoleHost;
  /** 0 picks a free port. */
  port: number;
  /** Interface to listen on; default 127.0.0.1. */
  hostname?: string;
  /** The cartridges offered by "new game"; called lazily, then again for a connection's hello
   *  once the last list is `catalogRefreshMs` old (cartridges added or edited while serving). */
  cartridges: () => CartridgeEntry[];
  /** How old the cartridge list may be when a connection says hello; default 2 s. */
  catalogRefreshMs?: number;
  /** Whether "new game" offers the LLM narrator. */
  llmEnabled?: boolean;
  /** The name of a saved game (for its title screen), or null when unknown. */
  gameName: (gameId: string) => Promise<string | null>;
  /** Renders a title screen PNG from a game's name. */
  renderTitle: (gameName: string) => Buffer | Promise<Buffer>;
  logger?: Logger;
  rateLimit?: RateLimit;
  /** Simultaneous WebSocket connections allowed; default 1000. */
  maxConnections?: number;
  /** Folder of the page's files; default src/web/public. */
  publicDir?: string;
  /** Ping interval that detects dead connections; default 30 s. */
  heartbeatMs?: number;
  /** Other routes answered first (the operator's /metrics, /healthz, /readyz); resolves true
   *  when it answered the request. */
  routes?: (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;
  /** Signs session cookies and derives handles and join codes (≥ 32 bytes). Keep it across
   *  restarts (and share it between processes on one Redis) so identities survive; default: a
   *  fresh random one. */
  secret?: Buffer;
  /** Mark the session cookie Secure (the page is served over HTTPS by a proxy). */
  secureCookie?: boolean;
  /** Host names the console is reached by besides loopback and the bind address (a reverse
   *  proxy's public name): allowed in Host and Origin. */
  publicHosts?: readonly string[];
  /** Take the client's address from X-Forwarded-For (only behind a proxy that sets it). */
  trustProxy?: boolean;
  /** Channels are private: joined only with their code (an invite link). Default off. */
  joinCodes?: boolean;
  /** Players (connections) per channel; default 300. */
  maxPlayersPerChannel?: number;
  /** WebSocket connections per client address; default 20. */
  maxConnectionsPerAddress?: number;
  /** A connection must join a channel within this time; default 10 s. */
  joinDeadlineMs?: number;
  /** Games per page of the saved-games menu; default 20. */
  gamesPageSize?: number;
  /** Boots per client address, whoever the player; default 20 per minute (LLM: 5). */
  bootsPerAddress?: { presses: number; perMs: number };
  llmBootsPerAddress?: { presses: number; perMs: number };
  /** Send presses as `chosen` deltas (default true); false sends the whole view on every press,
   *  as before deltas (kept to measure the difference: bench/room.bench.ts). */
  windowDeltas?: boolean;
}

export interface WebConsole {
  readonly server: Server;
  readonly port: number;
  /** e.g. http://127.0.0.1:3000/ */
  readonly url: string;
  /** Number of open WebSocket connections. */
  connections(): number;
  /** Stops taking new connections (the listener closes; upgrades are refused) while the open
   *  ones go on playing: the first step of a graceful drain. */
  stopAccepting(): void;
  /** Closes every connection and stops listening. `restarting`: the players are told the
   *  server is restarting (close code 1012, Service Restart) rather than going away (1001). */
  close(options?: { restarting?: boolean }): Promise<void>;
  /** The invite link of a channel (carries its join code when join codes are on). */
  inviteLink(channelId: string): string;
  /** What the operator must be told about the console's reach (empty on loopback). */
  readonly exposure: string[];
}

/** The host's `titleScreen` option for games played through the web console. */
export const webTitleScreen: TitleScreen = ({ gameId }) =>
  `/title/${encodeURIComponent(gameId)}.png`;

function refuseUpgrade(socket: Duplex, status: number, reason: string): void {
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

export async function createWebConsole(options: WebConsoleOptions): Promise<WebConsole> {
  const logger = options.logger ?? pino({ level: 'silent' });
  const files = loadStaticFiles(options.publicDir ?? findPublicDir());
  const titles = createTitleHandler({
    gameName: options.gameName,
    render: options.renderTitle,
    logger,
  });
  let catalog: CartridgeEntry[] | null = null;
  let catalogAt = 0;
  const catalogRefreshMs = options.catalogRefreshMs ?? 2000;
  const cartridges = (): CartridgeEntry[] => {
    // Listing is a readdir and a stat per cartridge (each is compiled once per edit), so a fresh
    // list now and then picks up cartridges dropped in or edited while serving.
    if (catalog === null || Date.now() - catalogAt >= catalogRefreshMs) {
      try {
        catalog = options.cartridges();
      } catch (err) {
        logger.error({ err }, 'cannot list cartridges');
        catalog ??= [];
      }
      catalogAt = Date.now();
    }
    return catalog;
  };
  const llm = options.llmEnabled ?? false;
  const maxConnections = options.maxConnections ?? 1000;
  let accepting = true;
  const bindAddress = options.hostname ?? '127.0.0.1';
  const allowList = new HostAllowList(bindAddress, options.publicHosts);
  const keys = new SessionKeys(options.secret ?? randomBytes(32), {
    secureCookie: options.secureCookie === true,
  });
  const feeds = new ChannelFeeds(options.host, keys, logger, {
    maxPlayers: options.maxPlayersPerChannel ?? 300,
    deltas: options.windowDeltas !== false,
  });
  const turns = new FairTurns();
  const perAddress = new Map<string, number>();
  const maxPerAddress = options.maxConnectionsPerAddress ?? 20;
  const bootLimits = new PressRateLimiter(
    options.bootsPerAddress ?? { presses: 20, perMs: 60_000 },
    systemClock,
    'new games from this address',
  );
  const llmBootLimits = new PressRateLimiter(
    options.llmBootsPerAddress ?? { presses: 5, perMs: 60_000 },
    systemClock,
    'LLM stories from this address',
  );
  const joinCodes =
    options.joinCodes === true
      ? { check: keys.checkJoinCode.bind(keys), code: keys.joinCode.bind(keys) }
      : null;
  const addressOf = (req: IncomingMessage): string =>
    clientAddress(
      req.socket.remoteAddress,
      req.headers['x-forwarded-for'],
      options.trustProxy === true,
    );

  const exportRoute = {
    host: options.host,
    keys,
    joinCodes: joinCodes !== null,
    // Each download reads a whole history from the store: a few a minute per player is plenty.
    limits: new PressRateLimiter({ presses: 10, perMs: 60_000 }, systemClock, 'downloads'),
  };
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendText(req, res, 405, 'method not allowed');
      return;
    }
    if (options.routes !== undefined && (await options.routes(req, res))) return;
    if (path === '/healthz') {
      sendText(req, res, 200, 'ok');
      return;
    }
    if (!allowList.allows(req.headers.host)) {
      sendText(req, res, 421, 'unknown host name (see --public-host)');
      return;
    }
    const file = files.get(path);
    if (file) {
      // The page hands out the player's identity: a signed, HttpOnly session cookie.
      if (file.type.startsWith('text/html') && keys.userOf(req) === null)
        res.setHeader('Set-Cookie', keys.cookie(keys.issue().token));
      sendCached(req, res, file, 'no-cache');
      return;
    }
    if (await titles(req, res, path)) return;
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (await serveExport(exportRoute, req, res, url)) return;
    sendText(req, res, 404, 'not found');
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      logger.error({ err }, 'request failed');
      if (!res.headersSent) sendText(req, res, 500, 'internal error');
      else res.destroy();
    });
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;

  const wss = new WebSocketServer({
    noServer: true,
    // Larger frames are closed with 1009; frames up to this size get a polite TOO_LARGE error.
    maxPayload: 16 * MAX_CLIENT_MESSAGE_BYTES,
    perMessageDeflate: false,
  });
  const live = new Map<import('ws').WebSocket, { conn: ClientConnection; alive: boolean }>();

  server.on('upgrade', (req, socket, head) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path !== '/ws') return refuseUpgrade(socket, 404, 'Not Found');
    if (!allowList.allowsOrigin(req.headers.origin, req.headers.host))
      return refuseUpgrade(socket, 403, 'Forbidden');
    if (live.size >= maxConnections || accepting === false)
      return refuseUpgrade(socket, 503, 'Service Unavailable');
    const from = addressOf(req);
    const open = perAddress.get(from) ?? 0;
    if (open >= maxPerAddress) return refuseUpgrade(socket, 429, 'Too Many Requests');
    // Without a session cookie (not a browser that loaded the page) the connection is a new
    // player of its own, for as long as it lasts.
    const userId = keys.userOf(req) ?? keys.issue().userId;
    perAddress.set(from, open + 1);
    let counted = true;
    const release = (): void => {
      if (!counted) return;
      counted = false;
      const n = (perAddress.get(from) ?? 1) - 1;
      if (n <= 0) perAddress.delete(from);
      else perAddress.set(from, n);
    };
    socket.once('close', release);
    wss.handleUpgrade(req, socket, head, (ws) => {
      const conn = new ClientConnection(ws, {
        host: options.host,
        logger,
        userId,
        feeds,
        turns,
        joinCodes,
        joinDeadlineMs: options.joinDeadlineMs ?? 10_000,
        ...(options.gamesPageSize === undefined ? {} : { gamesPageSize: options.gamesPageSize }),
        takeBoot: (spec) => {
          if (spec.kind === 'llm') llmBootLimits.take(from);
          bootLimits.take(from);
        },
        rateLimit: options.rateLimit ?? DEFAULT_RATE_LIMIT,
        hello: () => ({
          type: 'hello',
          cartridges: cartridges(),
          llm,
          maxMessageBytes: MAX_CLIENT_MESSAGE_BYTES,
        }),
      });
      const entry = { conn, alive: true };
      live.set(ws, entry);
      ws.on('pong', () => {
        entry.alive = true;
      });
      ws.on('close', () => {
        live.delete(ws);
        release();
      });
    });
  });

  const heartbeat = setInterval(() => {
    for (const [ws, entry] of live) {
      if (!entry.alive) {
        ws.terminate();
        continue;
      }
      entry.alive = false;
      ws.ping();
    }
  }, options.heartbeatMs ?? 30_000);
  heartbeat.unref();

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, bindAddress, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${shownHost === '0.0.0.0' || shownHost === '[::]' ? 'localhost' : shownHost}:${address.port}/`;
  logger.info({ url }, 'web console listening');
  const exposure = exposureNotice(bindAddress, joinCodes !== null);
  if (exposure.length > 0) logger.warn({ joinCodes: joinCodes !== null }, exposure.join(' '));
  // Compile the cartridge catalog while nobody is waiting for it.
  setImmediate(() => cartridges());

  let closing: Promise<void> | null = null;
  let stopped: Promise<void> | null = null;
  const stopListening = (): Promise<void> => {
    stopped ??= new Promise<void>((resolve) => server.close(() => resolve()));
    return stopped;
  };
  return {
    server,
    port: address.port,
    url,
    connections: () => live.size,
    stopAccepting() {
      accepting = false;
      void stopListening();
      server.closeIdleConnections();
    },
    exposure,
    inviteLink: (channelId) =>
      `${url}#${encodeURIComponent(channelId)}${joinCodes === null ? '' : `?code=${keys.joinCode(channelId)}`}`,
    close(closeOptions = {}) {
      closing ??= new Promise<void>((resolve) => {
        accepting = false;
        clearInterval(heartbeat);
        for (const [ws, entry] of live) {
          entry.conn.dispose();
          if (closeOptions.restarting) ws.close(1012, 'server restarting');
          else ws.close(1001, 'server shutting down');
        }
        const force = setTimeout(() => {
          for (const ws of live.keys()) ws.terminate();
          server.closeAllConnections();
        }, 1000);
        force.unref();
        wss.close();
        void stopListening().then(() => {
          clearTimeout(force);
          resolve();
        });
        server.closeIdleConnections();
      });
      return closing;
    },
  };
}
