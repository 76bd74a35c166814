// Faults of the store under a running host, as `gamegirl serve` runs it in Redis mode (a real
// redis-server, RedisStore + RedisTurnDriver): Redis stalled (SIGSTOP) past the command timeout,
// and Redis down past a window's deadline. What the players are told, and that no press is lost.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { GameHost } from '../../src/host/game-host.js';
import { STORE_UNREACHABLE_NOTICE } from '../../src/host/store-faults.js';
import type { ChannelView, HostEvent } from '../../src/host/types.js';
import { RedisStore } from '../../src/redis/store.js';
import { RedisTurnDriver } from '../../src/redis/turn-driver.js';
import { type RedisNode, startRedis, stopAllRedis } from '../helpers/redis-server.js';
import { ScriptNarrator } from '../helpers/script-narrator.js';
import { ALICE, BOB, SCRIPT } from '../host/_harness.js';

/** Resolves with the first event pushed to `seen` (from now on) that satisfies `pred`. */
function pushed(
  host: GameHost,
  channelId: string,
  pred: (e: HostEvent) => boolean,
  timeoutMs: number,
): Promise<HostEvent> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error('timed out waiting for an event'));
    }, timeoutMs);
    const off = host.subscribe(channelId, (e) => {
      if (!pred(e)) return;
      clearTimeout(timer);
      off();
      resolve(e);
    });
  });
}

const isView = (e: HostEvent, p: (v: ChannelView) => boolean): boolean =>
  e.type === 'view' && p(e.view);

describe('store faults under a Redis-mode host', { timeout: 90_000 }, () => {
  let node: RedisNode;
  let store: RedisStore;
  let host: GameHost;
  let n = 0;

  before(async () => {
    // Append-only file: a stopped and restarted Redis keeps the game and its presses.
    node = await startRedis({ aof: true });
    const ns = `faults${process.pid}`;
    store = await RedisStore.connect(node.url, { prefix: ns, commandTimeoutMs: 1000 });
    host = new GameHost({
      store,
      narrators: () => new ScriptNarrator(),
      countdownSeconds: 2,
      driver: new RedisTurnDriver({
        store,
        connection: node.url,
        eventChannel: `${ns}:events`,
        queueName: `${ns}-q`,
        leaseMs: 1000,
        sweepIntervalMs: 200,
      }),
    });
    await host.start();
  });
  after(async () => {
    node.signal('SIGCONT');
    await host.close();
    await store.close();
    await stopAllRedis([node]);
  });

  it('a press stalled past the timeout: "may have been recorded", then every player is shown it and the turn plays it', async () => {
    const ch = `stall-${++n}`;
    const views: ChannelView[] = [];
    host.subscribe(ch, (e) => {
      if (e.type === 'view') views.push(e.view);
    });
    const booted = await host.boot(ch, ALICE, SCRIPT);
    const choice = booted.scene?.choices[1] as string;

    node.signal('SIGSTOP');
    let resumed = false;
    try {
      await assert.rejects(host.press(ch, ALICE, booted.turn, choice), (e: Error) => {
        assert.equal((e as { code?: string }).code, 'STORE_UNCERTAIN');
        assert.match(e.message, /may have been recorded/);
        return true;
      });
      // Redis runs the press when it resumes; nobody presses again, yet every subscriber is
      // shown the open window with Alice's choice in it.
      const counting = pushed(
        host,
        ch,
        (e) =>
          isView(
            e,
            (v) =>
              v.status === 'counting' && v.window?.chosen.some((c) => c.choice === choice) === true,
          ),
        15_000,
      );
      node.signal('SIGCONT');
      resumed = true;
      await counting;
    } finally {
      if (!resumed) node.signal('SIGCONT');
    }

    // The turn closes with the press that was "maybe" recorded.
    const turn = (await pushed(host, ch, (e) => e.type === 'turn', 15_000)) as Extract<
      HostEvent,
      { type: 'turn' }
    >;
    assert.deepEqual([...turn.record.choices.values()], [choice]);
    // Never "playing" (no countdown) while the store holds a press of the turn: after the boot's
    // view, the next one shown was the open window.
    assert.equal(views[0]?.status, 'playing');
    assert.equal(views[1]?.status, 'counting');
  });

  it('an exit stalled past the timeout: "may have been recorded", then every player sees it applied', async () => {
    const ch = `stall-${++n}`;
    await host.boot(ch, ALICE, SCRIPT);
    node.signal('SIGSTOP');
    let resumed = false;
    try {
      await assert.rejects(host.exit(ch, ALICE), (e: Error) => {
        assert.equal((e as { code?: string }).code, 'STORE_UNCERTAIN');
        assert.match(e.message, /the exit may have been recorded/);
        return true;
      });
      const idle = pushed(host, ch, (e) => isView(e, (v) => v.status === 'idle'), 15_000);
      node.signal('SIGCONT');
      resumed = true;
      await idle;
    } finally {
      if (!resumed) node.signal('SIGCONT');
    }
    assert.equal((await host.view(ch)).status, 'idle');
    assert.equal((await store.loadChannel(ch))?.active ?? false, false);
  });

  it('Redis down past the deadline: the players are told, the notice clears, the turn closes with every press', async () => {
    const ch = `down-${++n}`;
    const booted = await host.boot(ch, ALICE, SCRIPT);
    const [a, b] = (booted.scene?.choices ?? []) as [string, string];
    await host.press(ch, ALICE, booted.turn, a);
    await host.press(ch, BOB, booted.turn, b);

    const told = pushed(
      host,
      ch,
      (e) => isView(e, (v) => v.status === 'counting' && v.notice === STORE_UNREACHABLE_NOTICE),
      20_000,
    );
    await node.stop();
    try {
      const notice = (await told) as { view: ChannelView };
      assert.equal(notice.view.window?.secondsRemaining, 0);
    } finally {
      await node.start();
    }
    const turn = (await pushed(host, ch, (e) => e.type === 'turn', 20_000)) as Extract<
      HostEvent,
      { type: 'turn' }
    >;
    assert.deepEqual(
      [...turn.record.choices].sort(),
      [
        [ALICE.id, a],
        [BOB.id, b],
      ].sort(),
    );
    const next = await host.view(ch);
    assert.equal(next.notice, null);
    assert.equal(next.turn, booted.turn + 1);
  });
});
