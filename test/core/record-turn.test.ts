import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GameSession, ManualClock, windowCommitKey } from '../../src/index.js';

async function booted(): Promise<GameSession> {
  const s = new GameSession('chan-rt', '', 'game-rt', {
    clock: new ManualClock(1_700_000_000_000),
    titleScreen: () => 'https://example.test/title.png',
  });
  await s.boot('Record Quest');
  return s;
}

test('memory: every recordTurn is kept; 15 calls give the last 10 oldest first, as returned', async () => {
  const s = await booted();
  const returned = [];
  for (let i = 1; i <= 15; i++) returned.push(await s.recordTurn({ u1: `c${i}` }, `s${i}`));
  const h = await s.getTurnHistory(undefined, 10);
  assert.deepEqual(
    h.map((r) => r.narrativeSummary),
    Array.from({ length: 10 }, (_, i) => `s${i + 6}`),
  );
  assert.deepEqual(h, returned.slice(5));
});

test('memory: a key repeats its record while it is kept, and is forgotten once it is dropped', async () => {
  const s = await booted();
  const key = windowCommitKey(0);
  const first = await s.recordTurn({ u1: 'a' }, 'first', undefined, { key });
  assert.equal(await s.recordTurn({ u1: 'b' }, 'again', undefined, { key }), first);
  for (let i = 0; i < 999; i++) await s.recordTurn({ u1: 'x' }, `filler ${i}`);
  // 1000 kept: `first` is the oldest and still answers for its key.
  assert.equal(await s.recordTurn({ u1: 'b' }, 'again', undefined, { key }), first);
  await s.recordTurn({ u1: 'x' }, 'pushes first out');
  const stored = await s.recordTurn({ u1: 'b' }, 'stored anew', undefined, { key });
  assert.equal(stored.narrativeSummary, 'stored anew');
  const h = await s.getTurnHistory(undefined, 1000);
  assert.equal(h.length, 1000);
  assert.equal(h[999]?.narrativeSummary, 'stored anew');
  assert.equal(h[0]?.narrativeSummary, 'filler 1');
});
