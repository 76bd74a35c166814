import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';

/** One REST call the fake received (the path without `/api/v10`). */
export interface RecordedCall {
  method: string;
  path: string;
  query: string;
  /** The JSON body, or a multipart request's payload_json; null when there was none. */
  body: unknown;
  /** Names of files in a multipart request. */
  files: string[];
  /** The files of a multipart request, with their bytes. */
  uploads: Upload[];
  auth: string | null;
  at: number;
  status: number;
}

export interface Upload {
  name: string;
  contentType: string | null;
  data: Buffer;
}

/** The file parts of a multipart/form-data body (those with a filename). */
function multipartFiles(raw: Buffer, contentType: string): Upload[] {
  const boundary = /boundary="?([^";]+)"?/i.exec(contentType)?.[1];
  if (boundary === undefined) return [];
  const delimiter = Buffer.from(`--${boundary}`);
  const out: Upload[] = [];
  let at = raw.indexOf(delimiter);
  while (at >= 0) {
    const next = raw.indexOf(delimiter, at + delimiter.length);
    if (next < 0) break;
    const part = raw.subarray(at + delimiter.length + 2, next - 2); // CRLF after, CRLF before
    const split = part.indexOf('\r\n\r\n');
    const head = part.subarray(0, split).toString('utf8');
    const name = /filename="([^"]*)"/i.exec(head)?.[1];
    if (split >= 0 && name !== undefined) {
      const type = /content-type:\s*([^\r\n]+)/i.exec(head)?.[1] ?? null;
      out.push({ name, contentType: type, data: Buffer.from(part.subarray(split + 4)) });
    }
    at = next;
  }
  return out;
}

export interface StoredMessage {
  id: string;
  channelId: string;
  body: Record<string, unknown>;
  edits: number;
}

export const FAKE_APP_ID = '900000000000000001';
const FAKE_BOT_ID = '900000000000000002';

/**
 * A local stand-in for Discord: answers the REST routes the adapter uses (recording every call),
 * keeps posted messages, can answer 429 with Retry-After, and serves a gateway WebSocket that
 * says HELLO/READY and dispatches INTERACTION_CREATE packets. Point discord.js at it with
 * `rest: { api: fake.api }`.
 */
export class FakeDiscord {
  readonly calls: RecordedCall[] = [];
  readonly messages = new Map<string, StoredMessage>();
  /** Interaction webhook messages (deferred replies and follow-ups), by token. */
  readonly webhookMessages: Array<{
    token: string;
    original: boolean;
    body: Record<string, unknown>;
  }> = [];
  #server: Server;
  #wss: WebSocketServer;
  #sockets = new Set<WebSocket>();
  #nextId = 1_000_000_000_000_000n;
  #seq = 0;
  #rateLimits: Array<{
    match: (method: string, path: string) => boolean;
    retryAfter: number;
    left: number;
  }> = [];
  #port = 0;

  constructor() {
    this.#server = createServer((req, res) => {
      this.#handle(req, res).catch((error: unknown) => {
        res.writeHead(500);
        res.end(String(error));
      });
    });
    this.#wss = new WebSocketServer({ server: this.#server, path: '/gateway' });
    this.#wss.on('connection', (ws) => this.#onSocket(ws));
  }

  async start(): Promise<this> {
    this.#server.listen(0, '127.0.0.1');
    await once(this.#server, 'listening');
    this.#port = (this.#server.address() as AddressInfo).port;
    return this;
  }

  /** The base to give discord.js: `rest: { api }`. */
  get api(): string {
    return `http://127.0.0.1:${this.#port}/api`;
  }

  /** The next `times` calls matching method and path get 429 with `Retry-After: seconds`. */
  rateLimit(method: string, path: RegExp, seconds: number, times = 1): void {
    this.#rateLimits.push({
      match: (m, p) => m === method && path.test(p),
      retryAfter: seconds,
      left: times,
    });
  }

  /** Sends a gateway dispatch to every connected client. */
  dispatch(t: string, d: unknown): void {
    const packet = JSON.stringify({ op: 0, t, s: ++this.#seq, d });
    for (const ws of this.#sockets) ws.send(packet);
  }

  get connected(): number {
    return this.#sockets.size;
  }

  callsTo(method: string, path: RegExp): RecordedCall[] {
    return this.calls.filter((c) => c.method === method && path.test(c.path) && c.status < 400);
  }

  /** Messages posted in a channel, in order. */
  channelMessages(channelId: string): StoredMessage[] {
    return [...this.messages.values()].filter((m) => m.channelId === channelId);
  }

  async close(): Promise<void> {
    for (const ws of this.#sockets) ws.terminate();
    this.#wss.close();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #id(): string {
    this.#nextId += 1n;
    return this.#nextId.toString();
  }

  #onSocket(ws: WebSocket): void {
    this.#sockets.add(ws);
    ws.on('close', () => this.#sockets.delete(ws));
    ws.send(JSON.stringify({ op: 10, d: { heartbeat_interval: 41_250 } }));
    ws.on('message', (data) => {
      const packet = JSON.parse(String(data)) as { op: number };
      if (packet.op === 1) ws.send(JSON.stringify({ op: 11 }));
      if (packet.op === 2) {
        const ready = {
          v: 10,
          user: {
            id: FAKE_BOT_ID,
            username: 'GameGirl',
            discriminator: '0',
            global_name: null,
            avatar: null,
            bot: true,
          },
          guilds: [],
          session_id: 'fake-session',
          resume_gateway_url: `ws://127.0.0.1:${this.#port}/gateway`,
          shard: [0, 1],
          application: { id: FAKE_APP_ID, flags: 0 },
        };
        ws.send(JSON.stringify({ op: 0, t: 'READY', s: ++this.#seq, d: ready }));
      }
    });
  }

  async #read(
    req: IncomingMessage,
  ): Promise<{ body: unknown; files: string[]; uploads: Upload[] }> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks);
    if (raw.length === 0) return { body: null, files: [], uploads: [] };
    const type = req.headers['content-type'] ?? '';
    if (type.startsWith('application/json'))
      return { body: JSON.parse(raw.toString('utf8')), files: [], uploads: [] };
    if (type.startsWith('multipart/form-data')) {
      const text = raw.toString('latin1');
      const files = [...text.matchAll(/name="files\[\d+\]"; filename="([^"]+)"/g)].map(
        (m) => m[1] ?? '',
      );
      const json =
        /name="payload_json"\r\n(?:Content-Type: application\/json\r\n)?\r\n([\s\S]*?)\r\n--/i.exec(
          text,
        );
      return {
        body: json?.[1] ? JSON.parse(Buffer.from(json[1], 'latin1').toString('utf8')) : null,
        files,
        uploads: multipartFiles(raw, type),
      };
    }
    return { body: raw.toString('utf8'), files: [], uploads: [] };
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname.replace(/^\/api\/v10/, '');
    const method = req.method ?? 'GET';
    const { body, files, uploads } = await this.#read(req);
    const call: RecordedCall = {
      method,
      path,
      query: url.search,
      body,
      files,
      uploads,
      auth: req.headers.authorization ?? null,
      at: Date.now(),
      status: 200,
    };
    this.calls.push(call);
    const json = (status: number, value: unknown, headers: Record<string, string> = {}): void => {
      call.status = status;
      if (status === 204) {
        res.writeHead(204, headers);
        res.end();
        return;
      }
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(value));
    };
    const limit = this.#rateLimits.find((r) => r.left > 0 && r.match(method, path));
    if (limit) {
      limit.left--;
      return json(
        429,
        { message: 'You are being rate limited.', retry_after: limit.retryAfter, global: false },
        { 'retry-after': String(limit.retryAfter), 'x-ratelimit-scope': 'user' },
      );
    }
    const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    const post = /^\/channels\/(\d+)\/messages$/.exec(path);
    const patch = /^\/channels\/(\d+)\/messages\/(\d+)$/.exec(path);
    const hook = /^\/webhooks\/\d+\/([^/]+)(\/messages\/(?:@|%40)original)?$/.exec(path);
    if (method === 'GET' && path === '/gateway/bot') {
      return json(200, {
        url: `ws://127.0.0.1:${this.#port}/gateway`,
        shards: 1,
        session_start_limit: { total: 1000, remaining: 1000, reset_after: 0, max_concurrency: 1 },
      });
    }
    if (method === 'POST' && /^\/interactions\/\d+\/[^/]+\/callback$/.test(path))
      return json(204, null);
    if (post && method === 'POST') {
      const msg: StoredMessage = { id: this.#id(), channelId: post[1] ?? '', body: b, edits: 0 };
      this.messages.set(msg.id, msg);
      return json(200, this.#message(msg));
    }
    if (patch && method === 'PATCH') {
      const msg = this.messages.get(patch[2] ?? '');
      if (msg === undefined) return json(404, { message: 'Unknown Message', code: 10008 });
      msg.body = { ...msg.body, ...b };
      msg.edits++;
      return json(200, this.#message(msg));
    }
    if (hook) {
      const token = hook[1] ?? '';
      const original = hook[2] !== undefined;
      if (method === 'DELETE') return json(204, null);
      if (method === 'PATCH' || method === 'POST') {
        const existing = original
          ? this.webhookMessages.find((w) => w.token === token && w.original)
          : undefined;
        if (existing) existing.body = { ...existing.body, ...b };
        else this.webhookMessages.push({ token, original, body: b });
        return json(200, this.#message({ id: this.#id(), channelId: '1', body: b, edits: 0 }));
      }
    }
    if (/^\/applications\/\d+(\/guilds\/\d+)?\/commands$/.test(path) && method === 'PUT') {
      const list = Array.isArray(body) ? body : [];
      return json(
        200,
        list.map((c: unknown) => ({
          ...(c as object),
          id: this.#id(),
          application_id: FAKE_APP_ID,
        })),
      );
    }
    return json(404, { message: `fake discord: no route for ${method} ${path}`, code: 0 });
  }

  #message(msg: StoredMessage): Record<string, unknown> {
    return {
      id: msg.id,
      channel_id: msg.channelId,
      type: 0,
      content: typeof msg.body.content === 'string' ? msg.body.content : '',
      embeds: msg.body.embeds ?? [],
      components: msg.body.components ?? [],
      attachments: [],
      author: {
        id: FAKE_BOT_ID,
        username: 'GameGirl',
        discriminator: '0',
        global_name: null,
        avatar: null,
        bot: true,
      },
      timestamp: new Date().toISOString(),
      edited_timestamp: null,
      tts: false,
      mention_everyone: false,
      mentions: [],
      mention_roles: [],
      pinned: false,
    };
  }
}
