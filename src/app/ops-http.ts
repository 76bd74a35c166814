// /metrics, /healthz and /readyz for operators: on the players' port (through the adapter's
// `routes` hook) or on a listener of their own (--metrics-port).
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export interface OpsRoutesOptions {
  registry: Registry;
  /** Ready to take players (store answers; Redis mode: scheduler and pub/sub connected). */
  ready: () => Promise<boolean>;
  /** The process is draining: not ready any more, still alive. */
  draining: () => boolean;
}

/** Answers the operator routes; resolves false for any other path (the caller's to answer). */
export type OpsRoutes = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

function send(res: ServerResponse, status: number, type: string, body: string, head: boolean) {
  res.writeHead(status, {
    'Content-Type': type,
    'Cache-Control': 'no-store',
    'Content-Length': Buffer.byteLength(body),
  });
  res.end(head ? undefined : body);
}

export function opsRoutes(options: OpsRoutesOptions): OpsRoutes {
  return async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const head = req.method === 'HEAD';
    if (req.method !== 'GET' && !head) return false;
    if (path === '/healthz') {
      send(res, 200, 'text/plain; charset=utf-8', 'ok', head);
      return true;
    }
    if (path === '/readyz') {
      const ok = !options.draining() && (await options.ready());
      const body = ok ? 'ready' : options.draining() ? 'draining' : 'not ready';
      send(res, ok ? 200 : 503, 'text/plain; charset=utf-8', body, head);
      return true;
    }
    if (path === '/metrics') {
      const body = await options.registry.metrics();
      send(res, 200, options.registry.contentType, body, head);
      return true;
    }
    return false;
  };
}

export interface OpsServer {
  readonly url: string;
  close(): Promise<void>;
}

/** A listener of its own for the operator routes (404 for anything else). */
export async function listenOps(routes: OpsRoutes, port: number, host: string): Promise<OpsServer> {
  const server: Server = createServer((req, res) => {
    routes(req, res)
      .then((done) => {
        if (!done) send(res, 404, 'text/plain; charset=utf-8', 'not found', false);
      })
      .catch(() => {
        if (!res.headersSent) send(res, 500, 'text/plain; charset=utf-8', 'internal error', false);
        else res.destroy();
      });
  });
  server.listen(port, host);
  await once(server, 'listening');
  const address = server.address() as AddressInfo;
  const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${shown}:${address.port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
