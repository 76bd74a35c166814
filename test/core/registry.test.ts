import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  CountdownCancelledError,
  defaultRegistry,
  GameSession,
  getSession,
  InvalidInputError,
  ManualClock,
  removeSession,
  SessionRegistry,
  setSession,
} from '../../src/index.js';

test('the seed registry functions delegate to the default registry', () => {
  const s = new GameSession('reg-chan');
  assert.equal(getSession('reg-chan'), undefined);
  setSession('reg-chan', s);
  assert.equal(getSession('reg-chan'), s);
  assert.equal(defaultRegistry.get('reg-chan'), s);
  assert.equal(removeSession('reg-chan'), s);
  assert.equal(removeSession('reg-chan'), undefined);
  assert.equal(getSession('reg-chan'), undefined);
});

test('a registry refuses a session of another channel; registries are independent', () => {
  const a = new SessionRegistry();
  const b = new SessionRegistry();
  const s = new GameSession('one');
  assert.throws(() => a.set('two', s), InvalidInputError);
  assert.throws(() => a.set('', s), InvalidInputError);
  a.set('one', s);
  assert.equal(b.get('one'), undefined);
  assert.deepEqual(a.channels(), ['one']);
  assert.equal(a.size, 1);
  assert.equal(a.has('one'), true);
});

test('clear disposes the sessions timers', async () => {
  const clock = new ManualClock();
  const r = new SessionRegistry();
  const s = new GameSession('c', '', 'g', { clock });
  await s.boot('G');
  r.set('c', s);
  await s.submitChoice('u', 'U', 'x');
  const w = s.waitForCountdown();
  r.clear();
  await assert.rejects(w, CountdownCancelledError);
  assert.equal(clock.pendingTimers, 0);
  assert.equal(r.size, 0);
});
