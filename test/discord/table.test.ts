// The table in Discord (issue 12), on the local fake Discord server. The X-card: a button on the
// scene message; the player who pressed it is answered privately; the channel gets the rewritten
// scene and is told whose presses were void, and no message names who pressed it. Settings:
// `/gamegirl settings countdown:<s>` for the booter or a manager; every scene says how its
// windows run.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  button,
  CHANNEL,
  command,
  httpRig,
  MANAGE_CHANNELS,
  PLAYERS,
  type TestUser,
  webhookBodies,
} from './_rig.js';
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

test('Discord: /gamegirl settings shows how windows run; the booter or a manager changes the countdown', async () => {
  const rig = await httpRig({ settings: { closeWhenAllChosen: true } });
  try {
    await rig.send(command(ANN, 'boot', { game: 'script' }));
    await waitFor(rig, (v) => v.status === 'playing');
    await rig.settle();
    const status = () => (embedOf(currentScene(rig)).fields ?? []).map((f) => f.value).join('\n');
    assert.match(status(), /⏱️ 10 s window · closes early once everyone here has chosen/);
    // Shown privately.
    const ask = command(BEN, 'settings');
    await rig.send(ask);
    await rig.settle();
    assert.match(JSON.stringify(webhookBodies(rig, ask)), /10 s window/);
    // Ben neither booted the game nor manages the channel: refused privately, nothing changes.
    const refused = command(BEN, 'settings', { countdown: 30 });
    await rig.send(refused);
    await rig.settle();
    assert.match(JSON.stringify(webhookBodies(rig, refused)), /only the player who booted/);
    assert.equal((await rig.host.view(CHANNEL)).rules?.countdownSeconds, 10);
    // Ann booted it: the channel is told, and the next window is that long.
    const set = command(ANN, 'settings', { countdown: 30 });
    await rig.send(set);
    await rig.settle();
    assert.match(JSON.stringify(webhookBodies(rig, set)), /set this channel's window to 30 s/);
    const [left] = buttonsOf(currentScene(rig));
    assert.ok(left);
    await rig.send(button(ANN, left.custom_id, currentScene(rig).id));
    const counting = await waitFor(rig, (v) => v.window !== null);
    assert.equal(counting.window?.lengthMs, 30_000);
    await rig.settle();
    assert.match(status(), /or once everyone here has chosen/);
    // A channel manager may change it too.
    const mod = { ...CID, permissions: MANAGE_CHANNELS };
    await rig.send(command(mod, 'settings', { countdown: 60 }));
    await waitFor(rig, (v) => v.rules?.countdownSeconds === 60);
    assert.deepEqual(rig.errors, []);
  } finally {
    await rig.close();
  }
});
