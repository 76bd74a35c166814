import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidInputError } from '../../src/core/errors.js';
import type { GameSpec } from '../../src/host/types.js';
import { InkNarrator } from '../../src/narrator/ink.js';
import type { Narrator } from '../../src/narrator/port.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { ALICE, BOB, CH, closeWindow, rig, waitForView } from './_harness.js';

function inkNarrators(spec: GameSpec): Narrator {
  if (spec.kind !== 'ink') throw new Error('only ink cartridges in this test');
  return new InkNarrator(spec.cartridge);
}

test('ink: two players play Midnight Arcade through the host to its end', async () => {
  const r = rig({ store: new SqliteStore(':memory:'), host: { narrators: inkNarrators } });
  let v = await r.host.boot(CH, ALICE, { kind: 'ink', cartridge: 'midnight-arcade' });
  assert.equal(v.status, 'playing');
  assert.ok((v.scene?.choices.length ?? 0) > 0);
  let turns = 0;
  while (v.status === 'playing' && turns < 200) {
    const choices = v.scene?.choices ?? [];
    // Alice and Bob disagree; ink follows the plurality, ties to the earliest press (Alice).
    await r.host.press(CH, ALICE, v.turn, choices[0] ?? '');
    await r.host.press(CH, BOB, v.turn, choices.at(-1) ?? '');
    v = await closeWindow(r);
    turns++;
  }
  assert.equal(v.status, 'ended', v.error ?? undefined);
  assert.equal((await r.host.history(CH, 1000)).length, turns);
  await r.host.close();
  await r.store.close();
});

test('ink: hot-swap between cartridges and back resumes the story state exactly', async () => {
  const r = rig({ store: new SqliteStore(':memory:'), host: { narrators: inkNarrators } });
  const a = await r.host.boot(CH, ALICE, { kind: 'ink', cartridge: 'low-battery' });
  let v = a;
  for (let i = 0; i < 3; i++) {
    await r.host.press(CH, ALICE, v.turn, v.scene?.choices[0] ?? '');
    v = await closeWindow(r);
  }
  const before = v;
  const savedState = (await r.store.loadGame(a.game?.gameId ?? ''))?.extra.narratorState;

  const b = await r.host.boot(CH, ALICE, { kind: 'ink', cartridge: 'midnight-arcade' });
  await r.host.press(CH, BOB, 0, b.scene?.choices[0] ?? '');
  await closeWindow(r);

  const back = await r.host.load(CH, ALICE, a.game?.gameId ?? '');
  assert.deepEqual(back.scene, before.scene);
  assert.equal(back.turn, before.turn);
  const choice = back.scene?.choices[0] ?? '';
  await r.host.press(CH, ALICE, back.turn, choice);
  const next = await closeWindow(r);
  assert.equal(next.status, 'playing', next.error ?? undefined);

  // The same state and choice on a fresh narrator give the same scene: nothing was lost.
  const reference = await new InkNarrator('low-battery').next({
    gameId: 'ref',
    gameName: 'ref',
    turn: before.turn,
    scene: before.scene ?? { text: '', choices: [], ended: false },
    choices: new Map([[ALICE.id, choice]]),
    playerNames: new Map([[ALICE.id, ALICE.name]]),
    input: '',
    decidedChoice: null,
    history: [],
    state: savedState ?? null,
  });
  assert.deepEqual(next.scene, reference.scene);
  await r.host.close();
  await r.store.close();
});

test('ink: an unknown cartridge is refused at boot and nothing changes', async () => {
  const r = rig({ host: { narrators: inkNarrators } });
  await assert.rejects(r.host.boot(CH, ALICE, { kind: 'ink', cartridge: 'no-such-cart' }), {
    code: 'NARRATOR',
  });
  await assert.rejects(r.host.boot(CH, ALICE, { kind: 'llm' }), InvalidInputError);
  assert.equal((await r.host.view(CH)).status, 'idle');
  await r.host.close();
});

test('ink: a saved game whose cartridge was edited resumes with the new text, or says why it cannot', async () => {
  const { mkdtempSync, rmSync, utimesSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const dir = mkdtempSync(join(tmpdir(), 'gg-host-edit-'));
  const file = join(dir, 'edited.ink');
  let mtime = 1_000_000;
  const write = (source: string) => {
    writeFileSync(file, source);
    mtime += 10;
    utimesSync(file, mtime, mtime);
  };
  const v1 =
    '-> a\n=== a ===\nStart.\n* [Go] -> b\n* [Stay] -> a\n=== b ===\nIn B.\n* [On] -> c\n* [Back] -> a\n=== c ===\nThe end.\n-> END\n';
  write(v1);
  const r = rig({
    store: new SqliteStore(':memory:'),
    host: { narrators: () => new InkNarrator('edited', dir) },
  });
  try {
    const booted = await r.host.boot(CH, ALICE, { kind: 'ink', cartridge: 'edited' });
    await r.host.press(CH, ALICE, booted.turn, 'Go');
    const atB = await closeWindow(r);
    assert.equal(atB.scene?.text, 'In B.');
    await r.host.exit(CH, ALICE);
    const gameId = booted.game?.gameId ?? '';

    write(v1.replace('The end.', 'A brand new ending.'));
    const resumed = await r.host.load(CH, ALICE, gameId);
    await r.host.press(CH, ALICE, resumed.turn, 'On');
    const ended = await closeWindow(r);
    assert.equal(ended.status, 'ended', ended.error ?? undefined);
    assert.equal(ended.scene?.text, 'A brand new ending.');

    // A second save, at B again, then an edit that drops the option the players pick.
    const again = await r.host.boot(CH, ALICE, { kind: 'ink', cartridge: 'edited' });
    await r.host.press(CH, ALICE, again.turn, 'Go');
    await closeWindow(r);
    await r.host.exit(CH, ALICE);
    write(v1.replace('* [On] -> c\n', ''));
    const loaded = await r.host.load(CH, ALICE, again.game?.gameId ?? '');
    assert.deepEqual(loaded.scene?.choices, ['On', 'Back'], 'the saved scene is shown as saved');
    await r.host.press(CH, ALICE, loaded.turn, 'On');
    r.clock.advance(10_000);
    const failed = await waitForView(r.host, CH, (v) => v.status === 'failed');
    assert.match(
      failed.error ?? '',
      /saved with an earlier version of the cartridge .* start a new game/,
    );
  } finally {
    await r.host.close();
    await r.store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
