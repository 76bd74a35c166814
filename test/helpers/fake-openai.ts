// A local OpenAI-compatible chat-completions server for narrator tests: each request is answered
// by the next responder in a queue (the last one repeats), and every request is recorded.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  /** The parsed JSON body (chat-completions parameters). */
  body: {
    model?: string;
    stream?: boolean;
    messages?: { role: string; content: string }[];
    response_format?: unknown;
    temperature?: number;
    max_tokens?: number;
    max_completion_tokens?: number;
    stream_options?: { include_usage?: boolean };
  };
  /** The raw body text. */
  raw: string;
}

export type Responder = (req: RecordedRequest, res: ServerResponse) => void | Promise<void>;

export interface FakeOpenAI {
  /** Base URL to hand to the SDK (ends in /v1). */
  baseURL: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function chunk(id: string, delta: Record<string, unknown>, finish: string | null): string {
  const body = {
    id,
    object: 'chat.completion.chunk',
    created: 1_700_000_000,
    model: 'fake-model',
    choices: [{ index: 0, delta, finish_reason: finish }],
  };
  return `data: ${JSON.stringify(body)}\n\n`;
}

/** Splits text into `pieces` roughly equal parts (never splitting a surrogate pair). */
function splitText(text: string, pieces: number): string[] {
  const cps = Array.from(text);
  const size = Math.max(1, Math.ceil(cps.length / pieces));
  const out: string[] = [];
  for (let i = 0; i < cps.length; i += size) out.push(cps.slice(i, i + size).join(''));
  return out;
}

/** The usage a reply reports: a quarter of the characters, like a real tokenizer on English. */
function fakeUsage(req: RecordedRequest, content: string) {
  const chars = (req.body.messages ?? []).reduce((a, m) => a + m.content.length, 0);
  const prompt_tokens = Math.ceil(chars / 4);
  const completion_tokens = Math.ceil(content.length / 4);
  return { prompt_tokens, completion_tokens, total_tokens: prompt_tokens + completion_tokens };
}

/**
 * Answers with an SSE stream of `content`, in several deltas, and its usage when the request asks
 * for it (stream_options.include_usage) unless `usage` is false; non-streaming requests get JSON.
 */
export function reply(
  content: string,
  opts: { pieces?: number; delayMs?: number; usage?: boolean } = {},
): Responder {
  return async (req, res) => {
    if (!req.body.stream) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          id: 'cmpl-1',
          object: 'chat.completion',
          created: 1_700_000_000,
          model: 'fake-model',
          choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
        }),
      );
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    res.write(chunk('cmpl-1', { role: 'assistant', content: '' }, null));
    for (const piece of splitText(content, opts.pieces ?? 8)) {
      if (res.destroyed) return;
      res.write(chunk('cmpl-1', { content: piece }, null));
      if (opts.delayMs) await sleep(opts.delayMs);
    }
    res.write(chunk('cmpl-1', {}, 'stop'));
    if (req.body.stream_options?.include_usage && opts.usage !== false) {
      const body = {
        id: 'cmpl-1',
        object: 'chat.completion.chunk',
        created: 1_700_000_000,
        model: 'fake-model',
        choices: [],
        usage: fakeUsage(req, content),
      };
      res.write(`data: ${JSON.stringify(body)}\n\n`);
    }
    res.end('data: [DONE]\n\n');
  };
}

/** Answers with an OpenAI-style error body. */
export function httpError(
  status: number,
  message: string,
  headers: Record<string, string> = {},
): Responder {
  return (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify({ error: { message, type: 'invalid_request_error', code: null } }));
  };
}

/** Sends headers and the first part of a stream, then never finishes (until the client leaves). */
export function stall(prefix = '{"scene": "The lights flicker'): Responder {
  return (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write(chunk('cmpl-1', { content: prefix }, null));
  };
}

/** Starts the server on 127.0.0.1 with an ephemeral port. */
export async function startFakeOpenAI(responders: Responder[]): Promise<FakeOpenAI> {
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (b: Buffer) => parts.push(b));
    req.on('end', () => {
      const raw = Buffer.concat(parts).toString('utf8');
      let body: RecordedRequest['body'] = {};
      try {
        body = raw ? (JSON.parse(raw) as RecordedRequest['body']) : {};
      } catch {
        body = {};
      }
      const rec: RecordedRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body,
        raw,
      };
      requests.push(rec);
      if (rec.method !== 'POST' || !rec.url.endsWith('/chat/completions')) {
        httpError(404, `no route ${rec.method} ${rec.url}`)(rec, res);
        return;
      }
      const responder = responders[Math.min(requests.length - 1, responders.length - 1)];
      if (!responder) {
        httpError(500, 'no responder configured')(rec, res);
        return;
      }
      Promise.resolve(responder(rec, res)).catch(() => res.destroy());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
