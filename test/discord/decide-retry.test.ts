import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NarratorError } from '../../src/narrator/port.js';
import { button, command, httpRig, PLAYERS, type TestUser } from './_rig.js';
import { buttonsOf, currentScene, waitFor } from './_scenario.js';

const [ANN, BEN, CID] = PLAYERS as [TestUser, TestUser, TestUser];

function ephemeral(response: unknown, pattern: RegExp): void {
  const r = response as { type: number; data?: { flags?: number; content?: string } };
  assert.equal(r.type, 4, JSON.stringify(r));
  assert.equal(r.data?.flags, 64);
  assert.match(r.data?.content ?? '', pattern);
}

test("'host decides' and a failed turn's retry, played with Discord buttons", async () => {
  const rig = await httpRig({ settings: { aggregation: 'host' } });
  try {
    await rig.send(command(ANN, 'boot', { game: 'script' }));
    await waitFor(rig, (v) => v.status === 'playing');
    await rig.settle();
    const scene = currentScene(rig);
    const [left, right] = buttonsOf(scene);
    assert.ok(left && right);
    await rig.send(button(BEN, left.custom_id, scene.id));
    await rig.send(button(CID, right.custom_id, scene.id));
    rig.clock.advance(10_000);
    await waitFor(rig, (v) => (v.decision ?? null) !== null);
    await rig.settle();

    // The scene message now offers the choices made, as decide buttons.
    const deciding = currentScene(rig);
    const options = buttonsOf(deciding);
    assert.deepEqual(
      options.map((b) => [b.label, b.disabled]),
      [
        ['Left', false],
        ['Right', false],
      ],
    );
    assert.ok(options.every((b) => b.custom_id.startsWith('gg1:d:')));
    const pickRight = options[1]?.custom_id ?? '';
    ephemeral((await rig.send(button(BEN, pickRight, deciding.id))).response, /booted the game/);
    assert.equal(rig.narrator.turns.length, 0);

    // Ann decides; the narrator fails; anyone may retry and the decision is kept.
    rig.narrator.failNext(new NarratorError('http', 'the service returned 503'));
    await rig.send(button(ANN, pickRight, deciding.id));
    await waitFor(rig, (v) => v.status === 'failed');
    await rig.settle();
    assert.equal(rig.narrator.turns[0]?.decidedChoice, 'Right');
    const failed = currentScene(rig);
    const retry = buttonsOf(failed).find((b) => b.label === 'Retry');
    assert.ok(retry);
    assert.ok(retry.custom_id.startsWith('gg1:r:'));
    await rig.send(button(CID, retry.custom_id, failed.id));
    const after = await waitFor(rig, (v) => v.status === 'playing' && v.turn === 1);
    assert.equal(rig.narrator.turns.length, 2);
    assert.equal(rig.narrator.turns[1]?.decidedChoice, 'Right');
    assert.match(after.scene?.text ?? '', /after Right/);

    // The old decide button now gets a private notice and changes nothing.
    const late = await rig.send(button(ANN, options[0]?.custom_id ?? '', deciding.id));
    ephemeral(late.response, /already made/);
    assert.equal(rig.narrator.turns.length, 2);
  } finally {
    await rig.close();
  }
});
