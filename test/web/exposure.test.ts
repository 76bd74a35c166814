// Exposing the console: the Host allow-list (DNS rebinding), the Origin check behind a proxy,
// connection caps per address, the join deadline, players per channel, join codes, boots per
// address, and a bad title path answered 400 instead of 500.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, describe, it } from 'node:test';
import { exposureNotice } from '../../src/web/exposure.js';
import { type Harness, startConsole, TestClient } from './harness.js';

/** GET with any Host header (fetch does not let a test set it). */
function getWithHost(url: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { Host: host } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('exposing the web console', { timeout: 60_000 }, () => {
  const harnesses: Harness[] = [];
  const clients: TestClient[] = [];
  const start = async (web: Parameters<typeof startConsole>[0] = {}) => {
    const h = await startConsole(web);
    harnesses.push(h);
    return h;
  };
  const open = async (url: string, headers: Record<string, string> = {}) => {
    const c = await TestClient.open(url, headers);
    clients.push(c);
    return c;
  };
  after(async () => {
    for (const c of clients) await c.close();
    for (const h of harnesses) await h.close();
  });

  it('refuses a DNS-rebinding host name, on HTTP and on the WebSocket; allows loopback and the public host', async () => {
    const h = await start({ web: { publicHosts: ['games.example.com'] } });
    const port = h.web.port;
    assert.equal(await getWithHost(h.web.url, `rebind.attacker.example:${port}`), 421);
    assert.equal(await getWithHost(h.web.url, `localhost:${port}`), 200);
    assert.equal(await getWithHost(h.web.url, `127.0.0.1:${port}`), 200);
    assert.equal(await getWithHost(h.web.url, 'games.example.com'), 200);
    // /healthz answers whatever the name (load balancers probe by address).
    assert.equal(await getWithHost(`${h.web.url}healthz`, 'anything.example'), 200);
    const evil = `http://rebind.attacker.example:${port}`;
    await assert.rejects(
      open(h.wsUrl, { Host: `rebind.attacker.example:${port}`, Origin: evil }),
      /403/,
    );
    // Behind a proxy that rewrites Host to its upstream, the page's origin is the public host.
    const proxied = await open(h.wsUrl, { Origin: 'https://games.example.com' });
    await proxied.waitFor((m) => m.type === 'hello');
  });

  it('caps connections per address and closes a connection that does not join in time', async () => {
    const h = await start({ web: { maxConnectionsPerAddress: 3, joinDeadlineMs: 300 } });
    const held = [await open(h.wsUrl), await open(h.wsUrl), await open(h.wsUrl)];
    await assert.rejects(open(h.wsUrl), /429/);
    // They never join: closed at the deadline (1008), and the slots are free again.
    for (const c of held) await c.waitFor(() => false, 5_000).catch(() => undefined);
    assert.deepEqual(
      held.map((c) => c.closeCode),
      [1008, 1008, 1008],
    );
    const next = await open(h.wsUrl);
    const id = next.send({ type: 'join', channelId: 'late', name: 'N' });
    assert.equal((await next.reply(id)).type, 'ok');
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(next.closeCode, null, 'a joined connection stays open');
  });

  it('refuses a join beyond the players allowed per channel', async () => {
    const h = await start({ web: { maxPlayersPerChannel: 2 } });
    for (const name of ['A', 'B']) {
      const c = await open(h.wsUrl);
      assert.equal((await c.reply(c.send({ type: 'join', channelId: 'full', name }))).type, 'ok');
    }
    const third = await open(h.wsUrl);
    const reply = await third.reply(third.send({ type: 'join', channelId: 'full', name: 'C' }));
    assert.equal(reply.code, 'CHANNEL_FULL');
    const elsewhere = await third.reply(
      third.send({ type: 'join', channelId: 'other', name: 'C' }),
    );
    assert.equal(elsewhere.type, 'ok');
  });

  it('private channels: a join needs the code of the invite link', async () => {
    const h = await start({ web: { joinCodes: true } });
    const link = new URL(h.web.inviteLink('secret-room'));
    const code = new URLSearchParams(link.hash.split('?')[1]).get('code') ?? '';
    assert.match(code, /^[A-Za-z0-9_-]{16}$/);
    const c = await open(h.wsUrl);
    const none = await c.reply(c.send({ type: 'join', channelId: 'secret-room', name: 'X' }));
    assert.equal(none.code, 'JOIN_CODE');
    const other = h.web.inviteLink('another-room').split('code=')[1];
    const wrong = await c.reply(
      c.send({ type: 'join', channelId: 'secret-room', name: 'X', code: other }),
    );
    assert.equal(wrong.code, 'JOIN_CODE');
    const right = c.send({ type: 'join', channelId: 'secret-room', name: 'X', code });
    assert.equal((await c.reply(right)).type, 'ok');
    const joined = await c.waitFor((m) => m.type === 'joined');
    assert.equal(joined.code, code, 'members get the code to share');
  });

  it('limits boots per address across players (new sessions do not reset it)', async () => {
    const h = await start({ web: { bootsPerAddress: { presses: 2, perMs: 60_000 } } });
    const codes: string[] = [];
    for (let i = 0; i < 3; i++) {
      const c = await open(h.wsUrl); // a fresh identity each time
      await c.reply(c.send({ type: 'join', channelId: `boots-${i}`, name: 'B' }));
      const reply = await c.reply(
        c.send({ type: 'boot', spec: { kind: 'ink', cartridge: 'midnight-arcade' } }),
        20_000,
      );
      codes.push(reply.type === 'ok' ? 'ok' : String(reply.code));
    }
    assert.deepEqual(codes, ['ok', 'ok', 'RATE_LIMITED']);
  });

  it('answers 400 to a title path with a control character, not 500', async () => {
    const h = harnesses[0] as Harness;
    const res = await fetch(new URL('/title/%00.png', h.web.url));
    assert.equal(res.status, 400);
  });

  it('says loudly when listening beyond loopback, and whether join codes are on', () => {
    assert.deepEqual(exposureNotice('127.0.0.1', false), []);
    assert.deepEqual(exposureNotice('::1', false), []);
    const open = exposureNotice('0.0.0.0', false).join('\n');
    assert.match(open, /reachable from the network/);
    assert.match(open, /Join codes are OFF/);
    assert.match(exposureNotice('192.168.1.5', true).join('\n'), /Join codes are ON/);
  });
});
