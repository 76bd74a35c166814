// Host contract scenarios for the players' side (issue 12): the reveal of a closed window, names
// in the story after a restart, the window's length and who it waits for. Run against both
// TurnDrivers, like contract.test.ts: every process' players must see the same.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { InvalidInputError } from '../../src/core/errors.js';
import { ScriptNarrator } from '../helpers/script-narrator.js';
import { both, contractFixtures, deploy, press, sameEvents } from './_drivers.js';
import { ALICE, BOB, CAROL, CH, SCRIPT } from './_harness.js';

const CHOICES = ['Left', 'Right', 'Wait'];
const scene = (text: string) => ({ text, choices: CHOICES });

const FIXTURES = contractFixtures();

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
        // The next window stays open across the presses and reads below: the Redis
        // deployment's 1-s window could close between two of them (refusing Carol's press, or
        // closing before her view is read).
        await d.hosts[0].setCountdown(CH, ALICE, 60);
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

    test('the story so far: every scene in order, with names and choices, after a restart, in pages', async () => {
      const narrator = new ScriptNarrator();
      const d = await deploy(f, narrator);
      try {
        await d.hosts[0].boot(CH, ALICE, SCRIPT);
        await both(d, (v) => v.status === 'playing');
        await press(d, 0, ALICE, 'Left');
        await press(d, 1, BOB, 'Right');
        await d.closeWindow();
        await press(d, 1, BOB, 'Wait');
        await d.closeWindow();
        await press(d, 0, ALICE, 'Right');
        await d.closeWindow();
        await both(d, (v) => v.status === 'playing' && v.turn === 3);
        await sameEvents(d);
        // Every console heard each turn with the scene it led to.
        for (const seen of d.seen)
          assert.deepEqual(
            seen.stories.map((t) => t.scene?.text),
            [
              'Scene 1 after Left+Right',
              'Scene 2 after Left+Right, Wait',
              'Scene 3 after Left+Right, Wait, Right',
            ],
          );
        // Kept with the game: any process, after a restart, reads the whole story back.
        await d.restart(0);
        if (d.hosts[0] !== d.hosts[1]) await d.restart(1);
        for (const h of d.hosts) {
          const page = await h.storyPage(CH);
          assert.ok(page);
          assert.equal(page.earlier, false);
          assert.deepEqual(page.opening, scene('Scene 0 after nothing'));
          assert.deepEqual(
            page.turns.map((t) => [
              t.turn,
              t.choices.map((c) => `${c.userName}: ${c.choice}`),
              t.scene,
            ]),
            [
              [1, ['Alice: Left', 'Bob: Right'], scene('Scene 1 after Left+Right')],
              [2, ['Bob: Wait'], scene('Scene 2 after Left+Right, Wait')],
              [3, ['Alice: Right'], scene('Scene 3 after Left+Right, Wait, Right')],
            ],
          );
          assert.equal(
            page.turns[0]?.reveal.text,
            'Every choice went to the narrator: “Left” 1, “Right” 1.',
          );
          // Pages, newest first: the last two turns, then what came before them.
          const last = await h.storyPage(CH, { count: 2 });
          assert.deepEqual(
            last?.turns.map((t) => t.turn),
            [2, 3],
          );
          assert.equal(last?.earlier, true);
          assert.equal(last?.opening, null);
          const before = await h.storyPage(CH, { count: 2, before: 2 });
          assert.deepEqual(
            before?.turns.map((t) => t.turn),
            [1],
          );
          assert.equal(before?.earlier, false);
          assert.deepEqual(before?.opening, scene('Scene 0 after nothing'));
          await assert.rejects(h.storyPage(CH, { count: 0 }), InvalidInputError);
          await assert.rejects(h.storyPage(CH, { before: -1 }), InvalidInputError);
          assert.equal(await h.storyPage('no-game-here'), null);
        }
      } finally {
        await d.stop();
      }
    });

    test('while you were away: a returning player gets the turns closed without them', async () => {
      const narrator = new ScriptNarrator();
      const d = await deploy(f, narrator);
      try {
        await d.hosts[0].boot(CH, ALICE, SCRIPT);
        await both(d, (v) => v.status === 'playing');
        await press(d, 0, ALICE, 'Left');
        await press(d, 1, BOB, 'Right');
        await d.closeWindow();
        // Bob is away for two turns; Alice plays on.
        for (const choice of ['Wait', 'Left']) {
          await press(d, 0, ALICE, choice);
          await d.closeWindow();
        }
        await both(d, (v) => v.status === 'playing' && v.turn === 3);
        for (const h of d.hosts) {
          const r = await h.recap(CH, BOB.id);
          assert.ok(r);
          assert.equal(r.missedCount, 2);
          assert.deepEqual(r.last?.choices, [
            { userId: 'u-alice', userName: 'Alice', choice: 'Left' },
            { userId: 'u-bob', userName: 'Bob', choice: 'Right' },
          ]);
          assert.deepEqual(
            r.missed.map((t) => [t.turn, t.choices.map((c) => c.userName), t.scene?.text]),
            [
              [2, ['Alice'], 'Scene 2 after Left+Right, Wait'],
              [3, ['Alice'], 'Scene 3 after Left+Right, Wait, Left'],
            ],
          );
          // Alice played the last window: nothing to recap. Carol never played here: the
          // story so far ("previously on…").
          assert.equal(await h.recap(CH, ALICE.id), null);
          const carol = await h.recap(CH, CAROL.id);
          assert.equal(carol?.last, null);
          assert.equal(carol?.missedCount, 3);
          assert.deepEqual(
            carol?.missed.map((t) => t.turn),
            [1, 2, 3],
          );
        }
        // Away longer than the saved last presses reach (three windows): found in the history.
        for (const choice of ['Right', 'Wait']) {
          await press(d, 0, ALICE, choice);
          await d.closeWindow();
        }
        await d.restart(1);
        const long = await d.hosts[1].recap(CH, BOB.id);
        assert.equal(long?.last?.turn, 1);
        assert.equal(long?.missedCount, 4);
        assert.deepEqual(
          long?.missed.map((t) => t.scene?.text),
          [
            'Scene 2 after Left+Right, Wait',
            'Scene 3 after Left+Right, Wait, Left',
            'Scene 4 after Left+Right, Wait, Left, Right',
            'Scene 5 after Left+Right, Wait, Left, Right, Wait',
          ],
        );
        // Back: once a window he played closes, there is nothing to recap.
        await press(d, 1, BOB, 'Left');
        await d.closeWindow();
        await both(d, (v) => v.status === 'playing' && v.turn === 6);
        for (const h of d.hosts) assert.equal(await h.recap(CH, BOB.id), null);
      } finally {
        await d.stop();
      }
    });
  });
}
