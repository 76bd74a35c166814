/**
 * The countdown window's edges through a session and a store that fails or lags on purpose:
 * retried closes, refused closes, clock skew, and answers that arrive after the window ended.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  CountdownCancelledError,
  GameSession,
  GameSessionError,
  ManualClock,
  SessionInactiveError,
  StoreClosedError,
  StoreError,
} from '../../src/index.js';
import { FlakyStore, settle, state } from '../helpers/flaky-store.js';

const booted = async () => {
  const clock = new ManualClock();
  const store = new FlakyStore();
  const s = new GameSession('chan-w', '', 'game-w', { clock, store });
  await s.boot('Windows');
  await s.submitChoice('u1', 'Ann', 'north');
  return { s, clock, store, wait: s.waitForCountdown() };
};

describe('countdown window edges', () => {
  test('a close that meets an unreachable store is tried again 1 s later, until it works', async () => {
    const { s, clock, store, wait } = await booted();
    store.closeFailures.push(new StoreError('connection reset'), new StoreError('still down'));
    clock.advance(10_000);
    await settle();
    assert.equal(store.closeCalls, 1);
    assert.equal(clock.pendingTimers, 1, 'a retry is scheduled');
    clock.advance(999);
    await settle();
    assert.equal(store.closeCalls, 1, 'not before 1 s');
    clock.advance(1);
    await settle();
    assert.equal(store.closeCalls, 2);
    assert.equal(await state(wait), 'pending');
    clock.advance(1000);
    assert.deepEqual([...(await wait)], [['u1', 'north']]);
    assert.equal(store.closeCalls, 3);
    assert.equal(s.turnNumber, 1);
    assert.equal(clock.pendingTimers, 0);
    assert.equal((await store.loadGame('game-w'))?.turn_number, 1);
  });

  test('a closed store is not retried: every waiter gets its error at once', async () => {
    const { clock, store, wait } = await booted();
    store.closeFailures.push(new StoreClosedError());
    clock.advance(10_000);
    await assert.rejects(wait, StoreClosedError);
    assert.equal(clock.pendingTimers, 0);
    assert.equal(store.closeCalls, 1);
  });

  test('a rule refusal is not retried; a thrown non-Error becomes a GameSessionError', async () => {
    const a = await booted();
    a.store.closeFailures.push(new SessionInactiveError('moved'));
    a.clock.advance(10_000);
    await assert.rejects(
      a.wait,
      (e: unknown) => e instanceof SessionInactiveError && e.message === 'moved',
    );
    assert.equal(a.clock.pendingTimers, 0);

    const b = await booted();
    b.store.closeFailures.push('socket hang up');
    b.clock.advance(10_000);
    await assert.rejects(b.wait, (e: unknown) => {
      assert.ok(e instanceof GameSessionError);
      assert.equal(e.code, 'UNKNOWN');
      assert.equal(e.message, 'socket hang up');
      return true;
    });
    assert.equal(b.clock.pendingTimers, 0);
  });

  test('an unreachable store is not retried for a session that is no longer active', async () => {
    const clock = new ManualClock();
    const store = new FlakyStore();
    const live = new GameSession('chan-i', '', 'game-i', { clock, store });
    await live.boot('Inactive');
    await live.submitChoice('u1', 'Ann', 'a');
    // A copy of the game as an inactive session that still knows of the open window.
    const copy = GameSession.fromDict({ ...live.toDict(), active: false }, { clock, store });
    const wait = copy.waitForCountdown();
    live.dispose();
    store.closeFailures.push(new StoreError('down'));
    clock.advance(10_000);
    await assert.rejects(wait, StoreError);
    assert.equal(clock.pendingTimers, 0);
  });

  test('a store whose clock lags answers "still open": the window waits for it, then closes', async () => {
    const { s, clock, store, wait } = await booted();
    store.closeLagMs = 400;
    clock.advance(10_000);
    await settle();
    assert.equal(store.closeCalls, 1);
    assert.equal(await state(wait), 'pending');
    assert.equal(s.turnNumber, 0);
    assert.equal(clock.pendingTimers, 1, 're-armed for the time the store says is left');
    clock.advance(399);
    await settle();
    assert.equal(store.closeCalls, 1);
    clock.advance(1);
    assert.deepEqual([...(await wait)], [['u1', 'north']]);
    assert.equal(store.closeCalls, 2);
    assert.equal(s.turnNumber, 1);
  });

  test('an answer that arrives after the window was cancelled changes nothing', async () => {
    for (const answer of ['open', 'closed', 'error'] as const) {
      for (const then of ['dispose', 'exit and boot again'] as const) {
        const label = `${answer}, ${then}`;
        const { s, clock, store, wait } = await booted();
        let release = () => {};
        store.closeAnswerGate = new Promise<void>((r) => {
          release = r;
        });
        if (answer === 'open') store.closeLagMs = 400;
        if (answer === 'error') store.lateCloseFailure = new StoreError('late');
        clock.advance(10_000);
        await settle();
        assert.equal(store.closeCalls, 1, label);
        if (then === 'dispose') s.dispose();
        else {
          // The session runs again (active), but that window belongs to the game it left.
          await s.exitGame();
          await s.boot('Windows again');
        }
        await assert.rejects(wait, CountdownCancelledError);
        release();
        await settle();
        assert.equal(clock.pendingTimers, 0, `${label}: nothing re-armed`);
        assert.equal(s.turnNumber, 0, `${label}: the session did not advance`);
        clock.advance(60_000);
        await settle();
        assert.equal(store.closeCalls, 1, `${label}: no close was tried again`);
      }
    }
  });

  test('closing early clears the timer; a settled window closes no more', async () => {
    const { s, clock, store, wait } = await booted();
    assert.deepEqual([...(await s.closeCountdownEarly())], [['u1', 'north']]);
    assert.equal(clock.pendingTimers, 0);
    assert.equal(store.closeCalls, 1);
    assert.deepEqual([...(await wait)], [['u1', 'north']]);
    clock.advance(60_000);
    await settle();
    assert.equal(store.closeCalls, 1);
    s.dispose();
    assert.deepEqual([...(await wait)], [['u1', 'north']], 'a settled window stays settled');
  });

  test('closes asked for while one is on its way to the store wait for it: one store call', async () => {
    const { s, store, wait } = await booted();
    let release = () => {};
    store.closeAnswerGate = new Promise<void>((r) => {
      release = r;
    });
    const first = s.closeCountdownEarly();
    const second = s.closeCountdownEarly();
    await settle();
    assert.equal(store.closeCalls, 1);
    assert.equal(await state(second), 'pending');
    release();
    assert.deepEqual([...(await first)], [['u1', 'north']]);
    assert.deepEqual([...(await second)], [['u1', 'north']]);
    assert.deepEqual([...(await wait)], [['u1', 'north']]);
    assert.equal(store.closeCalls, 1);
    assert.equal(s.turnNumber, 1);
  });

  test('an early close does not wait for a close at the deadline the store may answer "open"', async () => {
    const { s, clock, store, wait } = await booted();
    let release = () => {};
    store.closeAnswerGate = new Promise<void>((r) => {
      release = r;
    });
    store.closeLagMs = 400; // the store's clock is behind: the deadline's close finds it open
    clock.advance(10_000);
    await settle();
    assert.equal(store.closeCalls, 1);
    const early = s.closeCountdownEarly();
    await settle();
    assert.equal(store.closeCalls, 2, 'the early close went to the store at once');
    release();
    assert.deepEqual([...(await early)], [['u1', 'north']]);
    assert.deepEqual([...(await wait)], [['u1', 'north']]);
    assert.equal(s.turnNumber, 1);
    assert.equal(clock.pendingTimers, 0, 'the answer "open" to the first re-armed nothing');
    // Once a close has come back, the next one asks the store again (nothing kept in flight).
    await assert.rejects(s.closeCountdownEarly());
  });

  test('memory only: a cancelled window nobody waits on rejects quietly, and its timer is gone', async () => {
    const clock = new ManualClock();
    const s = new GameSession('chan-m', '', 'game-m', { clock });
    await s.boot('Quiet');
    await s.submitChoice('u1', 'Ann', 'a');
    assert.equal(clock.pendingTimers, 1);
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    try {
      s.dispose();
      assert.equal(clock.pendingTimers, 0);
      await settle();
      await settle();
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    assert.deepEqual(unhandled, []);
    await assert.rejects(s.countdownTask as Promise<unknown>, CountdownCancelledError);
  });
});
