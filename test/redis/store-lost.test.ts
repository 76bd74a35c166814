// Redis loses its data (FLUSHALL, or a restart without persistence) under a running host: the
// channel must go back to idle with a notice, and exit, boot and join must work again, without
// restarting gamegirl. A real redis-server, a real GameHost.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { GameHost } from '../../src/host/game-host.js';
import type { ChannelView } from '../../src/host/types.js';
import { RedisStore } from '../../src/redis/store.js';
import { cli, type RedisNode, startRedis, stopAllRedis } from '../helpers/redis-server.js';
import { ScriptNarrator } from '../helpers/script-narrator.js';
import { ALICE, BOB, SCRIPT, waitForView } from '../host/_harness.js';

describe('a store that lost the game', { timeout: 60_000 }, () => {
  let node: RedisNode;
  let store: RedisStore;
  let host: GameHost;

  before(async () => {
    node = await startRedis();
    store = await RedisStore.connect(node.url, { prefix: `lost${process.pid}` });
    host = new GameHost({ store, narrators: () => new ScriptNarrator(), countdownSeconds: 30 });
  });
  after(async () => {
    await host.close();
    await store.close();
    await stopAllRedis([node]);
  });

  it('FLUSHALL: the channel goes back to idle with a notice; boot, exit and press work again', async () => {
    const ch = 'flushed';
    const views: ChannelView[] = [];
    const off = host.subscribe(ch, (e) => {
      if (e.type === 'view') views.push(e.view);
    });
    const booted = await host.boot(ch, ALICE, SCRIPT);
    const choice = booted.scene?.choices[0] as string;
    await host.press(ch, ALICE, booted.turn, choice);
    await cli(node.port, 'FLUSHALL');

    // A press (or exit) finds the game gone: idle, and the players are told why.
    await assert.rejects(host.press(ch, BOB, booted.turn, choice), /no longer|lost|idle|gone/i);
    const idle = await host.view(ch);
    assert.equal(idle.status, 'idle');
    assert.match(idle.notice ?? '', /lost|no longer/i);
    assert.ok(views.some((v) => v.status === 'idle' && /lost|no longer/i.test(v.notice ?? '')));

    const again = await host.boot(ch, BOB, SCRIPT);
    assert.notEqual(again.game?.gameId, booted.game?.gameId);
    await host.press(ch, BOB, again.turn, again.scene?.choices[0] as string);
    assert.equal((await host.view(ch)).status, 'counting');
    await host.exit(ch, BOB);
    off();
  });

  it('a restart without persistence: exit answers with idle, not SESSION_INACTIVE forever', async () => {
    const ch = 'restarted';
    await host.boot(ch, ALICE, SCRIPT);
    await node.restart();
    // The store reconnects on its own, each of its connections in its own time: until they all
    // have, any call (a view that reads the channel again included) may fail with STORE.
    await whileReconnecting(() => waitForView(host, ch, (v) => v.game !== null, 5000));
    await whileReconnecting(() => host.exit(ch, ALICE));
    const v = await whileReconnecting(() => host.view(ch));
    assert.equal(v.status, 'idle');
    const again = await whileReconnecting(() => host.boot(ch, ALICE, SCRIPT));
    assert.equal(again.status, 'playing');
  });
});

/** Runs `call` again while it fails with STORE (the store still reconnecting), up to 5 s. */
async function whileReconnecting<T>(call: () => Promise<T>): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await call();
    } catch (err) {
      if ((err as { code?: string }).code !== 'STORE' || i >= 50) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
