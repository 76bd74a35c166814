// Network helpers for tests and benches.
import { createServer } from 'node:net';

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/** A free port (and, for Cluster nodes, a free bus port at port+10000). */
export async function freePort(withBus = false): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const port = await new Promise<number>((resolve, reject) => {
      const s = createServer();
      s.once('error', reject);
      s.listen(0, '127.0.0.1', () => {
        const a = s.address();
        s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
      });
    });
    if (port === 6379 || port === 0) continue;
    if (!withBus) return port;
    if (port + 10000 < 65536 && (await portFree(port + 10000))) return port;
  }
  throw new Error('no free port');
}
