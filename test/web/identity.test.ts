// Identity and authorisation through a real WebSocket: the server-issued session is the player,
// views carry handles (never user ids), load of a game running elsewhere needs its booter,
// `games` lists only what the player may load (paginated), private channels need their code.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Harness, startConsole, TestClient } from './harness.js';

const CART = { kind: 'ink', cartridge: 'midnight-arcade' } as const;

async function joined(c: TestClient, channelId: string, name: string, code?: string) {
  const id = c.send({ type: 'join', channelId, name, ...(code ? { code } : {}) });
  const reply = await c.reply(id);
  assert.equal(reply.type, 'ok', JSON.stringify(reply));
  return (await c.waitFor((m) => m.type === 'joined')).you as string;
}

async function games(c: TestClient, cursor?: string | null) {
  const id = c.send({ type: 'games', ...(cursor ? { cursor } : {}) });
  const m = await c.waitFor((x) => (x.type === 'games' || x.type === 'error') && x.id === id);
  assert.equal(m.type, 'games', JSON.stringify(m));
  return m as unknown as { games: Array<{ gameId: string }>; nextCursor: string | null };
}

async function ok(c: TestClient, message: Record<string, unknown>): Promise<void> {
  const reply = await c.reply(c.send(message), 20_000);
  assert.equal(reply.type, 'ok', JSON.stringify(reply));
}

async function refused(c: TestClient, message: Record<string, unknown>, code: string) {
  const reply = await c.reply(c.send(message), 20_000);
  assert.equal(reply.type, 'error');
  assert.equal(reply.code, code, String(reply.message));
}

describe('web console identity and authorisation', { timeout: 60_000 }, () => {
  let h: Harness;
  const clients: TestClient[] = [];
  const open = async (cookie?: string) => {
    const c = await TestClient.open(h.wsUrl, cookie ? { Cookie: cookie } : {});
    clients.push(c);
    return c;
  };

  before(async () => {
    h = await startConsole({ countdownSeconds: 5 });
  });
  after(async () => {
    for (const c of clients) await c.close();
    await h.close();
  });

  it('the page sets a signed HttpOnly SameSite session cookie', async () => {
    const res = await fetch(h.web.url);
    await res.arrayBuffer();
    const set = res.headers.get('set-cookie') ?? '';
    assert.match(set, /^gg_session=[A-Za-z0-9_-]{24}\.[A-Za-z0-9_-]{43};/);
    assert.match(set, /HttpOnly/);
    assert.match(set, /SameSite=Strict/);
    // A page load with a valid cookie does not replace it.
    const again = await fetch(h.web.url, { headers: { Cookie: set.split(';')[0] as string } });
    await again.arrayBuffer();
    assert.equal(again.headers.get('set-cookie'), null);
  });

  it('a join naming a user id is refused: the id comes from the session only', async () => {
    const c = await open();
    await refused(
      c,
      { type: 'join', channelId: 'id-room', user: { id: 'someone', name: 'X' } },
      'BAD_MESSAGE',
    );
  });

  it('views name players by handle, never by user id; a forged cookie cannot act as the booter', async () => {
    const aliceCookie = await TestClient.sessionCookie(h.web.url);
    const sessionId = (aliceCookie.split('=')[1] as string).split('.')[0] as string;
    const alice = await open(aliceCookie);
    const bob = await open(await TestClient.sessionCookie(h.web.url));
    const aliceHandle = await joined(alice, 'id-room', 'Alice');
    const bobHandle = await joined(bob, 'id-room', 'Bob');
    assert.notEqual(aliceHandle, bobHandle);
    await ok(alice, { type: 'boot', spec: CART });
    const view = await bob.waitFor((m) => m.type === 'view' && m.view.game !== null);
    const choice = (view.view as { scene: { choices: string[] } }).scene.choices[0];
    await ok(alice, { type: 'press', turn: 0, choice });
    await ok(bob, { type: 'press', turn: 0, choice });
    const seen = await bob.waitFor(
      (m) => m.type === 'chosen' && (m.entries as unknown[]).length > 0,
    );
    assert.ok(seen);
    const last = bob.lastView();
    assert.equal(last?.game?.bootedBy, aliceHandle, 'the booter is named by handle');
    // The closed window's turn (pushed, then asked for as history) names players by handle.
    const turn = await bob.waitFor((m) => m.type === 'turn', 20_000);
    const record = turn.record as { choices: Array<{ player: string; name: string }> };
    assert.deepEqual(
      record.choices.map((c) => [c.player, c.name]),
      [
        [aliceHandle, 'Alice'],
        [bobHandle, 'Bob'],
      ],
    );
    const asked = bob.send({ type: 'history' });
    const history = await bob.waitFor((m) => m.type === 'history' && m.id === asked);
    assert.equal((history.turns as unknown[]).length, 1);
    const everything = JSON.stringify([...alice.messages, ...bob.messages]);
    assert.doesNotMatch(everything, /web:/, 'no user id was ever sent');
    assert.ok(!everything.includes(sessionId), 'no session id was ever sent');
    assert.doesNotMatch(everything, /"userId"/);

    // Bob forges Alice's cookie with his own signature: he is a stranger, not Alice.
    const forged = `gg_session=${sessionId}.${'A'.repeat(43)}`;
    const mallory = await open(forged);
    const malloryHandle = await joined(mallory, 'id-room', 'Alice');
    assert.notEqual(malloryHandle, aliceHandle);
    await refused(mallory, { type: 'exit' }, 'PERMISSION');
    // Alice on a new connection with her cookie is still herself (and may exit her game).
    const aliceAgain = await open(aliceCookie);
    assert.equal(await joined(aliceAgain, 'id-room', 'Alice'), aliceHandle);
    await ok(aliceAgain, { type: 'exit' });
  });

  it('a game running in another channel is loaded only by its booter; games lists what may be loaded', async () => {
    const annCookie = await TestClient.sessionCookie(h.web.url);
    const ann = await open(annCookie);
    await joined(ann, 'room-a', 'Ann');
    await ok(ann, { type: 'boot', spec: CART });
    const running = ann.lastView()?.game?.gameId as string;
    assert.ok(running);

    const eve = await open(await TestClient.sessionCookie(h.web.url));
    await joined(eve, 'room-e', 'Eve');
    await refused(eve, { type: 'load', gameId: running }, 'PERMISSION');
    assert.equal((await h.host.view('room-a')).game?.gameId, running, 'room-a still plays it');
    // Eve's games list leaves out room-a's running game; Ann's (in room-a) shows it.
    assert.ok(!(await games(eve)).games.some((g) => g.gameId === running));
    assert.ok((await games(ann)).games.some((g) => g.gameId === running));

    // Ann may move her own game to another channel.
    const annElsewhere = await open(annCookie);
    await joined(annElsewhere, 'room-b', 'Ann');
    await ok(annElsewhere, { type: 'load', gameId: running });
    assert.equal((await h.host.view('room-b')).game?.gameId, running);
    assert.equal((await h.host.view('room-a')).status, 'idle');
  });

  it('games is paginated: pages of 20 with a cursor, no game twice', async () => {
    const model = await h.store.loadGame((await h.host.listGames({ max: 1 }))[0]?.gameId ?? '');
    assert.ok(model);
    // Each boot in channel 'bulk' exits the one before: 44 saved games, the last one running.
    for (let i = 0; i < 45; i++)
      await h.store.bootGame({ ...model, game_id: `bulk-${i}`, channel_id: 'bulk', active: true });
    const c = await open();
    await joined(c, 'pager', 'P');
    const seen = new Set<string>();
    let cursor: string | null = null;
    let pages = 0;
    do {
      const reply = await games(c, cursor);
      assert.ok(reply.games.length <= 20);
      for (const g of reply.games) {
        assert.ok(!seen.has(g.gameId), `${g.gameId} twice`);
        seen.add(g.gameId);
      }
      cursor = reply.nextCursor;
      pages++;
    } while (cursor !== null && pages < 20);
    assert.ok(pages >= 3, `${pages} pages`);
    for (let i = 0; i < 44; i++) assert.ok(seen.has(`bulk-${i}`), `bulk-${i} listed`);
    assert.ok(!seen.has('bulk-44'), 'the game running in another channel is not listed');
  });
});
