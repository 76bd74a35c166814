import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NarratingError, WrongStateError } from '../../src/host/game-host.js';
import { NarratorError } from '../../src/narrator/port.js';
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
  test(`${name}: a narrator failure shows 'failed', keeps the choices, and retry completes the turn`, async () => {
    const r = rig({ store: makeStore() });
    const booted = await r.host.boot(CH, ALICE, SCRIPT);
    const gameId = booted.game?.gameId ?? '';
    await r.host.press(CH, ALICE, 0, 'Left');
    await r.host.press(CH, BOB, 0, 'Right');
    r.narrator.failNext(new NarratorError('http', 'HTTP 500 from the model server'));
    const failed = await closeWindow(r);
    assert.equal(failed.status, 'failed');
    assert.match(failed.error ?? '', /returned an error: HTTP 500 from the model server\./);
    assert.match(failed.error ?? '', /no press was lost/);
    assert.equal(failed.scene?.text, 'Scene 0 after nothing', 'the old scene stays on screen');
    assert.deepEqual(await r.host.history(CH), []);

    // The closed window's choices are saved with the game.
    const saved = await r.store.loadGame(gameId);
    const unresolved = saved?.extra.unresolved as { choices: string[][] } | null;
    assert.deepEqual(unresolved?.choices, [
      [ALICE.id, 'Left'],
      [BOB.id, 'Right'],
    ]);

    await assert.rejects(r.host.press(CH, BOB, 1, 'Left'), (e: unknown) => {
      assert.ok(e instanceof NarratingError);
      assert.equal(e.phase, 'failed');
      return true;
    });
    const retried = await r.host.retry(CH, BOB);
    assert.equal(retried.status, 'playing');
    assert.equal(retried.error, null);
    assert.equal(retried.scene?.text, 'Scene 1 after Left+Right');
    const history = await r.host.history(CH);
    assert.deepEqual(
      history.map((t) => [t.turn, [...t.choices]]),
      [
        [
          1,
          [
            [ALICE.id, 'Left'],
            [BOB.id, 'Right'],
          ],
        ],
      ],
    );
    assert.equal((await r.store.loadGame(gameId))?.extra.unresolved, null);
    await assert.rejects(r.host.retry(CH, BOB), WrongStateError);
    await r.host.close();
    await r.store.close();
  });
}

test('a narrator that hangs times out (injected clock) and the turn can be retried', async () => {
  const r = rig({ host: { narratorTimeoutMs: 5000 } });
  await r.host.boot(CH, ALICE, SCRIPT);
  await r.host.press(CH, ALICE, 0, 'Wait');
  r.narrator.hangNext();
  r.clock.advance(10_000);
  await waitForView(r.host, CH, (v) => v.status === 'narrating');
  while (r.narrator.turns.length === 0) await flush(1);
  r.clock.advance(4999);
  await flush();
  assert.equal((await r.host.view(CH)).status, 'narrating');
  r.clock.advance(1);
  const failed = await waitForView(r.host, CH, (v) => v.status === 'failed');
  assert.match(failed.error ?? '', /took too long: the narrator did not answer within 5 s/);
  assert.equal(r.narrator.turns[0]?.signal?.aborted, true, 'the narrator was told to stop');
  const v = await r.host.retry(CH, ALICE);
  assert.equal(v.scene?.text, 'Scene 1 after Wait');
  await r.host.close();
});

test('malformed scenes and unexpected errors fail the turn too; repeated failures keep the choices', async () => {
  const r = rig();
  await r.host.boot(CH, ALICE, SCRIPT);
  await r.host.press(CH, ALICE, 0, 'Left');
  r.narrator.failNext(new TypeError('boom'), new NarratorError('malformed', 'no JSON'));
  let v = await closeWindow(r);
  assert.match(v.error ?? '', /failed unexpectedly: boom/);
  v = await r.host.retry(CH, ALICE);
  assert.equal(v.status, 'failed');
  assert.match(v.error ?? '', /something unusable: no JSON/);
  v = await r.host.retry(CH, BOB);
  assert.equal(v.status, 'playing');
  assert.equal(v.scene?.text, 'Scene 1 after Left');
  assert.equal(r.narrator.turns.length, 3);
  await r.host.close();
});

test('a narrator scene without choices (story not ended) is refused as malformed', async () => {
  const bad = {
    open: async () => ({
      scene: { text: 'Hi', choices: ['Go'], ended: false },
      summary: '',
      state: null,
    }),
    next: async () => ({
      scene: { text: 'Stuck', choices: [], ended: false },
      summary: 'x',
      state: null,
    }),
  };
  const r = rig({ host: { narrators: () => bad } });
  await r.host.boot(CH, ALICE, SCRIPT);
  await r.host.press(CH, ALICE, 0, 'Go');
  const v = await closeWindow(r);
  assert.equal(v.status, 'failed');
  assert.match(v.error ?? '', /offered no choices/);
  await r.host.close();
});

test('a failed turn survives a restart: the new host shows it failed and retry completes it', async () => {
  const r1 = rig();
  await r1.host.boot(CH, ALICE, SCRIPT);
  await r1.host.press(CH, BOB, 0, 'Right');
  r1.narrator.failNext(new NarratorError('unreachable', 'connection refused'));
  await closeWindow(r1);
  await r1.host.close();

  const r2 = rig({ store: r1.store, clock: r1.clock });
  const v = await r2.host.view(CH);
  assert.equal(v.status, 'failed');
  assert.match(v.error ?? '', /could not be reached: connection refused/);
  assert.equal(r2.narrator.turns.length, 0, 'a failed turn is not re-run without a retry');
  const done = await r2.host.retry(CH, ALICE);
  assert.equal(done.scene?.text, 'Scene 1 after Right');
  assert.deepEqual([...(r2.narrator.turns[0]?.choices ?? [])], [[BOB.id, 'Right']]);
  await r2.host.close();
});
