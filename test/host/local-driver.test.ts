// The single-process TurnDriver (LocalTurnDriver) through the TurnDriver port: the leases it
// grants (a retry says so; close() aborts the running ones and forgets the finished ones), what
// it does after close(), its keyed commit, and the wake of a 'host decides' pick.
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { test } from 'node:test';
import {
  type ClosedTurn,
  type HostEvent,
  LocalTurnDriver,
  type TurnLease,
  type TurnLoop,
  type TurnOutcome,
} from '../../src/host/index.js';
import { ALICE, BOB, CH, closeWindow, rig, SCRIPT } from './_harness.js';

const CLOSED: ClosedTurn = { channelId: CH, gameId: 'g1', turn: 0, choices: new Map() };

/** A turn loop that holds each resolution until it is let go, and keeps what it was given. */
class HeldLoop implements TurnLoop {
  readonly leases: TurnLease[] = [];
  readonly delivered: Array<[string, HostEvent, boolean]> = [];
  readonly #release: Array<(outcome: TurnOutcome) => void> = [];
  readonly #fail: Array<(e: Error) => void> = [];

  resolve(_closed: ClosedTurn, lease: TurnLease): Promise<TurnOutcome> {
    this.leases.push(lease);
    return new Promise((resolve, reject) => {
      this.#release.push(resolve);
      this.#fail.push(reject);
    });
  }
  deliver(channelId: string, event: HostEvent, remote: boolean): void {
    this.delivered.push([channelId, event, remote]);
  }
  rollCall(): void {}
  release(i: number): void {
    this.#release[i]?.('committed');
  }
  fail(i: number): void {
    this.#fail[i]?.(new Error('the loop failed'));
  }
}

async function settled(p: Promise<void>): Promise<boolean> {
  let done = false;
  p.then(() => {
    done = true;
  });
  await new Promise((r) => setImmediate(r));
  return done;
}

const EVENT: HostEvent = { type: 'text', channelId: CH, delta: 'x' };

test('a closed window is resolved at once under a lease; a retry says so; the outcome or a failure of the loop settles it', async () => {
  const driver = new LocalTurnDriver();
  assert.equal(driver.sharesChannels, false);
  assert.equal(await driver.ready(), true);
  const loop = new HeldLoop();
  // Before start() there is no loop to resolve with or deliver to: nothing happens.
  await driver.windowClosed(CLOSED);
  driver.publish(CH, { type: 'text', channelId: CH, delta: 'early' });
  await driver.start(loop);
  const first = driver.windowClosed(CLOSED);
  const second = driver.retry({ ...CLOSED, turn: 1 });
  assert.equal(loop.leases.length, 2);
  assert.equal(loop.leases[0]?.retry, false);
  assert.equal(loop.leases[1]?.retry, true);
  assert.equal(await settled(first), false, 'settles with the resolution');
  loop.release(0);
  assert.equal(await settled(first), true);
  loop.fail(1); // the loop reports its own failures; the driver's promise still resolves
  assert.equal(await settled(second), true);

  driver.publish(CH, EVENT);
  assert.deepEqual(loop.delivered, [[CH, EVENT, false]], 'delivered here, as a local event');
  await driver.delivered();
  await driver.close();
});

test('close() aborts the leases still running and no finished one; afterwards nothing is resolved or delivered', async () => {
  const driver = new LocalTurnDriver();
  const loop = new HeldLoop();
  await driver.start(loop);
  const done = driver.windowClosed(CLOSED);
  const failed = driver.windowClosed({ ...CLOSED, turn: 1 });
  const running = driver.retry({ ...CLOSED, turn: 2 });
  loop.release(0);
  loop.fail(1);
  await done;
  await failed;
  const [doneLease, failedLease, runningLease] = loop.leases as [TurnLease, TurnLease, TurnLease];
  await driver.close();
  assert.equal(runningLease.signal.aborted, true);
  assert.equal((runningLease.signal.reason as Error).message, 'the game host is closing');
  assert.equal(doneLease.signal.aborted, false, 'a finished lease is not kept');
  assert.equal(failedLease.signal.aborted, false, 'nor one whose loop failed');
  loop.release(2);
  await running;

  await driver.windowClosed(CLOSED);
  await driver.retry(CLOSED);
  assert.equal(loop.leases.length, 3, 'a closed driver resolves nothing');
  driver.publish(CH, EVENT);
  assert.deepEqual(loop.delivered, [], 'nor delivers anything');
});

test("a 'host decides' pick wakes the resolver waiting for that game and turn; an abort rejects it", async () => {
  const driver = new LocalTurnDriver();
  const c = new AbortController();
  const waiting = driver.awaitDecision('g1', 4, c.signal);
  const other = driver.awaitDecision('g1', 5, c.signal);
  driver.decided('g1', 4);
  await waiting;
  c.abort(new Error('the lease was lost'));
  await assert.rejects(other, /the lease was lost/);
  assert.equal(getEventListeners(c.signal, 'abort').length, 0);
});

test('a turn committed twice under its lease is recorded once (the commit is keyed by the window)', async () => {
  // LocalTurnDriver under a loop whose every commit is sent twice, as a retried store call would.
  class CommitsTwice extends LocalTurnDriver {
    override start(loop: TurnLoop): Promise<void> {
      return super.start({
        resolve: (closed, lease) =>
          loop.resolve(closed, {
            signal: lease.signal,
            retry: lease.retry,
            commit: async (session, choices, summary, scene) => {
              const once = await lease.commit(session, choices, summary, scene);
              const again = await lease.commit(session, choices, summary, scene);
              assert.deepEqual(again.toDict(), once.toDict());
              return again;
            },
          }),
        deliver: (channelId, event, remote) => loop.deliver(channelId, event, remote),
        rollCall: (channelId) => loop.rollCall(channelId),
      });
    }
  }
  const r = rig({ host: { driver: new CommitsTwice() } });
  await r.host.boot(CH, ALICE, SCRIPT);
  await r.host.press(CH, ALICE, 0, 'Left');
  await r.host.press(CH, BOB, 0, 'Right');
  const v = await closeWindow(r);
  assert.equal(v.status, 'playing');
  assert.equal(v.turn, 1);
  const history = await r.host.history(CH);
  assert.equal(history.length, 1);
  assert.equal(history[0]?.turn, 1);
  await r.host.close();
});
