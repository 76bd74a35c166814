// Messages take their turns one event-loop iteration at a time (src/web/fair-turns.ts): a burst
// of them cannot keep other I/O (another page, /healthz) waiting until the whole burst is done.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { FairTurns } from '../../src/web/fair-turns.js';

describe('web fair turns', () => {
  it('serves callers in the order they asked', async () => {
    const turns = new FairTurns();
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 2000 }, (_, i) => turns.next().then(() => order.push(i))),
    );
    assert.deepEqual(
      order,
      Array.from({ length: 2000 }, (_, i) => i),
    );
    assert.equal(turns.waiting, 0);
  });

  it('lets an HTTP request in the middle of a burst be answered before the burst ends', async () => {
    const server = createServer((_req, res) => res.end('ok'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    const turns = new FairTurns();
    const events: string[] = [];
    let answered: Promise<void> | null = null;
    const burst = Array.from({ length: 1000 }, (_, i) =>
      turns.next().then(() => {
        if (i === 0)
          answered = fetch(`http://127.0.0.1:${port}/`)
            .then((r) => r.text())
            .then(() => {
              events.push('answered');
            });
        if (i === 999) events.push('burst done');
      }),
    );
    await Promise.all(burst);
    await answered;
    server.close();
    assert.deepEqual(events, ['answered', 'burst done']);
  });
});
