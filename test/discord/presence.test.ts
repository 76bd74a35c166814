// Presence and spectators in Discord (issue 12), on the local fake Discord server: whoever
// interacts is "here recently", the scene tells who is here and who watches, the Watch / Play
// button makes a spectator (not waited for, presses refused privately) and a player again from
// the next window.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { button, command, httpRig, PLAYERS, type TestUser } from './_rig.js';
import { buttonsOf, currentScene, embedOf, waitFor } from './_scenario.js';

const [ANN, BEN, CID] = PLAYERS as [TestUser, TestUser, TestUser];

const statusOf = (m: ReturnType<typeof currentScene>): string =>
  [embedOf(m).description ?? '', ...(embedOf(m).fields ?? []).map((f) => f.value)].join('\n');

test('Discord: here recently, Watch / Play, and who a window waits for', async () => {
  const rig = await httpRig();
  try {
    await rig.send(command(ANN, 'boot', { game: 'script' }));
    await waitFor(rig, (v) => v.status === 'playing');
    await rig.settle();
    const scene = currentScene(rig);
    const watch = buttonsOf(scene).find((b) => b.custom_id.startsWith('gg1:w:'));
    assert.ok(watch, 'the scene offers Watch / Play');
    await rig.send(button(BEN, watch.custom_id, scene.id));
    const v = await waitFor(rig, (x) => x.present?.some((p) => p.role === 'spectator') === true);
    assert.deepEqual(
      v.present?.map((p) => `${p.userName}:${p.role}`).sort(),
      [`${ANN.name}:player`, `${BEN.name}:spectator`].sort(),
    );
    await rig.settle();
    assert.match(statusOf(currentScene(rig)), /Here recently: .*\(watching\)/);
    // A spectator's press is refused privately.
    const [left, right] = buttonsOf(currentScene(rig));
    assert.ok(left && right);
    const refused = (await rig.send(button(BEN, left.custom_id, scene.id))).response as {
      data?: { flags?: number; content?: string };
    };
    assert.equal(refused.data?.flags, 64);
    assert.match(refused.data?.content ?? '', /watching/);
    // Cid presses: the window waits for Ann (here, playing), not for Ben (watching).
    await rig.send(button(CID, right.custom_id, scene.id));
    const w = await waitFor(rig, (x) => x.window?.chosen.length === 1);
    assert.deepEqual(w.window?.waitingFor, [ANN.name]);
    // Ben plays again: from the next window.
    await rig.send(button(BEN, watch.custom_id, scene.id));
    await waitFor(rig, (x) => x.present?.some((p) => p.role === 'joining') === true);
    rig.clock.advance(10_000);
    const next = await waitFor(rig, (x) => x.status === 'playing' && x.turn === 1);
    assert.ok(next.present?.every((p) => p.role === 'player'));
  } finally {
    await rig.close();
  }
});
