// Host contract scenarios for the players' side (issue 12): the reveal of a closed window, names
// in the story after a restart, the window's length and who it waits for. Run against both
// TurnDrivers, like contract.test.ts: every process' players must see the same.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type RedisNode, startRedis, stopAllRedis } from '../helpers/redis-server.js';
import { ScriptNarrator } from '../helpers/script-narrator.js';
import {
  both,
  type DriverFixture,
  deploy,
  localDriver,
  press,
  redisDriver,
  sameEvents,
} from './_drivers.js';
import { ALICE, BOB, CAROL, CH, SCRIPT } from './_harness.js';

let node: RedisNode | null = null;
before(async () => {
  node = await startRedis();
});
after(async () => {
  if (node !== null) await stopAllRedis([node]);
});

const FIXTURES: DriverFixture[] = [localDriver, redisDriver(() => node as RedisNode)];

for (const f of FIXTURES) {
  describe(`${f.name}: players`, () => {
    test('the reveal of a tie is shown while narrating, on the next scene, in the story after a restart', async () => {
      const narrator = new ScriptNarrator();
      const d = await deploy(f, narrator, { aggregation: 'plurality' });
      try {
        await d.hosts[0].boot(CH, ALICE, SCRIPT);
        await both(d, (v) => v.status === 'playing' && v.reveal === null);
        await press(d, 0, ALICE, 'Right');
        await press(d, 1, BOB, 'Left');
        const [counting] = await both(d, (v) => v.window?.chosen.length === 2);
        assert.ok(counting?.window);
        // Every console can draw the countdown to scale, whenever it joined.
        assert.equal(counting.window.lengthMs, (await d.hosts[1].view(CH)).window?.lengthMs);
        assert.ok(counting.window.lengthMs >= counting.window.secondsRemaining * 1000);
        const release = narrator.hold();
        await d.expire();
        const [narrating] = await both(d, (v) => v.status === 'narrating' && v.reveal != null);
        release();
        const expected = {
          turn: 0,
          rule: 'plurality',
          tally: [
            { choice: 'Right', count: 1, names: ['Alice'] },
            { choice: 'Left', count: 1, names: ['Bob'] },
          ],
          sent: ['Right'],
          text: 'A tie (“Right” 1, “Left” 1): the earliest press, “Right”, went to the narrator.',
        };
        assert.deepEqual(narrating?.reveal, expected);
        const [next] = await both(d, (v) => v.status === 'playing' && v.turn === 1);
        assert.deepEqual(next?.reveal, expected, 'the scene keeps the reveal that led to it');
        assert.equal(narrator.turns[0]?.decidedChoice, 'Right');
        await sameEvents(d);
        for (const seen of d.seen) {
          assert.deepEqual(seen.stories[0]?.choices, [
            { userId: 'u-alice', userName: 'Alice', choice: 'Right' },
            { userId: 'u-bob', userName: 'Bob', choice: 'Left' },
          ]);
          assert.deepEqual(seen.stories[0]?.reveal, expected);
        }
        // The outcome is stored with the game: a restart (any process) tells the same story.
        await d.restart(0);
        if (d.hosts[0] !== d.hosts[1]) await d.restart(1);
        for (const h of d.hosts) {
          const story = await h.story(CH);
          assert.equal(story.length, 1);
          assert.equal(story[0]?.turn, 1);
          assert.deepEqual(
            story[0]?.choices.map((c) => c.userName),
            ['Alice', 'Bob'],
          );
          assert.deepEqual(story[0]?.reveal, expected);
          assert.equal(story[0]?.summary, 'chose Right');
          assert.deepEqual((await h.view(CH)).reveal, expected);
        }
      } finally {
        await d.stop();
      }
    });

    test("'host decides': the reveal waits for the pick, then names who picked what", async () => {
      const narrator = new ScriptNarrator();
      const d = await deploy(f, narrator, { aggregation: 'host' });
      try {
        await d.hosts[0].boot(CH, ALICE, SCRIPT);
        await both(d, (v) => v.status === 'playing');
        await press(d, 0, BOB, 'Left');
        await press(d, 1, CAROL, 'Right');
        await press(d, 1, ALICE, 'Right');
        await both(d, (v) => v.window?.chosen.length === 3);
        await d.expire();
        const [shown] = await both(d, (v) => v.decision != null);
        assert.equal(shown?.reveal?.sent, null);
        assert.equal(shown?.reveal?.text, 'Waiting for Alice to pick one of “Right” and “Left”.');
        await d.hosts[1].decide(CH, ALICE, 'Left', { turn: shown?.turn ?? -1 });
        const [next] = await both(d, (v) => v.status === 'playing' && v.turn === 1);
        assert.deepEqual(next?.reveal?.sent, ['Left']);
        assert.equal(next?.reveal?.text, 'Alice picked “Left” (“Right” 2, “Left” 1).');
        assert.deepEqual(next?.reveal?.tally[0]?.names, ['Carol', 'Alice']);
        await sameEvents(d);
      } finally {
        await d.stop();
      }
    });

    test('the window names the active players who have not chosen yet', async () => {
      const narrator = new ScriptNarrator();
      const d = await deploy(f, narrator);
      try {
        await d.hosts[0].boot(CH, ALICE, SCRIPT);
        await both(d, (v) => v.status === 'playing');
        await press(d, 0, ALICE, 'Left');
        // A new game knows no players yet: nobody is waited for.
        const [first] = await both(d, (v) => v.window?.chosen.length === 1);
        assert.deepEqual(first?.window?.waitingFor, []);
        await press(d, 1, BOB, 'Wait');
        await d.closeWindow();
        await both(d, (v) => v.status === 'playing' && v.turn === 1);
        assert.equal(
          (await d.hosts[0].view(CH)).reveal?.text,
          'Every choice went to the narrator: “Left” 1, “Wait” 1.',
        );
        await press(d, 1, BOB, 'Right');
        const [w0, w1] = await both(d, (v) => v.window?.chosen.length === 1);
        assert.deepEqual(w0?.window?.waitingFor, ['Alice']);
        assert.deepEqual(w1?.window?.waitingFor, ['Alice']);
        await press(d, 0, CAROL, 'Right'); // a newcomer joins the window, nobody waits for her
        const [w2] = await both(d, (v) => v.window?.chosen.length === 2);
        assert.deepEqual(w2?.window?.waitingFor, ['Alice']);
        await sameEvents(d);
      } finally {
        await d.stop();
      }
    });
  });
}
