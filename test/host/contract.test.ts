// The host contract suite: one set of scenarios, run against every TurnDriver (the way
// test/store/contract.ts runs against every store). With the Redis driver the two hosts are two
// processes' worth of connections on a real redis-server, and the subscribers of both must see
// the same events in the same order.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PermissionError } from '../../src/host/game-host.js';
import { NarratorError } from '../../src/narrator/port.js';
import { ScriptNarrator } from '../helpers/script-narrator.js';
import { both, contractFixtures, deploy, press, sameEvents } from './_drivers.js';
import { ALICE, BOB, CAROL, CH, SCRIPT } from './_harness.js';

const FIXTURES = contractFixtures();

for (const f of FIXTURES) {
  describe(f.name, () => {
    test('boot, presses through both hosts, a changed mind, a streamed scene, the turn', async () => {
      const narrator = new ScriptNarrator();
      const d = await deploy(f, narrator);
      try {
        await d.hosts[0].boot(CH, ALICE, SCRIPT, { title: 'Shared' });
        await both(d, (v) => v.status === 'playing');
        await press(d, 0, ALICE, 'Left');
        await press(d, 1, BOB, 'Right');
        await press(d, 1, BOB, 'Wait'); // changed their mind: counted once, with the new choice
        const [v0] = await both(
          d,
          (v) => v.window?.chosen.map((c) => c.choice).join() === 'Left,Wait',
        );
        assert.deepEqual(
          v0?.window?.chosen.map((c) => c.userName),
          ['Alice', 'Bob'],
        );
        const next = await d.closeWindow();
        assert.equal(next.scene?.text, 'Scene 1 after Left+Wait');
        await both(d, (v) => v.status === 'playing' && v.turn === 1);
        for (const h of d.hosts) {
          const history = await h.history(CH);
          assert.equal(history.length, 1);
          assert.deepEqual(
            [...(history[0]?.choices ?? [])],
            [
              ['u-alice', 'Left'],
              ['u-bob', 'Wait'],
            ],
          );
        }
        assert.equal(narrator.turns.length, 1, 'one narration');
        // The narrator knows who booted (ink's `# booter` choices and `gg_booter`).
        assert.equal(narrator.opens[0]?.bootedBy, 'u-alice');
        assert.equal(narrator.turns[0]?.bootedBy, 'u-alice');
        await sameEvents(d);
        assert.ok(d.seen[1].text.includes('Scene 1 after Left+Wait'), 'the scene was streamed');
        assert.equal(d.seen[1].events.filter((e) => e.startsWith('turn:1:')).length, 1);
      } finally {
        await d.stop();
      }
    });

    test('early close once every active player has chosen', async () => {
      const narrator = new ScriptNarrator();
      const d = await deploy(f, narrator, { closeWhenAllChosen: true });
      try {
        await d.hosts[0].boot(CH, ALICE, SCRIPT);
        await both(d, (v) => v.status === 'playing');
        await press(d, 0, ALICE, 'Left');
        await press(d, 1, BOB, 'Right');
        await d.closeWindow(); // a new game never closes early: the first press cannot cut others out
        await both(d, (v) => v.status === 'playing' && v.turn === 1);
        await press(d, 0, ALICE, 'Wait');
        const [open] = await both(d, (v) => v.status === 'counting');
        await press(d, 1, BOB, 'Wait');
        await both(d, (v) => v.status === 'playing' && v.turn === 2);
        const [, second] = await d.hosts[1].history(CH);
        assert.ok(second !== undefined && open?.window !== null && open?.window !== undefined);
        assert.ok(second.timestamp * 1000 < open.window.deadlineMs, 'closed before its deadline');
        await sameEvents(d);
      } finally {
        await d.stop();
      }
    });

    test("'plurality': the most chosen option goes to the narrator", async () => {
      const narrator = new ScriptNarrator();
      const d = await deploy(f, narrator, { aggregation: 'plurality' });
      try {
        await d.hosts[0].boot(CH, ALICE, SCRIPT);
        await both(d, (v) => v.status === 'playing');
        await press(d, 0, ALICE, 'Right');
        await press(d, 1, BOB, 'Left');
        await press(d, 1, CAROL, 'Left');
        await both(d, (v) => v.window?.chosen.length === 3);
        await d.closeWindow();
        assert.equal(narrator.turns[0]?.decidedChoice, 'Left');
        await both(d, (v) => v.status === 'playing' && v.turn === 1);
        await sameEvents(d);
      } finally {
        await d.stop();
      }
    });

    test("'host decides': shown on both hosts, picked through the other one", async () => {
      const narrator = new ScriptNarrator();
      const d = await deploy(f, narrator, { aggregation: 'host' });
      try {
        await d.hosts[0].boot(CH, ALICE, SCRIPT);
        await both(d, (v) => v.status === 'playing');
        await press(d, 0, ALICE, 'Left');
        await press(d, 1, BOB, 'Right');
        await both(d, (v) => v.window?.chosen.length === 2);
        await d.expire();
        const [shown] = await both(d, (v) => v.decision != null);
        assert.deepEqual(shown?.decision, { userId: 'u-alice', options: ['Left', 'Right'] });
        await assert.rejects(d.hosts[1].decide(CH, BOB, 'Right'), PermissionError);
        await d.hosts[1].decide(CH, ALICE, 'Right', { turn: shown?.turn ?? -1 });
        const [after] = await both(d, (v) => v.status === 'playing' && v.turn === 1);
        assert.equal(after?.decision, null);
        assert.equal(narrator.turns.length, 1);
        assert.equal(narrator.turns[0]?.decidedChoice, 'Right');
        await sameEvents(d);
      } finally {
        await d.stop();
      }
    });

    test('a narrator failure shows on both hosts; the other host retries; no press lost', async () => {
      const narrator = new ScriptNarrator();
      const d = await deploy(f, narrator);
      try {
        await d.hosts[0].boot(CH, ALICE, SCRIPT);
        await both(d, (v) => v.status === 'playing');
        narrator.failNext(new NarratorError('http', 'the service returned 503'));
        await press(d, 0, ALICE, 'Wait');
        await d.expire();
        const [f0, f1] = await both(d, (v) => v.status === 'failed');
        assert.equal(f0?.error, f1?.error);
        assert.match(f0?.error ?? '', /returned an error/);
        await new Promise((r) => setTimeout(r, 300));
        assert.equal(narrator.turns.length, 1, 'a failed turn waits for a retry');
        const retried = await d.hosts[1].retry(CH, BOB);
        assert.equal(retried.status, 'playing');
        assert.equal(retried.scene?.text, 'Scene 1 after Wait');
        await both(d, (v) => v.status === 'playing' && v.turn === 1);
        assert.equal(narrator.turns.length, 2);
        await sameEvents(d);
      } finally {
        await d.stop();
      }
    });

    test('exit on one host, boot another game, hot-swap the first back: it resumes exactly', async () => {
      const narrator = new ScriptNarrator();
      const d = await deploy(f, narrator);
      try {
        const first = await d.hosts[0].boot(CH, ALICE, SCRIPT, { title: 'First' });
        const firstId = first.game?.gameId ?? '';
        await both(d, (v) => v.status === 'playing');
        await press(d, 0, ALICE, 'Left');
        await both(d, (v) => v.status === 'counting');
        const exited = await d.hosts[1].exit(CH, ALICE);
        assert.equal(exited.status, 'idle');
        await both(d, (v) => v.status === 'idle');
        await d.hosts[1].boot(CH, BOB, SCRIPT, { title: 'Second' });
        await both(d, (v) => v.game?.gameName === 'Second');
        await assert.rejects(d.hosts[0].load(CH, ALICE, firstId), PermissionError);
        const swapped = await d.hosts[1].load(CH, BOB, firstId);
        assert.equal(swapped.game?.gameId, firstId);
        const [r0] = await both(d, (v) => v.game?.gameId === firstId);
        assert.equal(r0?.scene?.text, 'Scene 0 after nothing');
        const games = await d.hosts[0].listGames();
        assert.deepEqual(games.map((g) => g.gameName).sort(), ['First', 'Second']);
        await sameEvents(d);
      } finally {
        await d.stop();
      }
    });

    test('a restart in the middle of a window: the countdown survives, the turn happens once', async () => {
      const narrator = new ScriptNarrator();
      const d = await deploy(f, narrator);
      try {
        await d.hosts[0].boot(CH, ALICE, SCRIPT);
        await both(d, (v) => v.status === 'playing');
        await press(d, 0, ALICE, 'Right');
        await both(d, (v) => v.status === 'counting');
        await d.restart(0);
        if (d.hosts[0] !== d.hosts[1]) await d.restart(1);
        const resumed = await d.hosts[1].view(CH);
        assert.ok(resumed.status === 'counting' || resumed.turn === 1);
        await d.expire(); // Redis: the turn may be over already, resolved by a restarted worker
        const [next] = await both(d, (v) => v.status === 'playing' && v.turn === 1);
        assert.equal(next?.scene?.text, 'Scene 1 after Right');
        assert.equal(narrator.turns.length, 1);
        assert.equal((await d.hosts[1].history(CH)).length, 1);
      } finally {
        await d.stop();
      }
    });
  });
}
