import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ManualClock } from '../../src/core/clock.js';
import { GameNotFoundError, SessionInactiveError, StaleTurnError } from '../../src/core/errors.js';
import { PermissionError, RateLimitedError } from '../../src/host/game-host.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { ScriptNarrator } from '../helpers/script-narrator.js';
import {
  ALICE,
  BOB,
  CAROL,
  CH,
  closeWindow,
  flush,
  MOD,
  rig,
  SCRIPT,
  STORES,
  waitForView,
} from './_harness.js';

test('exit: only the booting player, a channel manager, or anyone when the channel allows it', async () => {
  const r = rig();
  await r.host.boot(CH, ALICE, SCRIPT);
  await assert.rejects(r.host.exit(CH, BOB), (e: unknown) => {
    assert.ok(e instanceof PermissionError);
    assert.equal(e.code, 'PERMISSION');
    return true;
  });
  await assert.rejects(r.host.boot(CH, BOB, SCRIPT), PermissionError);
  await assert.rejects(r.host.load(CH, BOB, 'whatever'), PermissionError);
  const byMod = await r.host.exit(CH, MOD);
  assert.equal(byMod.status, 'idle');
  assert.equal(byMod.game, null);
  assert.match(byMod.notice ?? '', /Saved/);
  await assert.rejects(r.host.exit(CH, ALICE), SessionInactiveError);

  await r.host.boot(CH, ALICE, SCRIPT);
  r.settings.anyoneMayManage = true;
  assert.equal((await r.host.exit(CH, CAROL)).status, 'idle');
  await r.host.boot(CH, ALICE, SCRIPT);
  r.settings.anyoneMayManage = false;
  assert.equal((await r.host.exit(CH, ALICE)).status, 'idle');
  await r.host.close();
});

for (const [name, makeStore] of STORES) {
  test(`${name}: hot-swap and swap back resume the scene, narrator state and pending choices`, async () => {
    const r = rig({ store: makeStore() });
    const a = await r.host.boot(CH, ALICE, SCRIPT, { title: 'Game A' });
    await r.host.press(CH, ALICE, 0, 'Left');
    await closeWindow(r);
    await r.host.press(CH, BOB, 1, 'Right');
    const aBefore = await closeWindow(r);
    assert.equal(aBefore.scene?.text, 'Scene 2 after Left, Right');
    // A press in an open window when the game is swapped out is kept with it.
    await r.host.press(CH, BOB, 2, 'Wait');

    const b = await r.host.boot(CH, ALICE, SCRIPT, { title: 'Game B' });
    assert.equal(b.scene?.text, 'Scene 0 after nothing');
    assert.equal(b.turn, 0);
    await r.host.press(CH, ALICE, 0, 'Wait');
    await closeWindow(r);

    const games = await r.host.listGames();
    assert.deepEqual(
      games.map((g) => [g.gameName, g.active]),
      [
        ['Game B', true],
        ['Game A', false],
      ],
    );

    const back = await r.host.load(CH, ALICE, a.game?.gameId ?? '');
    assert.equal(back.status, 'playing');
    assert.equal(back.turn, 2);
    assert.deepEqual(back.scene, aBefore.scene);
    assert.equal(back.game?.gameName, 'Game A');
    // Bob's kept choice joins the next window.
    const pressed = await r.host.press(CH, ALICE, 2, 'Left');
    assert.deepEqual(
      pressed.view.window?.chosen.map((c) => [c.userName, c.choice]),
      [
        ['Bob', 'Wait'],
        ['Alice', 'Left'],
      ],
    );
    const aNext = await closeWindow(r);
    assert.equal(aNext.scene?.text, 'Scene 3 after Left, Right, Wait+Left');
    assert.deepEqual(r.narrator.turns.at(-1)?.state, { step: 2, path: ['Left', 'Right'] });

    const bBack = await r.host.load(CH, ALICE, b.game?.gameId ?? '');
    assert.equal(bBack.scene?.text, 'Scene 1 after Wait');
    assert.equal((await r.host.history(CH)).length, 1);
    // Loading the game that is already running changes nothing.
    assert.deepEqual(await r.host.load(CH, BOB, b.game?.gameId ?? ''), bBack);
    await assert.rejects(r.host.load(CH, ALICE, 'no-such-game'), GameNotFoundError);
    assert.equal((await r.host.view(CH)).game?.gameId, b.game?.gameId);
    await r.host.close();
    await r.store.close();
  });
}

test('a swap or exit during narration aborts it; loading the game again re-runs that turn', async () => {
  const r = rig();
  const a = await r.host.boot(CH, ALICE, SCRIPT, { title: 'A' });
  await r.host.press(CH, ALICE, 0, 'Right');
  r.narrator.hangNext();
  r.clock.advance(10_000);
  await waitForView(r.host, CH, (v) => v.status === 'narrating');
  while (r.narrator.turns.length === 0) await flush(1);
  const idle = await r.host.exit(CH, ALICE);
  assert.equal(idle.status, 'idle');
  assert.equal(r.narrator.turns[0]?.signal?.aborted, true);
  const back = await r.host.load(CH, ALICE, a.game?.gameId ?? '');
  assert.equal(back.status, 'narrating');
  const v = await waitForView(r.host, CH, (x) => x.status === 'playing');
  assert.equal(v.scene?.text, 'Scene 1 after Right');
  assert.equal(v.turn, 1);
  assert.equal((await r.host.history(CH)).length, 1);
  await r.host.close();
});

test('a game loaded into another channel leaves the first one', async () => {
  const r = rig();
  const other = 'channel-2';
  const seen: string[] = [];
  r.host.subscribe(CH, (e) => {
    if (e.type === 'view') seen.push(e.view.status);
  });
  const a = await r.host.boot(CH, ALICE, SCRIPT);
  // A game running elsewhere moves only with its booter (or when that channel lets anyone).
  await assert.rejects(r.host.load(other, BOB, a.game?.gameId ?? ''), { code: 'PERMISSION' });
  assert.equal((await r.host.view(CH)).game?.gameId, a.game?.gameId, 'still running in CH');
  const moved = await r.host.load(other, ALICE, a.game?.gameId ?? '');
  assert.equal(moved.game?.gameId, a.game?.gameId);
  const left = await r.host.view(CH);
  assert.equal(left.status, 'idle');
  assert.match(left.notice ?? '', /another channel/);
  assert.equal(seen.at(-1), 'idle');
  await r.host.press(other, BOB, 0, 'Left');
  await r.host.close();
});

test('restart: a new host on the same SQLite file resumes the scene and the open window', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gamegirl-host-'));
  const file = join(dir, 'games.sqlite');
  const clock = new ManualClock();
  try {
    const r1 = rig({ store: new SqliteStore(file), clock });
    await r1.host.boot(CH, ALICE, SCRIPT, { title: 'Durable' });
    await r1.host.press(CH, ALICE, 0, 'Left');
    await closeWindow(r1);
    await r1.host.press(CH, BOB, 1, 'Wait');
    clock.advance(3000);
    await r1.host.close();
    await r1.store.close();

    // A new process: fresh narrator object, same clock (7 s left in the window).
    const r2 = rig({ store: new SqliteStore(file), clock, narrator: new ScriptNarrator() });
    const v = await r2.host.view(CH);
    assert.equal(v.status, 'counting');
    assert.equal(v.game?.gameName, 'Durable');
    assert.equal(v.scene?.text, 'Scene 1 after Left');
    assert.equal(v.window?.secondsRemaining, 7);
    assert.deepEqual(v.window?.chosen, [{ userId: BOB.id, userName: 'Bob', choice: 'Wait' }]);
    await r2.host.press(CH, ALICE, 1, 'Right');
    clock.advance(7000);
    const next = await waitForView(r2.host, CH, (x) => x.status === 'playing' && x.turn === 2);
    assert.equal(next.scene?.text, 'Scene 2 after Left, Wait+Right');
    assert.equal((await r2.host.history(CH)).length, 2);

    // Restart in the middle of a narration: the turn is narrated again after the restart.
    await r2.host.press(CH, ALICE, 2, 'Left');
    r2.narrator.hangNext();
    clock.advance(10_000);
    await waitForView(r2.host, CH, (x) => x.status === 'narrating');
    await r2.host.close();
    await r2.store.close();
    const r3 = rig({ store: new SqliteStore(file), clock, narrator: new ScriptNarrator() });
    const resumed = await waitForView(r3.host, CH, (x) => x.status === 'playing' && x.turn === 3);
    assert.equal(resumed.scene?.text, 'Scene 3 after Left, Wait+Right, Left');
    await r3.host.close();
    await r3.store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('rate limit: a player pressing too fast is refused with the wait; others are not', async () => {
  const r = rig({ host: { pressRateLimit: { presses: 3, perMs: 1000 } } });
  await r.host.boot(CH, ALICE, SCRIPT);
  for (const choice of ['Left', 'Right', 'Wait']) await r.host.press(CH, ALICE, 0, choice);
  r.clock.advance(400);
  await assert.rejects(r.host.press(CH, ALICE, 0, 'Left'), (e: unknown) => {
    assert.ok(e instanceof RateLimitedError);
    assert.equal(e.code, 'RATE_LIMITED');
    assert.equal(e.retryAfterMs, 600);
    return true;
  });
  await r.host.press(CH, BOB, 0, 'Left');
  const view = await r.host.view(CH);
  assert.deepEqual(
    view.window?.chosen.map((c) => c.choice),
    ['Wait', 'Left'],
    'the refused press changed nothing',
  );
  r.clock.advance(600);
  await r.host.press(CH, ALICE, 0, 'Right');
  await r.host.close();
});

test('close(): timers disposed, narrations aborted, further calls refused', async () => {
  const r = rig();
  await r.host.boot(CH, ALICE, SCRIPT);
  await r.host.press(CH, ALICE, 0, 'Left');
  await r.host.close();
  assert.equal(r.clock.pendingTimers, 0);
  await assert.rejects(r.host.view(CH), { code: 'WRONG_STATE' });
  await r.host.close();
});

test('bad input is refused before anything changes', async () => {
  const r = rig();
  await assert.rejects(r.host.boot(CH, ALICE, { kind: 'nope' } as never), {
    code: 'INVALID_INPUT',
  });
  await assert.rejects(r.host.boot(CH, { id: '', name: 'x' }, SCRIPT), { code: 'INVALID_INPUT' });
  await assert.rejects(r.host.view(''), { code: 'INVALID_INPUT' });
  assert.equal((await r.host.view(CH)).status, 'idle');
  await r.host.close();
});

test('a press for a game swapped out since is stale, even on the same turn number', async () => {
  const r = rig();
  const a = await r.host.boot(CH, ALICE, SCRIPT, { title: 'Game A' });
  const aId = a.game?.gameId as string;
  await r.host.press(CH, BOB, 0, 'Left', { gameId: aId });
  await r.host.exit(CH, ALICE);
  const b = await r.host.boot(CH, ALICE, SCRIPT, { title: 'Game B' });
  assert.equal(b.turn, 0);
  // Game A's button (turn 0, same label) must not land in game B.
  await assert.rejects(r.host.press(CH, BOB, 0, 'Left', { gameId: aId }), StaleTurnError);
  assert.deepEqual((await r.host.view(CH)).window, null);
  await r.host.press(CH, BOB, 0, 'Left', { gameId: b.game?.gameId as string });
  assert.equal((await r.host.view(CH)).window?.chosen.length, 1);
  await r.host.close();
});

test("a new game is named by the narrator (a cartridge's title) unless the player names it", async () => {
  const r = rig({ narrator: new ScriptNarrator({ title: 'Script Quest' }) });
  assert.equal((await r.host.boot(CH, ALICE, SCRIPT)).game?.gameName, 'Script Quest');
  await r.host.exit(CH, ALICE);
  assert.equal((await r.host.boot(CH, ALICE, SCRIPT, { title: 'Mine' })).game?.gameName, 'Mine');
  await r.host.close();
});
