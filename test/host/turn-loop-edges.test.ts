// The host's turn loop at its edges, through GameHost: what it reports to the metrics, the text it
// streams, a countdown whose close fails, and what the view shows around a failed or decided turn.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  GameSessionError,
  InvalidInputError,
  StaleTurnError,
  StoreError,
} from '../../src/core/errors.js';
import { NarratingError, WrongStateError } from '../../src/host/errors.js';
import type { HostMetrics, PressOutcome } from '../../src/host/metrics.js';
import { STORE_UNREACHABLE_NOTICE } from '../../src/host/store-faults.js';
import type { ChannelView, HostEvent } from '../../src/host/types.js';
import { type Narrator, NarratorError } from '../../src/narrator/port.js';
import { FlakyStore } from '../helpers/flaky-store.js';
import { ScriptNarrator } from '../helpers/script-narrator.js';
import { ALICE, BOB, CH, closeWindow, flush, rig, SCRIPT, waitForView } from './_harness.js';

/** Keeps what the host reports, in order (the composition root turns these into Prometheus). */
class RecordedMetrics implements HostMetrics {
  readonly presses: PressOutcome[] = [];
  readonly narrations: Array<[string, number, string | null]> = [];
  readonly scenes: number[] = [];
  press(outcome: PressOutcome): void {
    this.presses.push(outcome);
  }
  narration(kind: 'opening' | 'turn', ms: number, failure: string | null): void {
    this.narrations.push([kind, ms, failure]);
  }
  sceneShown(ms: number): void {
    this.scenes.push(ms);
  }
}

/** Resolves once `cond` holds, letting the loop's continuations run in between. */
async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200 && !cond(); i++) await flush(5);
  assert.ok(cond(), `waited for ${what}`);
}

test("metrics: openings and turns are timed on the host's clock, from the window's close to the scene shown", async () => {
  const metrics = new RecordedMetrics();
  const r = rig({ host: { metrics, narratorTimeoutMs: 5000 } });
  let release = r.narrator.hold();
  const booting = r.host.boot(CH, ALICE, SCRIPT);
  await until(() => r.narrator.opens.length === 1, 'the opening');
  r.clock.advance(250);
  release();
  await booting;
  assert.deepEqual(metrics.narrations, [['opening', 250, null]]);

  await r.host.press(CH, ALICE, 0, 'Left');
  release = r.narrator.hold();
  r.clock.advance(10_000);
  await until(() => r.narrator.turns.length === 1, 'the narration');
  r.clock.advance(700);
  release();
  await waitForView(r.host, CH, (v) => v.status === 'playing' && v.turn === 1);
  assert.deepEqual(metrics.narrations.slice(1), [['turn', 700, null]]);
  assert.deepEqual(metrics.scenes, [700]);

  // A failed narration is counted by its kind, and no scene is shown.
  await r.host.press(CH, ALICE, 1, 'Right');
  r.narrator.failNext(new NarratorError('http', 'HTTP 503'));
  r.clock.advance(10_000);
  await waitForView(r.host, CH, (v) => v.status === 'failed');
  assert.deepEqual(metrics.narrations.slice(2), [['turn', 0, 'http']]);
  assert.deepEqual(metrics.scenes, [700]);
  r.clock.advance(300);
  await r.host.retry(CH, BOB);
  assert.deepEqual(metrics.narrations.slice(3), [['turn', 0, null]]);
  // A retried turn's scene is counted from its window's close, not from the retry.
  assert.deepEqual(metrics.scenes, [700, 300]);

  // An opening that never answers times out; it is counted as one.
  r.narrator.hangNext();
  const other = r.host.boot('channel-2', BOB, SCRIPT);
  await until(() => r.narrator.opens.length === 2, 'the second opening');
  r.clock.advance(5000);
  await assert.rejects(
    other,
    (e: unknown) => e instanceof NarratorError && e.failure === 'timeout',
  );
  assert.deepEqual(metrics.narrations.slice(4), [['opening', 5000, 'timeout']]);
  await r.host.close();
});

test('empty text deltas are not streamed; every other piece is, in order, for the opening and each turn', async () => {
  const script = new ScriptNarrator();
  // The script's narrator, with an empty delta around each piece of text it streams.
  const padded: Narrator = {
    open: (i) =>
      script.open({
        ...i,
        onText: (d) => {
          i.onText?.('');
          i.onText?.(d);
        },
      }),
    next: (i) =>
      script.next({
        ...i,
        onText: (d) => {
          i.onText?.('');
          i.onText?.(d);
          i.onText?.('');
        },
      }),
  };
  const r = rig({ narrator: script, host: { narrators: () => padded } });
  // Each delta, with '*' before the first of a turn's text (an adapter then drops the text of an
  // attempt cut off before it; an opening has no earlier attempt).
  const texts = (): string[] =>
    r.events.flatMap((e: HostEvent) =>
      e.type === 'text' ? [`${e.first === true ? '*' : ''}${e.delta}`] : [],
    );
  await r.host.boot(CH, ALICE, SCRIPT);
  assert.deepEqual(texts(), ['Scene 0 aft', 'er nothing']);
  await r.host.press(CH, ALICE, 0, 'Left');
  await closeWindow(r);
  assert.deepEqual(texts().slice(2), ['*Scene 1 a', 'fter Left']);
  await r.host.close();
});

test('a narrator that streams on after the game was exited reaches nobody', async () => {
  const r = rig();
  await r.host.boot(CH, ALICE, SCRIPT);
  await r.host.press(CH, ALICE, 0, 'Left');
  const release = r.narrator.hold(); // the script narrator streams once released, aborted or not
  r.clock.advance(10_000);
  await until(() => r.narrator.turns.length === 1, 'the narration');
  await r.host.exit(CH, ALICE);
  const after = r.events.length;
  release();
  await flush();
  assert.deepEqual(
    r.events.slice(after).map((e) => e.type),
    [],
  );
  const reason: unknown = r.narrator.turns[0]?.signal?.reason;
  assert.ok(reason instanceof NarratorError, 'the narrator is told why it was stopped');
  assert.equal(reason.failure, 'aborted');
  assert.equal(reason.message, 'the game was exited or swapped out');
  await r.host.close();
});

test('a countdown whose close fails for good shows why, and the channel stays usable', async () => {
  const store = new FlakyStore();
  const r = rig({ store });
  await r.host.boot(CH, ALICE, SCRIPT);
  await r.host.press(CH, BOB, 0, 'Wait');
  await closeWindow(r);
  await r.host.press(CH, ALICE, 1, 'Left');
  store.closeFailures.push(new Error('the disk is on fire'));
  r.clock.advance(10_000);
  const v = await waitForView(r.host, CH, (x) => x.error !== null);
  assert.equal(v.error, 'The countdown could not be closed: the disk is on fire');
  const views = (): ChannelView[] =>
    r.events.flatMap((e: HostEvent) => (e.type === 'view' ? [e.view] : []));
  assert.ok(
    views().some((x) => x.error === v.error),
    'the failure is pushed to the subscribers',
  );
  const seen = views().length;
  // A later press finds the window past its deadline and closes it: the turn goes on.
  await assert.rejects(r.host.press(CH, BOB, 1, 'Right'), { code: 'WINDOW_CLOSED' });
  const next = await waitForView(r.host, CH, (x) => x.status === 'playing' && x.turn === 2);
  assert.equal(next.error, null);
  const closing = views()
    .slice(seen)
    .find((x) => x.status === 'narrating');
  assert.equal(closing?.error, null, 'the error is gone once the window closed');
  assert.equal(next.scene?.text, 'Scene 2 after Wait, Left');
  await r.host.close();
});

test('a narration aborted by an exit is not counted as a failed one, and is not shown as failed', async () => {
  const metrics = new RecordedMetrics();
  const r = rig({ host: { metrics } });
  const a = await r.host.boot(CH, ALICE, SCRIPT);
  await r.host.press(CH, ALICE, 0, 'Right');
  r.narrator.hangNext();
  r.clock.advance(10_000);
  await until(() => r.narrator.turns.length === 1, 'the narration');
  await r.host.exit(CH, ALICE);
  await flush();
  assert.deepEqual(metrics.narrations, [['opening', 0, null]]);
  const saved = await r.store.loadGame(a.game?.gameId ?? '');
  assert.equal(saved?.extra.unresolved, null, 'the aborted turn is not stored as failed');
  await r.host.close();
});

test("'host decides': a failed turn keeps the pick; its retry narrates it again without asking", async () => {
  const r = rig({ settings: { aggregation: 'host' } });
  const booted = await r.host.boot(CH, ALICE, SCRIPT);
  await r.host.press(CH, ALICE, 0, 'Left');
  await r.host.press(CH, BOB, 0, 'Right');
  r.clock.advance(10_000);
  await waitForView(r.host, CH, (v) => v.decision !== null);
  r.narrator.failNext(new NarratorError('unreachable', 'no route'));
  await r.host.decide(CH, ALICE, 'Right');
  const failed = await waitForView(r.host, CH, (v) => v.status === 'failed');
  assert.equal(failed.decision, null, 'no decision is asked for while failed');
  const saved = await r.store.loadGame(booted.game?.gameId ?? '');
  assert.equal(saved?.extra.deciding, undefined, 'no pending pick is stored with the failure');

  // The retry is shown as narrating at once (and stored so), with the same pick.
  const views: string[] = [];
  r.host.subscribe(CH, (e) => {
    if (e.type === 'view')
      views.push(`${e.view.status}:${e.view.error ?? '-'}:${e.view.decision !== null}`);
  });
  const release = r.narrator.hold();
  const retried = r.host.retry(CH, BOB);
  await until(() => r.narrator.turns.length === 2, 'the retried narration');
  assert.equal(views[0], 'narrating:-:false');
  const during = await r.store.loadGame(booted.game?.gameId ?? '');
  assert.equal(during?.extra.unresolved, null);
  release();
  const done = await retried;
  assert.equal(done.status, 'playing');
  assert.equal(r.narrator.turns[1]?.decidedChoice, 'Right');
  assert.equal(done.scene?.text, 'Scene 1 after Right');
  assert.equal(views.filter((v) => v.endsWith(':true')).length, 0, 'never asked again');
  await r.host.close();
});

test('the narrator is given the game, the players by name, who booted it and its own state', async () => {
  const r = rig();
  const booted = await r.host.boot(CH, ALICE, SCRIPT, { title: 'Named' });
  await r.host.press(CH, ALICE, 0, 'Left');
  await r.host.press(CH, BOB, 0, 'Wait');
  await closeWindow(r);
  const call = r.narrator.turns[0];
  assert.ok(call);
  assert.equal(call.gameId, booted.game?.gameId);
  assert.equal(call.gameName, 'Named');
  assert.equal(call.bootedBy, ALICE.id);
  assert.deepEqual(
    [...call.playerNames],
    [
      [ALICE.id, 'Alice'],
      [BOB.id, 'Bob'],
    ],
  );
  assert.deepEqual(call.state, { step: 0, path: [] });
  assert.deepEqual(call.scene, {
    text: 'Scene 0 after nothing',
    choices: ['Left', 'Right', 'Wait'],
    ended: false,
  });
  await r.host.press(CH, BOB, 1, 'Right');
  await closeWindow(r);
  assert.deepEqual(r.narrator.turns[1]?.state, { step: 1, path: ['Left+Wait'] });
  assert.deepEqual(
    r.narrator.turns[1]?.history.map((t) => [t.turn, t.narrativeSummary]),
    [[1, 'chose Left+Wait']],
  );
  await r.host.close();
});

test("a failed turn says what failed, in the player's words, and that no press was lost", async () => {
  const r = rig({ host: { narratorTimeoutMs: 2500 } });
  await r.host.boot(CH, ALICE, SCRIPT);
  const tail = ' Retry the turn: no press was lost.';
  const cases: Array<[unknown, string]> = [
    [new NarratorError('aborted', 'cut short. '), 'The narration was interrupted: cut short.'],
    [
      new NarratorError('malformed', 'not JSON'),
      'The narrator answered with something unusable: not JSON.',
    ],
    [new NarratorError('http', 'HTTP 502...'), 'The narrator service returned an error: HTTP 502.'],
    [
      new NarratorError('unreachable', 'ECONNREFUSED'),
      'The narrator service could not be reached: ECONNREFUSED.',
    ],
    [new NarratorError('story', 'ink error'), 'The story cartridge hit an error: ink error.'],
    [
      new NarratorError('budget', '1000 tokens'),
      'The game is paused at its token cap: 1000 tokens.',
    ],
    [new StoreError('the store is down.'), 'The turn could not be saved (the store is down).'],
    [
      new GameSessionError('X', 'a rule said no'),
      'The turn could not be completed: a rule said no.',
    ],
    [new TypeError('x is undefined'), 'The narrator failed unexpectedly: x is undefined.'],
    ['a bare string', 'The narrator failed unexpectedly: a bare string.'],
  ];
  let turn = 0;
  for (const [error, message] of cases) {
    await r.host.press(CH, ALICE, turn, 'Left');
    r.narrator.failNext(error as Error);
    r.clock.advance(10_000);
    const v = await waitForView(r.host, CH, (x) => x.status === 'failed');
    assert.equal(v.error, `${message}${tail}`);
    const done = await r.host.retry(CH, ALICE);
    assert.equal(done.status, 'playing');
    turn = done.turn;
  }
  // A narrator that does not answer in time: the limit is said in seconds.
  await r.host.press(CH, ALICE, turn, 'Left');
  r.narrator.hangNext();
  r.clock.advance(10_000);
  await until(() => r.narrator.turns.length === cases.length * 2 + 1, 'the narration');
  r.clock.advance(2500);
  const v = await waitForView(r.host, CH, (x) => x.status === 'failed');
  assert.equal(
    v.error,
    `The narrator took too long: the narrator did not answer within 2.5 s.${tail}`,
  );
  await r.host.close();
});

test('refusals on a channel without a game, and of what is not offered, say why', async () => {
  const r = rig({ settings: { closeWhenAllChosen: true } });
  await assert.rejects(r.host.press(CH, ALICE, 0, 'Left'), {
    code: 'SESSION_INACTIVE',
    message: 'no game is running in this channel; boot or load one',
  });
  await assert.rejects(r.host.retry(CH, ALICE), {
    code: 'WRONG_STATE',
    message: 'nothing to retry: the last turn did not fail',
  });
  await assert.rejects(r.host.exit(CH, ALICE), { code: 'SESSION_INACTIVE' });
  await assert.rejects(r.host.xcard(CH, ALICE, 0), {
    code: 'SESSION_INACTIVE',
    message: 'no game is running in this channel',
  });
  // Someone arriving at an empty table changes nothing.
  const idle = await r.host.here(CH, BOB);
  assert.equal(idle.status, 'idle');
  await r.host.boot(CH, ALICE, SCRIPT);
  await assert.rejects(r.host.press(CH, ALICE, 0, 'Up'), {
    code: 'INVALID_INPUT',
    message: "choice: is not one of this scene's choices",
  });
  await assert.rejects(r.host.retry(CH, ALICE), { code: 'WRONG_STATE' });
  await r.host.close();
});

test('an exit with a window open leaves a clean idle channel; a load mid-narration is shown once', async () => {
  const r = rig();
  const a = await r.host.boot(CH, ALICE, SCRIPT);
  await r.host.press(CH, ALICE, 0, 'Left');
  const idle = await r.host.exit(CH, ALICE);
  await flush();
  assert.equal(idle.error, null);
  assert.equal((await r.host.view(CH)).error, null, 'the cancelled countdown is no error');

  // Loaded with its window closed and its turn not narrated: one 'narrating' view, then the scene.
  await r.host.load(CH, ALICE, a.game?.gameId ?? '');
  await r.host.press(CH, ALICE, 0, 'Left');
  r.narrator.hangNext();
  r.clock.advance(10_000);
  await until(() => r.narrator.turns.length === 1, 'the narration');
  await r.host.exit(CH, ALICE);
  const release = r.narrator.hold();
  const views: string[] = [];
  r.host.subscribe(CH, (e) => {
    if (e.type === 'view') views.push(e.view.status);
  });
  const back = await r.host.load(CH, ALICE, a.game?.gameId ?? '');
  assert.equal(back.status, 'narrating');
  await until(() => r.narrator.turns.length === 2, 'the narration again');
  assert.deepEqual(views, ['narrating']);
  release();
  await waitForView(r.host, CH, (v) => v.status === 'playing' && v.turn === 1);
  await r.host.close();
});

test('closing the host aborts an opening under way', async () => {
  const r = rig();
  r.narrator.hangNext();
  const booting = r.host.boot(CH, ALICE, SCRIPT);
  await until(() => r.narrator.opens.length === 1, 'the opening');
  await r.host.close();
  await assert.rejects(booting, (e: unknown) => {
    assert.ok(e instanceof NarratorError);
    assert.equal(e.failure, 'aborted');
    assert.equal(e.message, 'the host is closing');
    return true;
  });
});

test("'host decides': after the pick the turn shows 'narrating' with no decision, and none is left behind", async () => {
  const r = rig({ settings: { aggregation: 'host' } });
  const booted = await r.host.boot(CH, ALICE, SCRIPT);
  await r.host.press(CH, ALICE, 0, 'Left');
  await r.host.press(CH, BOB, 0, 'Right');
  r.clock.advance(10_000);
  await waitForView(r.host, CH, (v) => v.decision !== null);
  await assert.rejects(r.host.press(CH, BOB, 1, 'Left'), (e: unknown) => {
    assert.ok(e instanceof NarratingError);
    assert.equal(e.phase, 'deciding');
    return true;
  });
  const release = r.narrator.hold();
  const picked = await r.host.decide(CH, ALICE, 'Left');
  assert.equal(picked.decision, null, 'the view decide answers with asks no more');
  await until(() => r.narrator.turns.length === 1, 'the narration');
  const narrating = await r.host.view(CH);
  assert.equal(narrating.status, 'narrating');
  assert.equal(narrating.decision, null);
  await assert.rejects(r.host.press(CH, BOB, 1, 'Left'), (e: unknown) => {
    assert.ok(e instanceof NarratingError);
    assert.equal(e.phase, 'narrating', 'the pick is made: the narrator is writing');
    assert.equal(e.message, 'the narrator is writing the next scene; wait for it');
    return true;
  });
  release();
  await waitForView(r.host, CH, (v) => v.status === 'playing' && v.turn === 1);
  const saved = await r.store.loadGame(booted.game?.gameId ?? '');
  assert.equal(saved?.extra.deciding, undefined, 'no decision is stored with the next scene');

  // The next turn has one option: narrated without a decision, none shown meanwhile.
  await r.host.press(CH, BOB, 1, 'Wait');
  const held = r.narrator.hold();
  r.clock.advance(10_000);
  await until(() => r.narrator.turns.length === 2, 'the second narration');
  const next = await r.host.view(CH);
  assert.equal(next.status, 'narrating');
  assert.equal(next.decision, null);
  held();
  await waitForView(r.host, CH, (v) => v.status === 'playing' && v.turn === 2);
  assert.equal(r.narrator.turns[1]?.decidedChoice, 'Wait');
  await r.host.close();
});

test("'host decides': an exit while the pick is awaited ends the wait; loaded back, the pick is asked again", async () => {
  const r = rig({ settings: { aggregation: 'host' } });
  assert.equal(await r.host.ready(), true);
  const a = await r.host.boot(CH, ALICE, SCRIPT);
  await r.host.press(CH, ALICE, 0, 'Left');
  await r.host.press(CH, BOB, 0, 'Right');
  r.clock.advance(10_000);
  await waitForView(r.host, CH, (v) => v.decision !== null);
  await r.host.exit(CH, ALICE);
  const back = await r.host.load(CH, ALICE, a.game?.gameId ?? '');
  assert.equal(back.status, 'narrating');
  assert.deepEqual(back.decision, { userId: ALICE.id, options: ['Left', 'Right'] }, 'at once');
  const asked = await waitForView(r.host, CH, (v) => v.decision !== null);
  assert.deepEqual(asked.decision, { userId: ALICE.id, options: ['Left', 'Right'] });
  await r.host.decide(CH, ALICE, 'Left');
  const v = await waitForView(r.host, CH, (x) => x.status === 'playing' && x.turn === 1);
  assert.equal(v.scene?.text, 'Scene 1 after Left');
  assert.equal(r.narrator.turns.length, 1);
  const saved = await r.store.loadGame(a.game?.gameId ?? '');
  assert.equal(saved?.extra.deciding, undefined, 'the pick asked again is not kept either');
  // Closing the host while a pick is awaited ends that wait too.
  await r.host.press(CH, ALICE, 1, 'Left');
  await r.host.press(CH, BOB, 1, 'Wait');
  r.clock.advance(10_000);
  await waitForView(r.host, CH, (x) => x.decision !== null);
  await r.host.close();
  assert.equal(await r.host.ready(), false);
});

test('a window stuck past its deadline on an unreachable store tells the players, until it closes', async () => {
  const store = new FlakyStore();
  const r = rig({ store });
  await r.host.boot(CH, ALICE, SCRIPT);
  await r.host.press(CH, ALICE, 0, 'Left');
  const down = () => new StoreError('connection refused');
  store.closeFailures.push(down(), down(), down(), down());
  r.clock.advance(10_000); // the close fails, and is retried every second
  await flush();
  r.clock.advance(2000);
  await flush();
  assert.equal((await r.host.view(CH)).notice, null, 'not yet overdue');
  r.clock.advance(600);
  const stuck = await waitForView(r.host, CH, (v) => v.notice !== null);
  assert.equal(stuck.notice, STORE_UNREACHABLE_NOTICE);
  assert.equal(stuck.status, 'counting');
  const notices: Array<[string, string | null]> = [];
  r.host.subscribe(CH, (e) => {
    if (e.type === 'view') notices.push([e.view.status, e.view.notice ?? null]);
  });
  for (let i = 0; i < 3; i++) {
    r.clock.advance(1000);
    await flush();
  }
  const next = await waitForView(r.host, CH, (v) => v.status === 'playing' && v.turn === 1);
  assert.equal(next.notice, null);
  assert.equal(next.scene?.text, 'Scene 1 after Left');
  assert.deepEqual(notices[0], ['narrating', null], 'gone as soon as the window closed');

  // A close that is only slow to answer is not taken for an unreachable store.
  await r.host.press(CH, BOB, 1, 'Right');
  let answer = (): void => {};
  store.closeAnswerGate = new Promise<void>((resolve) => {
    answer = resolve;
  });
  r.clock.advance(10_000);
  await flush();
  r.clock.advance(6000);
  await flush();
  assert.equal((await r.host.view(CH)).notice, null);
  store.closeAnswerGate = null;
  answer();
  const after = await waitForView(r.host, CH, (v) => v.status === 'playing' && v.turn === 2);
  assert.equal(after.notice, null);
  await r.host.close();
});

test("'host decides': a pick made before an exit is narrated when the game is loaded, without asking again", async () => {
  const r = rig({ settings: { aggregation: 'host' } });
  const a = await r.host.boot(CH, ALICE, SCRIPT);
  const gameId = a.game?.gameId ?? '';
  await r.host.press(CH, ALICE, 0, 'Left');
  await r.host.press(CH, BOB, 0, 'Right');
  r.clock.advance(10_000);
  await waitForView(r.host, CH, (v) => v.decision !== null);
  r.narrator.hangNext();
  await r.host.decide(CH, ALICE, 'Right');
  await until(() => r.narrator.turns.length === 1, 'the narration of the pick');
  // A write of the game meanwhile (the countdown changed) keeps the pick.
  await r.host.setCountdown(CH, ALICE, 20);
  await r.host.exit(CH, ALICE); // the narration is aborted; the pick is stored with the game
  const views: Array<string | null> = [];
  r.host.subscribe(CH, (e) => {
    if (e.type === 'view') views.push(e.view.decision === null ? null : 'asked');
  });
  await r.host.load(CH, ALICE, gameId);
  const v = await waitForView(r.host, CH, (x) => x.status === 'playing' && x.turn === 1);
  assert.equal(v.scene?.text, 'Scene 1 after Right');
  assert.equal(r.narrator.turns[1]?.decidedChoice, 'Right');
  assert.ok(!views.includes('asked'), 'nobody is asked for the pick again');
  const saved = await r.store.loadGame(gameId);
  assert.equal(saved?.extra.deciding, undefined, 'no decision is stored with the next scene');
  await r.host.close();
});

test('exited and loaded back on a later turn, a game follows its next window; an exit forgets a failure', async () => {
  const r = rig();
  const a = await r.host.boot(CH, ALICE, SCRIPT);
  await r.host.press(CH, ALICE, 0, 'Left');
  await closeWindow(r);
  await r.host.press(CH, ALICE, 1, 'Right');
  const saved = await r.host.exit(CH, ALICE);
  assert.match(saved.notice ?? '', /^💾 Saved/);
  const loaded = await r.host.load(CH, ALICE, a.game?.gameId ?? '');
  assert.equal(loaded.notice, null, 'the idle notice goes with the idle channel');
  await r.host.press(CH, BOB, 1, 'Wait');
  const next = await closeWindow(r);
  assert.equal(next.turn, 2);
  assert.equal(next.scene?.text, 'Scene 2 after Left, Right+Wait');

  // A failed turn, then an exit: the idle channel shows no error, nor does a new game.
  await assert.rejects(r.host.retry(CH, ALICE), WrongStateError);
  await r.host.press(CH, ALICE, 2, 'Left');
  r.narrator.failNext(new NarratorError('http', 'HTTP 500'));
  r.clock.advance(10_000);
  const failed = await waitForView(r.host, CH, (v) => v.status === 'failed');
  assert.notEqual(failed.error, null);
  const idle = await r.host.exit(CH, ALICE);
  assert.equal(idle.error, null);
  await assert.rejects(r.host.retry(CH, ALICE), WrongStateError);
  const b = await r.host.boot(CH, ALICE, SCRIPT);
  assert.equal(b.status, 'playing');
  assert.equal(b.error, null);
  await r.host.close();
});

test('a press on an earlier scene is stale, even with a choice the scene on screen does not offer', async () => {
  const script = new ScriptNarrator();
  // Every scene after the opening offers other choices than the opening's.
  const compass: Narrator = {
    open: (i) => script.open(i),
    next: async (i) => {
      const n = await script.next(i);
      return { ...n, scene: { ...n.scene, choices: ['North', 'South'] } };
    },
  };
  const r = rig({ narrator: script, host: { narrators: () => compass } });
  await r.host.boot(CH, ALICE, SCRIPT);
  await r.host.press(CH, ALICE, 0, 'Left');
  const next = await closeWindow(r);
  assert.deepEqual(next.scene?.choices, ['North', 'South']);
  await assert.rejects(r.host.press(CH, BOB, 0, 'Left'), StaleTurnError);
  await assert.rejects(r.host.press(CH, BOB, 1, 'Left'), InvalidInputError);
  await r.host.close();
});

test('an X-card whose close the store refuses changes nothing: the scene stays, its next window is narrated', async () => {
  const store = new FlakyStore();
  const r = rig({ store });
  const a = await r.host.boot(CH, ALICE, SCRIPT);
  await r.host.press(CH, BOB, 0, 'Wait');
  await closeWindow(r);
  store.closeFailures.push(new StoreError('connection refused'));
  await assert.rejects(r.host.xcard(CH, ALICE, 1), StoreError);
  const v = await r.host.view(CH);
  assert.equal(v.status, 'playing');
  assert.equal(v.scene?.text, 'Scene 1 after Wait');
  const saved = await r.store.loadGame(a.game?.gameId ?? '');
  assert.equal(saved?.extra.aside, undefined, 'no mark is left with the game');
  await r.host.press(CH, ALICE, 1, 'Left');
  const next = await closeWindow(r);
  assert.equal(next.scene?.text, 'Scene 2 after Wait, Left');
  assert.equal(r.narrator.rewrites.length, 0);
  await r.host.close();
});

test('X-cards: one for a game swapped out since is stale; two at once set the scene aside once', async () => {
  const r = rig();
  await r.host.boot(CH, ALICE, SCRIPT);
  await assert.rejects(r.host.xcard(CH, ALICE, 0, { gameId: 'another-game' }), StaleTurnError);
  await r.host.press(CH, ALICE, 0, 'Left');
  const gameId = (await r.host.view(CH)).game?.gameId ?? '';
  const [first, second] = await Promise.allSettled([
    r.host.xcard(CH, ALICE, 0, { gameId }),
    r.host.xcard(CH, BOB, 0),
  ]);
  assert.equal(first.status, 'fulfilled');
  assert.equal(second.status, 'rejected');
  assert.ok(second.status === 'rejected' && second.reason instanceof NarratingError);
  assert.equal(second.reason.phase, 'narrating');
  const v = await waitForView(r.host, CH, (x) => x.status === 'playing' && x.turn === 1);
  assert.equal(v.scene?.text, 'Scene 0 rewritten after nothing');
  assert.equal(r.narrator.rewrites.length, 1);

  // With no window open, the X-card shows 'narrating' at once; during a narration it is refused.
  const seen = r.events.length;
  const release = r.narrator.hold();
  await r.host.xcard(CH, BOB, 1);
  assert.ok(r.events.slice(seen).some((e) => e.type === 'view' && e.view.status === 'narrating'));
  release();
  await waitForView(r.host, CH, (x) => x.status === 'playing' && x.turn === 2);
  await r.host.press(CH, ALICE, 2, 'Left');
  const held = r.narrator.hold();
  r.clock.advance(10_000);
  await waitForView(r.host, CH, (x) => x.status === 'narrating');
  await assert.rejects(r.host.xcard(CH, BOB, 2), NarratingError);
  held();
  await waitForView(r.host, CH, (x) => x.status === 'playing' && x.turn === 3);
  await r.host.close();
});
