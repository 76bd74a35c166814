import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GameArchive } from '../core/archive.js';
import { GameSessionError } from '../core/errors.js';
import { checkChannelId } from '../core/limits.js';
import type { AdapterHost } from '../host/adapter-host.js';
import { RateLimitedError } from '../host/errors.js';
import type { PressRateLimiter } from '../host/rate-limit.js';
import { exportFileName, transcriptOf } from '../host/transcript.js';
import { sendText } from './http.js';
import { isWebUserId, type SessionKeys } from './identity.js';

// GET /export?channel=<id>&format=markdown|json[&code=<join code>]: the channel's running game
// as a download, for whoever may join the channel (a session cookie from the page, and the
// channel's join code when join codes are on). The JSON names players by their opaque
// per-channel handles, never by user id, as everything else the page receives does.

export interface ExportRoute {
  host: Pick<AdapterHost, 'exportGame'>;
  keys: SessionKeys;
  joinCodes: boolean;
  /** Downloads per player (session). */
  limits: PressRateLimiter;
}

/** Every string of `value` (object keys included) that is a user id, replaced by its handle. */
function renamed(
  value: unknown,
  isId: (s: string) => boolean,
  handle: (id: string) => string,
): unknown {
  if (typeof value === 'string') return isId(value) ? handle(value) : value;
  if (Array.isArray(value)) return value.map((v) => renamed(v, isId, handle));
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    // defineProperty: a key such as `__proto__` stays data.
    Object.defineProperty(out, isId(k) ? handle(k) : k, {
      value: renamed(v, isId, handle),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

/** The archive with every user id (players, choices, the host's data) turned into handles: the
 *  ids the game names, and anything else shaped like a web user id (a field a newer host adds). */
function withHandles(a: GameArchive, handle: (id: string) => string): GameArchive {
  const ids = new Set<string>(Object.keys(a.game.players));
  for (const t of a.turns) for (const id of Object.keys(t.choices)) ids.add(id);
  for (const id of Object.keys(a.game.pending_choices)) ids.add(id);
  const bootedBy = a.game.extra.bootedBy;
  if (typeof bootedBy === 'string') ids.add(bootedBy);
  return renamed(a, (s) => ids.has(s) || isWebUserId(s), handle) as GameArchive;
}

/** Serves the route; false when `path` is not it. */
export async function serveExport(
  route: ExportRoute,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<boolean> {
  if (url.pathname !== '/export') return false;
  const channelId = url.searchParams.get('channel') ?? '';
  const format = url.searchParams.get('format') ?? 'markdown';
  const userId = route.keys.userOf(req);
  if (userId === null) {
    sendText(req, res, 401, 'open the console first (no session)');
    return true;
  }
  if (format !== 'markdown' && format !== 'json') {
    sendText(req, res, 400, 'format must be markdown or json');
    return true;
  }
  try {
    checkChannelId(channelId);
  } catch {
    sendText(req, res, 400, 'bad channel');
    return true;
  }
  const code = url.searchParams.get('code') ?? undefined;
  if (route.joinCodes && !route.keys.checkJoinCode(channelId, code)) {
    sendText(req, res, 403, 'this channel is private: use its invite link');
    return true;
  }
  let found: Awaited<ReturnType<AdapterHost['exportGame']>>;
  try {
    route.limits.take(userId);
    found = await route.host.exportGame(channelId);
  } catch (err) {
    if (err instanceof RateLimitedError) {
      res.setHeader('Retry-After', String(Math.ceil(err.retryAfterMs / 1000)));
      sendText(req, res, 429, err.message);
      return true;
    }
    if (!(err instanceof GameSessionError)) throw err;
    sendText(req, res, 409, err.message);
    return true;
  }
  if (found === null) {
    sendText(req, res, 404, 'no game is running in this channel');
    return true;
  }
  const { archive, rule } = found;
  const body =
    format === 'markdown'
      ? transcriptOf(archive, rule)
      : `${JSON.stringify(
          withHandles(archive, (id) => route.keys.handle(channelId, id)),
          null,
          2,
        )}\n`;
  const name = exportFileName(archive.game.game_name, format === 'markdown' ? 'md' : 'json');
  const buf = Buffer.from(body);
  res.writeHead(200, {
    'Content-Type':
      format === 'markdown' ? 'text/markdown; charset=utf-8' : 'application/json; charset=utf-8',
    'Content-Length': String(buf.length),
    'Content-Disposition': `attachment; filename="${name}"`,
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    'Content-Security-Policy': "default-src 'none'",
  });
  res.end(req.method === 'HEAD' ? undefined : buf);
  return true;
}
