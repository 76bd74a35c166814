// The X-card in Discord (issue 12), on the local fake Discord server: a button on the scene
// message; the player who pressed it is answered privately; the channel gets the rewritten
// scene and is told whose presses were void, and no message names who pressed it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { button, CHANNEL, command, httpRig, PLAYERS, type TestUser } from './_rig.js';
import { buttonsOf, currentScene, embedOf, waitFor } from './_scenario.js';

const [ANN, BEN, CID] = PLAYERS as [TestUser, TestUser, TestUser];

test('Discord: the X-card sets the scene aside, answered privately, anonymous to the channel', async () => {
  const rig = await httpRig();
  try {
    await rig.send(command(ANN, 'boot', { game: 'script' }));
    await waitFor(rig, (v) => v.status === 'playing');
    await rig.settle();
    const scene = currentScene(rig);
    const xcard = buttonsOf(scene).find((b) => b.custom_id.startsWith('gg1:x:'));
    assert.ok(xcard, 'the scene message offers the X-card');
    assert.equal(xcard.label, '✖ X-card');
    // Ben presses a choice; Cid, who never spoke in the channel, plays the X-card.
    const [left] = buttonsOf(scene);
    assert.ok(left);
    await rig.send(button(BEN, left.custom_id, scene.id));
    await waitFor(rig, (v) => v.window?.chosen.length === 1);
    const answer = (await rig.send(button(CID, xcard.custom_id, scene.id))).response as {
      type?: number;
      data?: { flags?: number; content?: string };
    };
    assert.equal(answer.data?.flags, 64, 'ephemeral: only Cid sees it');
    assert.match(answer.data?.content ?? '', /Scene set aside/);
    const next = await waitFor(rig, (v) => v.status === 'playing' && v.turn === 1);
    assert.equal(next.scene?.text, 'Scene 0 rewritten after nothing');
    assert.equal(rig.narrator.rewrites.length, 1);
    await rig.settle();
    const rewritten = currentScene(rig);
    assert.match(embedOf(rewritten).description ?? '', /Scene 0 rewritten/);
    const status = (embedOf(rewritten).fields ?? []).map((f) => f.value).join('\n');
    assert.match(status, /set aside with the X-card/);
    assert.match(status, new RegExp(`${BEN.name}: “Left”\\) were void: choose again`));
    // Nothing posted in the channel names Cid (the X-card is no presence either).
    const posted = JSON.stringify(rig.fake.channelMessages(CHANNEL).map((m) => m.body));
    assert.ok(!posted.includes(CID.name), 'the channel never names who pressed the X-card');
    assert.ok(!posted.includes(CID.id));
    assert.ok(next.present?.every((p) => p.userId !== CID.id));
    // The old scene's X-card is stale now; the refusal is private.
    const again = (await rig.send(button(ANN, xcard.custom_id, scene.id))).response as {
      data?: { flags?: number; content?: string };
    };
    assert.equal(again.data?.flags, 64);
    assert.match(again.data?.content ?? '', /turn/);
    assert.deepEqual(rig.errors, []);
  } finally {
    await rig.close();
  }
});
