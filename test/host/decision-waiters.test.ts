// The wait for a 'host decides' pick that both turn drivers share (DecisionWaiters): who is woken,
// what an abort does, the Redis driver's periodic re-check, and that a waiter leaves nothing
// behind once it is done (a timer that would keep the process alive, a listener on the lease's
// signal, which lives as long as the turn, or a key in the map).
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { test } from 'node:test';
import { DecisionWaiters } from '../../src/host/decision-waiters.js';

/** Settles with what `p` did, or 'pending' if it has not settled after the queued callbacks. */
async function state(p: Promise<void>): Promise<string> {
  let out = 'pending';
  p.then(
    () => {
      out = 'resolved';
    },
    (e: unknown) => {
      out = `rejected: ${(e as Error).message}`;
    },
  );
  await new Promise((r) => setImmediate(r));
  return out;
}

/** Timers keeping this process alive (node counts each pending setTimeout). */
const timers = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

test('a pick wakes every resolver waiting for that game and turn, and no other', async () => {
  const w = new DecisionWaiters();
  const signal = new AbortController().signal;
  const a1 = w.wait('g1', 3, signal);
  const a2 = w.wait('g1', 3, signal);
  const otherTurn = w.wait('g1', 4, signal);
  const otherGame = w.wait('g2', 3, signal);
  assert.equal(w.size, 3);
  w.wake('g1', 3);
  assert.equal(await state(a1), 'resolved');
  assert.equal(await state(a2), 'resolved');
  assert.equal(await state(otherTurn), 'pending');
  assert.equal(await state(otherGame), 'pending');
  assert.equal(w.size, 2, "the woken key's set is dropped");
  assert.equal(getEventListeners(signal, 'abort').length, 2, 'only the two still waiting listen');

  // A pick nobody waits for (any more) is a no-op.
  w.wake('g1', 3);
  w.wake('g3', 0);
  w.wake('g1', 4);
  w.wake('g2', 3);
  assert.equal(await state(otherTurn), 'resolved');
  assert.equal(await state(otherGame), 'resolved');
  assert.equal(w.size, 0);
  assert.equal(getEventListeners(signal, 'abort').length, 0);
});

test('an abort rejects its waiter with the reason and leaves the others of the same pick waiting', async () => {
  const w = new DecisionWaiters();
  const lost = new AbortController();
  const held = new AbortController();
  const gone = w.wait('g1', 0, lost.signal);
  const kept = w.wait('g1', 0, held.signal);
  lost.abort(new Error('the lease was lost'));
  assert.equal(await state(gone), 'rejected: the lease was lost');
  assert.equal(getEventListeners(lost.signal, 'abort').length, 0);
  assert.equal(w.size, 1, 'the other waiter keeps the key');
  w.wake('g1', 0);
  assert.equal(await state(kept), 'resolved');
  assert.equal(w.size, 0);
  assert.equal(getEventListeners(held.signal, 'abort').length, 0);

  // A woken waiter ignores a later abort of its signal.
  const c = new AbortController();
  const woken = w.wait('g1', 1, c.signal);
  w.wake('g1', 1);
  c.abort(new Error('too late'));
  assert.equal(await state(woken), 'resolved');
});

test('a signal aborted before the wait rejects at once: no later pick resolves it', async () => {
  const w = new DecisionWaiters();
  const c = new AbortController();
  c.abort(new Error('the lease was lost before the wait'));
  const p = w.wait('g1', 0, c.signal, 60_000);
  w.wake('g1', 0);
  assert.equal(await state(p), 'rejected: the lease was lost before the wait');
  assert.equal(w.size, 0, 'nothing was registered');
});

test('with recheckMs the wait ends by itself (the caller re-reads the store); its timer is cleared by a pick or an abort', async () => {
  const w = new DecisionWaiters();
  const signal = new AbortController().signal;
  const before = timers();
  const rechecked = w.wait('g1', 0, signal, 1);
  assert.equal(timers(), before + 1);
  await rechecked; // no pick: the timer ends the wait
  assert.equal(w.size, 0);
  assert.equal(getEventListeners(signal, 'abort').length, 0);

  const untimed = w.wait('g1', 1, signal);
  assert.equal(timers(), before, 'no recheckMs, no timer');
  const woken = w.wait('g1', 2, signal, 60_000);
  assert.equal(timers(), before + 1);
  w.wake('g1', 2);
  assert.equal(timers(), before, "a pick clears the waiter's timer");
  assert.equal(await state(woken), 'resolved');

  const c = new AbortController();
  const aborted = w.wait('g1', 3, c.signal, 60_000);
  assert.equal(timers(), before + 1);
  c.abort(new Error('closing'));
  assert.equal(timers(), before, "an abort clears the waiter's timer");
  assert.equal(await state(aborted), 'rejected: closing');
  w.wake('g1', 1);
  await untimed;
});
