// Host contract scenarios for presence and spectators (issue 12): who is at the table, who the
// window waits for, spectators who are not counted and play from the next window, early close
// by the players here. Run against both TurnDrivers: every process keeps the same table.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ChannelView } from '../../src/host/types.js';
import { ScriptNarrator } from '../helpers/script-narrator.js';
import { both, contractFixtures, deploy, press, sameEvents } from './_drivers.js';
import { ALICE, BOB, CAROL, CH, SCRIPT } from './_harness.js';

const FIXTURES = contractFixtures();

const table = (v: ChannelView | undefined): string[] =>
  (v?.present ?? []).map((p) => `${p.userName}:${p.role}`);

for (const f of FIXTURES) {
  describe(`${f.name}: presence`, () => {
    test('spectators watch uncounted and play from the next window; early close by the players here', async () => {
      const narrator = new ScriptNarrator();
      const d = await deploy(f, narrator, { closeWhenAllChosen: true });
      try {
        await d.hosts[0].boot(CH, ALICE, SCRIPT);
        await both(d, (v) => v.status === 'playing');
        await d.hosts[0].here(CH, ALICE);
        await d.hosts[1].here(CH, BOB);
        await d.hosts[0].here(CH, CAROL, { role: 'spectator' });
        const [p0, p1] = await both(d, (v) => v.present?.length === 3);
        assert.deepEqual(table(p0), ['Alice:player', 'Bob:player', 'Carol:spectator']);
        assert.deepEqual(table(p1), table(p0));
        await assert.rejects(press(d, 1, CAROL, 'Left'), { code: 'SPECTATING' });
        await press(d, 0, ALICE, 'Left');
        const [w] = await both(d, (v) => v.window?.chosen.length === 1);
        assert.deepEqual(w?.window?.waitingFor, ['Bob'], 'the spectator is not waited for');
        // One press to play: from the next window, not the open one.
        await d.hosts[1].here(CH, CAROL, { role: 'player' });
        const [j] = await both(d, (v) => table(v).includes('Carol:joining'));
        assert.deepEqual(j?.window?.waitingFor, ['Bob']);
        await assert.rejects(press(d, 0, CAROL, 'Left'), { code: 'SPECTATING' });
        // Every player here has chosen: the window closes at once.
        const release = narrator.hold();
        await press(d, 1, BOB, 'Right');
        await both(d, (v) => v.status === 'narrating');
        release();
        const [next] = await both(d, (v) => v.status === 'playing' && v.turn === 1);
        assert.deepEqual(table(next), ['Alice:player', 'Bob:player', 'Carol:player']);
        await press(d, 1, CAROL, 'Left');
        const [w2] = await both(d, (v) => v.window?.chosen.length === 1);
        assert.deepEqual(w2?.window?.waitingFor, ['Alice', 'Bob']);
        // Bob leaves and Alice starts watching: Carol was the last one waited for.
        await d.hosts[0].leave(CH, BOB.id);
        await d.hosts[1].here(CH, ALICE, { role: 'spectator' });
        const [done] = await both(d, (v) => v.turn === 2 && v.status === 'playing');
        assert.deepEqual(table(done), ['Alice:spectator', 'Carol:player']);
        assert.deepEqual(narrator.turns[1]?.choices, new Map([[CAROL.id, 'Left']]));
        await sameEvents(d);
      } finally {
        await d.stop();
      }
    });

    test('a presence not refreshed runs out; a refresh alone does not redraw the view', async () => {
      const narrator = new ScriptNarrator();
      const d = await deploy(f, narrator);
      try {
        await d.hosts[0].boot(CH, ALICE, SCRIPT);
        await both(d, (v) => v.status === 'playing');
        await d.hosts[0].here(CH, ALICE, { ttlMs: 60_000 });
        await d.hosts[1].here(CH, BOB, { ttlMs: 300 });
        await both(d, (v) => v.present?.length === 2);
        const views = d.seen[0].views.length;
        await d.hosts[1].here(CH, ALICE, { ttlMs: 60_000 });
        await sameEvents(d);
        assert.equal(d.seen[0].views.length, views, 'nothing shown changed');
        await d.expire(); // local: the clock moves 10 s; Redis: 1 s of real time
        for (const h of d.hosts) assert.deepEqual(table(await h.view(CH)), ['Alice:player']);
      } finally {
        await d.stop();
      }
    });
  });
}
