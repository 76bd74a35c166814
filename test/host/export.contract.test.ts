// Export of a running game through the host (what the web console's download and Discord's
// /gamegirl export call), against both TurnDrivers: whichever process is asked, the archive holds
// the game with its open window and its whole history, the same on every process.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { transcriptOf } from '../../src/host/transcript.js';
import { ScriptNarrator } from '../helpers/script-narrator.js';
import { both, contractFixtures, deploy, press } from './_drivers.js';
import { ALICE, BOB, CH, SCRIPT } from './_harness.js';

const FIXTURES = contractFixtures();

for (const f of FIXTURES) {
  describe(`${f.name}: export`, () => {
    test('every process exports the same game: open window, whole history, names', async () => {
      const d = await deploy(f, new ScriptNarrator());
      try {
        assert.equal(await d.hosts[1].exportGame(CH), null, 'no game yet');
        await d.hosts[0].boot(CH, ALICE, SCRIPT);
        for (let turn = 0; turn < 2; turn++) {
          await both(d, (v) => v.status === 'playing' && v.turn === turn);
          await press(d, 0, ALICE, 'Left');
          await press(d, 1, BOB, 'Right');
          await both(d, (v) => v.window?.chosen.length === 2);
          await d.expire();
        }
        await both(d, (v) => v.status === 'playing' && v.turn === 2);
        await press(d, 1, BOB, 'Wait');
        await both(d, (v) => v.window?.chosen.length === 1);

        const [a, b] = await Promise.all(d.hosts.map((h) => h.exportGame(CH)));
        assert.ok(a && b);
        assert.deepEqual({ ...a.archive, exported_at_ms: 0 }, { ...b.archive, exported_at_ms: 0 });
        assert.equal(a.archive.turns.length, 2);
        assert.deepEqual(
          a.archive.turns.map((t) => Object.values(t.choices)),
          [
            ['Left', 'Right'],
            ['Left', 'Right'],
          ],
        );
        assert.notEqual(a.archive.game.window_deadline_ms, null, 'the open window is carried');
        assert.deepEqual(Object.values(a.archive.game.pending_choices), ['Wait']);
        const md = transcriptOf(a.archive, a.rule);
        assert.match(md, /^- \*\*Bob\*\* chose “Right”$/m);
        assert.match(md, /Bob: “Wait”/);
      } finally {
        await d.stop();
      }
    });
  });
}
