import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GameSession, ManualClock, MemoryStore } from '../../src/index.js';

test('a session sharing a store learns the names of players another session registered', async () => {
  const clock = new ManualClock();
  const store = new MemoryStore();
  const a = new GameSession('ch', 'Shared', undefined, { clock, store });
  await a.boot('Shared');
  const b = await GameSession.loadFromStore('ch', store, { clock });
  assert.ok(b !== null);
  await a.submitChoice('u-alice', 'Alice', 'Left');
  await b.submitChoice('u-bob', 'Bob', 'Right');
  // b knew nothing of Alice before its press; the press told it her choice, and her name.
  assert.deepEqual(
    [...b.pendingChoices],
    [
      ['u-alice', 'Left'],
      ['u-bob', 'Right'],
    ],
  );
  assert.equal(b.players.get('u-alice')?.userName, 'Alice');
  a.dispose();
  b.dispose();
});
