import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidInputError, SessionInactiveError, StaleTurnError } from '../../src/core/errors.js';
import { NarratingError } from '../../src/host/game-host.js';
import type { HostEvent } from '../../src/host/types.js';
import {
  ALICE,
  BOB,
  CH,
  closeWindow,
  flush,
  rig,
  SCRIPT,
  STORES,
  waitForView,
} from './_harness.js';

for (const [name, makeStore] of STORES) {
  test(`${name}: boot, three full turns, turn-stamped scenes and recorded history`, async () => {
    const r = rig({ store: makeStore() });
    const booted = await r.host.boot(CH, ALICE, SCRIPT, { title: 'Script Quest' });
    assert.equal(booted.status, 'playing');
    assert.equal(booted.turn, 0);
    assert.equal(booted.game?.gameName, 'Script Quest');
    assert.equal(booted.game?.titleScreenUrl, '/title/Script%20Quest.png');
    assert.equal(booted.game?.bootedBy, ALICE.id);
    assert.deepEqual(booted.scene, {
      text: 'Scene 0 after nothing',
      choices: ['Left', 'Right', 'Wait'],
      ended: false,
    });

    const first = await r.host.press(CH, ALICE, 0, 'Left');
    assert.equal(first.isFirstChoice, true);
    assert.equal(first.secondsRemaining, 10);
    assert.equal(first.view.status, 'counting');
    r.clock.advance(4000);
    const second = await r.host.press(CH, BOB, 0, 'Right');
    assert.equal(second.isFirstChoice, false);
    assert.equal(second.secondsRemaining, 6);
    assert.deepEqual(second.view.window?.chosen, [
      { userId: ALICE.id, userName: 'Alice', choice: 'Left' },
      { userId: BOB.id, userName: 'Bob', choice: 'Right' },
    ]);
    assert.equal(second.view.window?.deadlineMs, r.clock.now() + 6000);

    r.clock.advance(6000);
    const v1 = await waitForView(r.host, CH, (v) => v.status === 'playing' && v.turn === 1);
    assert.equal(v1.scene?.text, 'Scene 1 after Left+Right');
    assert.equal(v1.game?.turnNumber, 1);
    const call = r.narrator.turns[0];
    assert.ok(call);
    assert.equal(call.turn, 0);
    assert.equal(call.decidedChoice, null);
    assert.deepEqual(
      [...call.choices],
      [
        [ALICE.id, 'Left'],
        [BOB.id, 'Right'],
      ],
    );
    assert.match(call.input, /Alice/);
    assert.match(call.input, /Right/);
    assert.equal(call.scene.text, 'Scene 0 after nothing');
    assert.deepEqual(call.history, []);

    await r.host.press(CH, BOB, 1, 'Wait');
    await closeWindow(r);
    await r.host.press(CH, ALICE, 2, 'Left');
    const v3 = await closeWindow(r);
    assert.equal(v3.turn, 3);
    assert.equal(v3.scene?.text, 'Scene 3 after Left+Right, Wait, Left');
    assert.equal(r.narrator.turns[2]?.history.length, 2);

    const history = await r.host.history(CH);
    assert.deepEqual(
      history.map((t) => [t.turn, [...t.choices.values()], t.narrativeSummary]),
      [
        [1, ['Left', 'Right'], 'chose Left+Right'],
        [2, ['Wait'], 'chose Wait'],
        [3, ['Left'], 'chose Left'],
      ],
    );
    await r.host.close();
    await r.store.close();
  });
}

test('last press wins: a player who changes their mind is counted once, with the new choice', async () => {
  const r = rig();
  await r.host.boot(CH, ALICE, SCRIPT);
  await r.host.press(CH, ALICE, 0, 'Left');
  await r.host.press(CH, BOB, 0, 'Wait');
  const changed = await r.host.press(CH, ALICE, 0, 'Right');
  assert.deepEqual(
    changed.view.window?.chosen.map((c) => [c.userName, c.choice]),
    [
      ['Alice', 'Right'],
      ['Bob', 'Wait'],
    ],
  );
  const v = await closeWindow(r);
  assert.equal(v.scene?.text, 'Scene 1 after Right+Wait');
  await r.host.close();
});

test('refusals: stale turn, while narrating, a choice not offered, no game', async () => {
  const r = rig();
  await assert.rejects(r.host.press(CH, ALICE, 0, 'Left'), SessionInactiveError);
  await r.host.boot(CH, ALICE, SCRIPT);
  await assert.rejects(r.host.press(CH, ALICE, 0, 'Jump'), (e: unknown) => {
    assert.ok(e instanceof InvalidInputError);
    assert.match(e.message, /not one of this scene's choices/);
    return true;
  });
  await assert.rejects(r.host.press(CH, ALICE, 1, 'Left'), StaleTurnError);

  await r.host.press(CH, ALICE, 0, 'Left');
  const release = r.narrator.hold();
  r.clock.advance(10_000);
  const narrating = await waitForView(r.host, CH, (v) => v.status === 'narrating');
  assert.equal(narrating.turn, 1);
  await assert.rejects(r.host.press(CH, BOB, 1, 'Left'), (e: unknown) => {
    assert.ok(e instanceof NarratingError);
    assert.equal(e.code, 'NARRATING');
    assert.equal(e.phase, 'narrating');
    return true;
  });
  await assert.rejects(r.host.press(CH, BOB, 0, 'Left'), NarratingError);
  release();
  await waitForView(r.host, CH, (v) => v.status === 'playing' && v.turn === 1);
  await assert.rejects(r.host.press(CH, BOB, 0, 'Left'), (e: unknown) => {
    assert.ok(e instanceof StaleTurnError);
    assert.equal(e.pressedTurn, 0);
    assert.equal(e.currentTurn, 1);
    return true;
  });
  // Nothing refused reached the narrator.
  assert.deepEqual([...(r.narrator.turns[0]?.choices.values() ?? [])], ['Left']);
  await r.host.close();
});

test('subscribers see every change in order: press, close, streamed text, turn, next scene', async () => {
  const r = rig();
  await r.host.boot(CH, ALICE, SCRIPT);
  r.events.length = 0;
  await r.host.press(CH, ALICE, 0, 'Left');
  await r.host.press(CH, BOB, 0, 'Left');
  r.clock.advance(10_000);
  await waitForView(r.host, CH, (v) => v.status === 'playing' && v.turn === 1);
  const summary = r.events.map((e: HostEvent) =>
    e.type === 'view'
      ? `view:${e.view.status}:${e.view.window?.chosen.length ?? '-'}`
      : e.type === 'text'
        ? `text:${e.first === true ? '(first) ' : ''}${e.delta}`
        : e.type === 'turn'
          ? `turn:${e.record.turn}`
          : `presence:${e.change.userName}`,
  );
  assert.deepEqual(summary, [
    'view:counting:1',
    'view:counting:2',
    'view:narrating:-',
    'text:(first) Scene 1 afte', // a console drops text streamed by an earlier attempt
    'text:r Left+Left',
    'turn:1',
    'view:playing:-',
  ]);
  const turn = r.events.find((e) => e.type === 'turn');
  assert.ok(turn?.type === 'turn');
  assert.equal(turn.channelId, CH);
  assert.equal(turn.record.narrativeSummary, 'chose Left+Left');
  await r.host.close();
});

test('a throwing subscriber and an unsubscribed one do not disturb the game', async () => {
  const r = rig();
  const seen: string[] = [];
  r.host.subscribe(CH, () => {
    throw new Error('broken console');
  });
  const off = r.host.subscribe(CH, (e) => seen.push(e.type));
  await r.host.boot(CH, ALICE, SCRIPT);
  off();
  await r.host.press(CH, ALICE, 0, 'Wait');
  const v = await closeWindow(r);
  assert.equal(v.status, 'playing');
  // The opening scene streams too, then the booted view.
  assert.deepEqual(seen, ['text', 'text', 'view']);
  await r.host.close();
});

test('the story end: status ended, presses refused', async () => {
  const r = rig();
  r.narrator.endAfter = 1;
  await r.host.boot(CH, ALICE, SCRIPT);
  await r.host.press(CH, ALICE, 0, 'Left');
  const v = await closeWindow(r);
  assert.equal(v.status, 'ended');
  assert.deepEqual(v.scene?.choices, []);
  await assert.rejects(r.host.press(CH, ALICE, 1, 'Left'), { code: 'GAME_ENDED' });
  // An ended game may be replaced by anyone.
  const next = await r.host.boot(CH, BOB, SCRIPT, { title: 'Again' });
  assert.equal(next.game?.bootedBy, BOB.id);
  await flush();
  await r.host.close();
});
