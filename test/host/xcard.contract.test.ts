// Host contract scenarios for the X-card (issue 12), run against both TurnDrivers: a player sets
// the scene on screen aside anonymously, with no window open and during one; the narrator writes
// it again; the window's choices are void and their players are told; spectators may not; the
// limit holds; and nothing anyone receives names who did it.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { StaleTurnError } from '../../src/core/errors.js';
import { SpectatingError } from '../../src/host/presence.js';
import { transcriptOf } from '../../src/host/transcript.js';
import { XCARD_MAX, XCardError } from '../../src/host/xcard.js';
import { ScriptNarrator } from '../helpers/script-narrator.js';
import { both, contractFixtures, type Deployment, deploy, press, sameEvents } from './_drivers.js';
import { ALICE, BOB, CAROL, CH, SCRIPT } from './_harness.js';

const FIXTURES = contractFixtures();

/** Nothing any subscriber of either process received carries the X-card player's id or name. */
function noTraceOf(d: Deployment, who: { id: string; name: string }): void {
  for (const seen of d.seen) {
    const all = JSON.stringify([seen.events, seen.views, seen.stories]);
    assert.ok(!all.includes(who.id), `${who.id} appears in what players saw`);
    assert.ok(!all.includes(who.name), `${who.name} appears in what players saw`);
  }
}

for (const f of FIXTURES) {
  describe(`${f.name}: the X-card`, () => {
    test('with no window open: the scene is written again, anonymously, in every process', async () => {
      const narrator = new ScriptNarrator();
      const d = await deploy(f, narrator);
      try {
        await d.hosts[0].boot(CH, BOB, SCRIPT);
        await press(d, 0, BOB, 'Left');
        await d.closeWindow();
        const [shown] = await both(d, (v) => v.status === 'playing' && v.turn === 1);
        assert.equal(shown?.scene?.text, 'Scene 1 after Left');
        // Carol (never seen by the game) sets it aside through the other process.
        await d.hosts[1].xcard(CH, CAROL, 1);
        const [rewritten] = await both(
          d,
          (v) => v.status === 'playing' && v.scene?.text === 'Scene 1 rewritten after Left',
        );
        assert.equal(rewritten?.turn, 2, 'the turn advanced: old buttons are stale');
        assert.equal(rewritten?.reveal?.aside, true);
        assert.equal(
          rewritten?.reveal?.text,
          'The scene was set aside with the X-card; the narrator wrote another in its place.',
        );
        assert.equal(narrator.rewrites.length, 1);
        assert.equal(narrator.rewrites[0]?.scene.text, 'Scene 1 after Left');
        await assert.rejects(d.hosts[0].press(CH, BOB, 1, 'Right'), StaleTurnError);
        // The story tells of the rewrite, with no choices and no name, and does not tell the
        // scene set aside again.
        for (const h of d.hosts) {
          const story = await h.story(CH);
          assert.equal(story.length, 2);
          assert.equal(story[0]?.scene, null, 'the scene set aside is not re-read');
          assert.deepEqual(story[1]?.choices, []);
          assert.equal(story[1]?.reveal.aside, true);
          assert.equal(story[1]?.scene?.text, 'Scene 1 rewritten after Left');
        }
        // Nor does the exported transcript.
        const exported = await d.hosts[0].exportGame(CH);
        assert.ok(exported);
        const md = transcriptOf(exported.archive, exported.rule);
        assert.ok(!md.includes('Scene 1 after Left'), md);
        assert.match(md, /set aside with the X-card/);
        assert.ok(md.includes('Scene 1 rewritten after Left'));
        // The game goes on from the rewritten scene.
        await press(d, 1, BOB, 'Wait');
        const next = await d.closeWindow();
        assert.equal(next.scene?.text, 'Scene 2 after Left, Wait');
        await sameEvents(d);
        noTraceOf(d, CAROL);
      } finally {
        await d.stop();
      }
    });

    test('during a window: its choices are void, their players told, and they choose again', async () => {
      const narrator = new ScriptNarrator();
      const d = await deploy(f, narrator);
      try {
        await d.hosts[0].boot(CH, ALICE, SCRIPT);
        await both(d, (v) => v.status === 'playing');
        await press(d, 0, ALICE, 'Left');
        await press(d, 1, BOB, 'Right');
        await both(d, (v) => v.window?.chosen.length === 2);
        const release = narrator.hold();
        await d.hosts[0].xcard(CH, CAROL, 0);
        const [narrating] = await both(d, (v) => v.status === 'narrating' && v.reveal != null);
        assert.equal(
          narrating?.reveal?.text,
          'The scene was set aside with the X-card; the narrator wrote another in its place. The choices made on it (Alice: “Left”, Bob: “Right”) were void: choose again.',
        );
        assert.deepEqual(narrating?.reveal?.tally, []);
        // A second X-card on the same scene changes nothing (one per scene).
        await d.hosts[1].xcard(CH, ALICE, 0);
        release();
        const [next] = await both(d, (v) => v.status === 'playing' && v.turn === 1);
        assert.equal(next?.scene?.text, 'Scene 0 rewritten after nothing');
        assert.equal(next?.reveal?.aside, true, 'the void choices stay told on the new scene');
        assert.equal(narrator.rewrites.length, 1);
        assert.equal(narrator.turns.length, 0, 'no choice went to the narrator');
        // The opening scene was the one set aside: the story starts from its replacement.
        const page = await d.hosts[1].storyPage(CH);
        assert.equal(page?.opening, null);
        assert.equal(page?.turns[0]?.scene?.text, 'Scene 0 rewritten after nothing');
        // Nobody is counted as having played the void window.
        await press(d, 0, ALICE, 'Wait');
        const [w] = await both(d, (v) => v.window?.chosen.length === 1);
        assert.deepEqual(w?.window?.waitingFor, []);
        await sameEvents(d);
        noTraceOf(d, CAROL);
      } finally {
        await d.stop();
      }
    });

    test('refused to spectators, past the limit, and on a stale scene; nothing changes', async () => {
      const narrator = new ScriptNarrator();
      const d = await deploy(f, narrator);
      try {
        await d.hosts[0].boot(CH, ALICE, SCRIPT);
        await both(d, (v) => v.status === 'playing');
        await d.hosts[0].here(CH, CAROL, { role: 'spectator' });
        await both(d, (v) => v.present?.some((u) => u.role === 'spectator') === true);
        await assert.rejects(d.hosts[1].xcard(CH, CAROL, 0), SpectatingError);
        await assert.rejects(d.hosts[1].xcard(CH, BOB, 5), StaleTurnError);
        for (let i = 0; i < XCARD_MAX; i++) {
          await d.hosts[(i % 2) as 0 | 1].xcard(CH, BOB, i);
          await both(d, (v) => v.status === 'playing' && v.turn === i + 1);
        }
        const before = await d.hosts[0].view(CH);
        await assert.rejects(d.hosts[1].xcard(CH, BOB, XCARD_MAX), (e: unknown) => {
          assert.ok(e instanceof XCardError);
          assert.equal(e.code, 'XCARD_LIMIT');
          assert.match(e.message, /available again from turn 10/);
          return true;
        });
        const afterRefusal = await d.hosts[0].view(CH);
        assert.equal(afterRefusal.turn, before.turn);
        assert.equal(afterRefusal.scene?.text, before.scene?.text);
        assert.equal(narrator.rewrites.length, XCARD_MAX);
      } finally {
        await d.stop();
      }
    });

    test('a restart while the scene is being written again finishes the rewrite', async () => {
      const narrator = new ScriptNarrator();
      const d = await deploy(f, narrator);
      try {
        await d.hosts[0].boot(CH, ALICE, SCRIPT);
        await both(d, (v) => v.status === 'playing');
        narrator.hangNext();
        await d.hosts[0].xcard(CH, BOB, 0);
        await both(d, (v) => v.status === 'narrating');
        await d.restart(0);
        if (d.hosts[0] !== d.hosts[1]) await d.restart(1);
        await Promise.all(d.hosts.map((h) => h.view(CH)));
        await both(
          d,
          (v) => v.status === 'playing' && v.scene?.text === 'Scene 0 rewritten after nothing',
        );
      } finally {
        await d.stop();
      }
    });
  });
}
