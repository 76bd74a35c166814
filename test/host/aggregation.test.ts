import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidInputError, StaleTurnError } from '../../src/core/errors.js';
import { PermissionError, WrongStateError } from '../../src/host/game-host.js';
import { ALICE, BOB, CAROL, CH, closeWindow, MOD, rig, SCRIPT, waitForView } from './_harness.js';

test('plurality: the most chosen option goes to the narrator; ties go to the earliest press', async () => {
  const r = rig({ settings: { aggregation: 'plurality' } });
  await r.host.boot(CH, ALICE, SCRIPT);
  await r.host.press(CH, ALICE, 0, 'Left');
  await r.host.press(CH, BOB, 0, 'Right');
  await r.host.press(CH, CAROL, 0, 'Right');
  let v = await closeWindow(r);
  assert.equal(r.narrator.turns[0]?.decidedChoice, 'Right');
  // Every choice still reaches the narrator and the record.
  assert.equal(r.narrator.turns[0]?.choices.size, 3);
  assert.equal(v.scene?.text, 'Scene 1 after Right');

  await r.host.press(CH, BOB, 1, 'Wait');
  await r.host.press(CH, ALICE, 1, 'Left');
  v = await closeWindow(r);
  assert.equal(r.narrator.turns[1]?.decidedChoice, 'Wait');
  const history = await r.host.history(CH);
  assert.deepEqual([...(history[1]?.choices.values() ?? [])], ['Wait', 'Left']);
  await r.host.close();
});

test('host decides: the booting player picks among the choices made; others are refused', async () => {
  const r = rig({ settings: { aggregation: 'host' } });
  await r.host.boot(CH, ALICE, SCRIPT);
  await assert.rejects(r.host.decide(CH, ALICE, 'Left'), WrongStateError);
  await r.host.press(CH, BOB, 0, 'Left');
  await r.host.press(CH, CAROL, 0, 'Right');
  r.clock.advance(10_000);
  const deciding = await waitForView(r.host, CH, (v) => (v.decision ?? null) !== null);
  assert.equal(deciding.status, 'narrating');
  assert.deepEqual(deciding.decision, { userId: ALICE.id, options: ['Left', 'Right'] });
  await assert.rejects(r.host.press(CH, BOB, 1, 'Left'), { code: 'NARRATING' });
  await assert.rejects(r.host.decide(CH, BOB, 'Left'), PermissionError);
  await assert.rejects(r.host.decide(CH, ALICE, 'Wait'), InvalidInputError);
  // A decision drawn for another game or turn is stale (buttons outlive what they were for).
  const gameId = deciding.game?.gameId as string;
  await assert.rejects(
    r.host.decide(CH, ALICE, 'Right', { gameId: 'another-game', turn: deciding.turn }),
    StaleTurnError,
  );
  await assert.rejects(
    r.host.decide(CH, ALICE, 'Right', { gameId, turn: deciding.turn - 1 }),
    StaleTurnError,
  );
  assert.equal(r.narrator.turns.length, 0);
  await r.host.decide(CH, ALICE, 'Right', { gameId, turn: deciding.turn });
  const v = await waitForView(r.host, CH, (x) => x.status === 'playing' && x.turn === 1);
  assert.equal(v.decision, null);
  assert.equal(r.narrator.turns[0]?.decidedChoice, 'Right');
  assert.equal(v.scene?.text, 'Scene 1 after Right');

  // A channel manager may decide too; a single option needs no decision at all.
  await r.host.press(CH, BOB, 1, 'Wait');
  await r.host.press(CH, CAROL, 1, 'Left');
  r.clock.advance(10_000);
  await waitForView(r.host, CH, (x) => (x.decision ?? null) !== null);
  await r.host.decide(CH, MOD, 'Wait');
  await waitForView(r.host, CH, (x) => x.status === 'playing' && x.turn === 2);
  assert.equal(r.narrator.turns[1]?.decidedChoice, 'Wait');
  await r.host.press(CH, BOB, 2, 'Left');
  await r.host.press(CH, CAROL, 2, 'Left');
  await closeWindow(r);
  assert.equal(r.narrator.turns[2]?.decidedChoice, 'Left');
  await r.host.close();
});

test('early close: the window closes once every active player has chosen (when enabled)', async () => {
  const r = rig({ settings: { closeWhenAllChosen: true } });
  await r.host.boot(CH, ALICE, SCRIPT);
  // A new game has no active players yet: the first press must not cut the others out.
  await r.host.press(CH, ALICE, 0, 'Left');
  await r.host.press(CH, BOB, 0, 'Right');
  assert.equal((await r.host.view(CH)).status, 'counting');
  await closeWindow(r);

  const t0 = r.clock.now();
  const one = await r.host.press(CH, ALICE, 1, 'Wait');
  assert.equal(one.view.status, 'counting');
  const both = await r.host.press(CH, BOB, 1, 'Wait');
  assert.notEqual(both.view.status, 'counting');
  const v = await waitForView(r.host, CH, (x) => x.status === 'playing' && x.turn === 2);
  assert.equal(r.clock.now(), t0, 'closed without the countdown running out');
  assert.equal(v.scene?.text, 'Scene 2 after Left+Right, Wait+Wait');

  // A newcomer joining adds to the window but does not need to be waited for.
  await r.host.press(CH, CAROL, 2, 'Left');
  await r.host.press(CH, ALICE, 2, 'Left');
  assert.equal((await r.host.view(CH)).status, 'counting');
  await r.host.press(CH, BOB, 2, 'Left');
  await waitForView(r.host, CH, (x) => x.status === 'playing' && x.turn === 3);

  // Bob and Carol stop playing; after 3 turns only Alice counts as active.
  for (let turn = 3; turn < 7; turn++) {
    await r.host.press(CH, ALICE, turn, 'Wait');
    if (turn < 6) await closeWindow(r);
  }
  await waitForView(r.host, CH, (x) => x.status === 'playing' && x.turn === 7);
  await r.host.close();
});

test('early close is off by default', async () => {
  const r = rig();
  await r.host.boot(CH, ALICE, SCRIPT);
  await r.host.press(CH, ALICE, 0, 'Left');
  await closeWindow(r);
  const out = await r.host.press(CH, ALICE, 1, 'Left');
  assert.equal(out.view.status, 'counting');
  await r.host.close();
});
