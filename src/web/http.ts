import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { InvalidInputError } from '../core/errors.js';

/** Headers on every response. The page loads only its own script, style and images. */
const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "manifest-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; '),
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Permissions-Policy': 'camera=(), microphone=(), geolocation=()',
};

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

export interface StaticFile {
  body: Buffer;
  type: string;
  etag: string;
}

function etagOf(body: Buffer): string {
  return `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
}

/**
 * The page's folder: src/web/public next to this module (tsx), or the same folder of the
 * source tree when running from dist/web (the build copies no static files).
 */
export function findPublicDir(): string {
  const candidates = [
    fileURLToPath(new URL('./public/', import.meta.url)),
    fileURLToPath(new URL('../../src/web/public/', import.meta.url)),
  ];
  const found = candidates.find((dir) => existsSync(join(dir, 'index.html')));
  if (found === undefined) throw new Error(`web console files not found in ${candidates[0]}`);
  return found;
}

/** Loads every page file into memory once (they are small); keyed by URL path. */
export function loadStaticFiles(dir: string): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  for (const name of readdirSync(dir)) {
    const type = CONTENT_TYPES[extname(name)];
    if (type === undefined) continue;
    const body = readFileSync(join(dir, name));
    files.set(`/${name}`, { body, type, etag: etagOf(body) });
  }
  const index = files.get('/index.html');
  if (index) files.set('/', index);
  return files;
}

function sendBody(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  type: string,
  body: Buffer | string,
  extra: Record<string, string> = {},
): void {
  const buf = typeof body === 'string' ? Buffer.from(body) : body;
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    'Content-Type': type,
    'Content-Length': String(buf.length),
    ...extra,
  });
  res.end(req.method === 'HEAD' ? undefined : buf);
}

/** Sends a cacheable body, answering 304 when the browser already has this version. */
export function sendCached(
  req: IncomingMessage,
  res: ServerResponse,
  file: StaticFile,
  cacheControl: string,
): void {
  const headers = { ETag: file.etag, 'Cache-Control': cacheControl };
  if (req.headers['if-none-match'] === file.etag) {
    res.writeHead(304, { ...SECURITY_HEADERS, ...headers });
    res.end();
    return;
  }
  sendBody(req, res, 200, file.type, file.body, headers);
}

export function sendText(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  text: string,
): void {
  sendBody(req, res, status, 'text/plain; charset=utf-8', `${text}\n`, {
    'Cache-Control': 'no-store',
  });
}

export interface TitleRoute {
  /** The game's display name, or null when there is no such game. */
  gameName: (gameId: string) => Promise<string | null>;
  render: (gameName: string) => Buffer | Promise<Buffer>;
  logger: Logger;
}

const TITLE_PATH = /^\/title\/([^/]{1,400})\.png$/;
const TITLE_CACHE_SIZE = 64;

/** Serves `/title/<gameId>.png`: the game's title screen, rendered once per name (LRU). */
export function createTitleHandler(route: TitleRoute) {
  const cache = new Map<string, StaticFile>();
  const rendering = new Map<string, Promise<StaticFile>>();

  async function rendered(name: string): Promise<StaticFile> {
    const hit = cache.get(name);
    if (hit) {
      cache.delete(name);
      cache.set(name, hit);
      return hit;
    }
    let pending = rendering.get(name);
    if (!pending) {
      pending = (async () => {
        const body = await route.render(name);
        const file = { body, type: 'image/png', etag: etagOf(body) };
        cache.set(name, file);
        if (cache.size > TITLE_CACHE_SIZE) cache.delete(cache.keys().next().value as string);
        return file;
      })().finally(() => rendering.delete(name));
      rendering.set(name, pending);
    }
    return pending;
  }

  return async (req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean> => {
    const m = TITLE_PATH.exec(path);
    if (!m) return false;
    let gameId: string;
    try {
      gameId = decodeURIComponent(m[1] as string);
    } catch {
      sendText(req, res, 400, 'bad game id');
      return true;
    }
    // A control character (e.g. %00) is no game id: refused here, not by the store.
    // biome-ignore lint/suspicious/noControlCharactersInRegex: that is the point
    if (/[\u0000-\u001f\u007f]/.test(gameId)) {
      sendText(req, res, 400, 'bad game id');
      return true;
    }
    try {
      const name = gameId.length <= 128 ? await route.gameName(gameId) : null;
      if (name === null) {
        sendText(req, res, 404, 'no such game');
        return true;
      }
      sendCached(req, res, await rendered(name), 'public, max-age=300');
    } catch (err) {
      if (err instanceof InvalidInputError) {
        sendText(req, res, 400, 'bad game id');
        return true;
      }
      route.logger.error({ err, gameId }, 'title screen failed');
      sendText(req, res, 500, 'title screen unavailable');
    }
    return true;
  };
}
