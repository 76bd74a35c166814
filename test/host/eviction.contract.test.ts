// Idle channels are let go from memory and come back from the store with everything, on both
// turn drivers (one process on a MemoryStore; two processes on a real redis-server).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ScriptNarrator } from '../helpers/script-narrator.js';
import { contractFixtures, deploy, localDriver } from './_drivers.js';
import { ALICE, BOB, CH, SCRIPT, waitForView } from './_harness.js';

const FIXTURES = contractFixtures();

for (const f of FIXTURES) {
  describe(f.name, () => {
    test('an idle channel is let go, and comes back with its game, scene, players and history', async () => {
      // Shorter than one expire() (local: 10 s of its clock; Redis: 1 s of real time).
      const evictIdleAfterMs = f === localDriver ? 5000 : 600;
      const d = await deploy(f, new ScriptNarrator(), {}, { evictIdleAfterMs });
      try {
        const host = d.hosts[0];
        // Played a turn, then left alone (nobody subscribed).
        const played = await host.boot('idle-played', ALICE, SCRIPT);
        await host.press('idle-played', ALICE, played.turn, 'Left');
        await host.press('idle-played', BOB, played.turn, 'Right');
        await d.expire();
        const scene1 = await waitForView(
          host,
          'idle-played',
          (v) => v.turn === 1 && v.status === 'playing',
          8000,
        );
        // Booted, never pressed; and one that is followed (a subscriber) is kept.
        await host.boot('idle-booted', BOB, SCRIPT);
        const followed = await host.boot('followed', ALICE, SCRIPT);
        const off = host.subscribe('followed', () => {});
        // Waits for a press: an open window keeps its channel.
        const waiting = await host.boot('window-open', ALICE, SCRIPT);
        const inMemory = host.channelsInMemory();

        await d.expire();
        await host.press('window-open', BOB, waiting.turn, 'Wait');
        await d.expire(); // idle long enough; the next call sweeps
        await host.view(CH);
        assert.equal(
          host.channelsInMemory(),
          inMemory - 2,
          'the two idle, unfollowed channels were let go',
        );

        const back = await host.view('idle-played');
        assert.equal(back.status, 'playing');
        assert.equal(back.game?.gameId, scene1.game?.gameId);
        assert.equal(back.scene?.text, scene1.scene?.text);
        assert.equal(back.turn, 1);
        assert.equal(back.reveal?.text, scene1.reveal?.text);
        assert.equal(host.channelsInMemory(), inMemory - 1);
        const history = await host.history('idle-played');
        assert.deepEqual(
          history.map((t) => [...t.choices]),
          [
            [
              ['u-alice', 'Left'],
              ['u-bob', 'Right'],
            ],
          ],
        );
        // The game goes on from where it was: the narrator got its state back.
        await host.press('idle-played', BOB, back.turn, 'Wait');
        await d.expire();
        const scene2 = await waitForView(
          host,
          'idle-played',
          (v) => v.turn === 2 && v.status === 'playing',
          8000,
        );
        assert.match(scene2.scene?.text ?? '', /^Scene 2 after Left\+Right/);
        assert.equal(scene2.reveal?.tally[0]?.names[0], 'Bob', 'players known by name');

        assert.equal((await host.view('idle-booted')).status, 'playing');
        assert.equal((await host.view('followed')).game?.gameId, followed.game?.gameId);
        off();
      } finally {
        await d.stop();
      }
    });
  });
}
