// What the host takes from a narrator and from the caller before it is shown, through GameHost:
// scenes that are checked (and refused as the narrator's failure), summaries that are cleaned,
// narrator state that may be absent, users that must be users, and a new game's default name.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { NarrationResult, Narrator, TurnInput } from '../../src/narrator/port.js';
import { ScriptNarrator } from '../helpers/script-narrator.js';
import { ALICE, BOB, CAROL, CH, closeWindow, rig, SCRIPT, waitForView } from './_harness.js';

/** The script's narrator, with each turn's result changed by `change` (a narrator's bad day). */
function changed(change: (r: NarrationResult, i: TurnInput) => NarrationResult): {
  script: ScriptNarrator;
  narrator: Narrator;
} {
  const script = new ScriptNarrator();
  const narrator: Narrator = {
    open: (i) => script.open(i),
    next: async (i) => change(await script.next(i), i),
  };
  return { script, narrator };
}

test("a narrator's scene is checked before it is shown; a bad one fails the turn, saying why", async () => {
  const bad: Array<[unknown, string]> = [
    [{ text: 'x', choices: ['A', 'A'], ended: false }, 'the same choice twice'],
    [
      { text: 'x', choices: ['A', ' '], ended: false },
      'an unusable choice (choice: must not be blank; at most 500 characters)',
    ],
    [
      { text: 'x', choices: ['A', 'c'.repeat(501)], ended: false },
      'an unusable choice (choice: must be at most 500 characters; at most 500 characters)',
    ],
    [{ text: 'x', choices: 'A', ended: false }, "the narrator's scene is malformed (choices:"],
    [null, "the narrator's scene is malformed ((root):"],
    [{ text: 'é'.repeat(16_001), choices: ['A'], ended: false }, 'longer than 16000 characters'],
    [
      { text: 'x', choices: Array.from({ length: 26 }, (_, i) => `c${i}`), ended: false },
      'more than 25 choices',
    ],
  ];
  let next: { scene: unknown } | null = null;
  const { script, narrator } = changed((r) =>
    next === null ? r : { ...r, scene: next.scene as never },
  );
  const r = rig({ narrator: script, host: { narrators: () => narrator } });
  await r.host.boot(CH, ALICE, SCRIPT);
  let turn = 0;
  for (const [scene, why] of bad) {
    next = { scene };
    await r.host.press(CH, ALICE, turn, 'Left');
    const failed = await closeWindow(r).catch(() => r.host.view(CH));
    assert.equal(failed.status, 'failed', JSON.stringify(scene));
    assert.ok(
      failed.error?.startsWith('The narrator answered with something unusable: '),
      failed.error ?? '',
    );
    assert.ok(failed.error?.includes(why), `${failed.error} should say ${why}`);
    next = null;
    turn = (await r.host.retry(CH, ALICE)).turn;
  }
  // At the limits: 16,000 characters (counted in code points) and 25 choices are shown.
  const full = {
    text: '😀'.repeat(16_000),
    choices: Array.from({ length: 25 }, (_, i) => `c${i}`),
    ended: false,
  };
  next = { scene: full };
  await r.host.press(CH, ALICE, turn, 'Left');
  const shown = await closeWindow(r);
  assert.equal(shown.status, 'playing');
  assert.equal(shown.scene?.choices.length, 25);
  turn = shown.turn;
  // An ended story needs no choices; the choices shown are a copy of the narrator's.
  const last = { text: 'The end', choices: [] as string[], ended: true };
  next = { scene: last };
  await r.host.press(CH, ALICE, turn, 'c0');
  const ended = await closeWindow(r);
  assert.equal(ended.status, 'ended');
  assert.deepEqual(ended.scene, { text: 'The end', choices: [], ended: true });
  await r.host.close();
});

test("a narrator's summary is cleaned into the record; a turn without narrator state stores none", async () => {
  const { script, narrator } = changed((r, i) =>
    i.turn === 0
      ? { ...r, summary: '  they went\u202E left  ' }
      : // A JavaScript narrator that leaves its state out.
        ({ scene: r.scene, summary: r.summary } as NarrationResult),
  );
  const states: unknown[] = [];
  const watching: Narrator = {
    open: (i) => narrator.open(i),
    next: (i) => {
      states.push(i.state);
      return narrator.next(i);
    },
  };
  const r = rig({ narrator: script, host: { narrators: () => watching } });
  await r.host.boot(CH, ALICE, SCRIPT);
  await r.host.press(CH, ALICE, 0, 'Left');
  await closeWindow(r);
  await r.host.press(CH, BOB, 1, 'Right');
  await closeWindow(r).catch(() => {});
  const history = await r.host.history(CH);
  assert.equal(history[0]?.narrativeSummary, 'they went left');
  assert.deepEqual(states, [
    { step: 0, path: [] },
    { step: 1, path: ['Left'] },
  ]);
  // Turn 1's narrator gave no state: null is kept, and the next turn is given null.
  await r.host.press(CH, CAROL, 2, 'Wait');
  await closeWindow(r).catch(() => {});
  assert.equal(states[2], null);
  await r.host.close();
});

test('users must be users; a new game without a title is named after its premise or cartridge', async () => {
  const r = rig();
  for (const user of [null, 'alice', 42]) {
    await assert.rejects(r.host.boot(CH, user as never, SCRIPT), {
      code: 'INVALID_INPUT',
      message: 'user: is required',
    });
  }
  await assert.rejects(r.host.press(CH, { id: 'u-x', name: ' ' }, 0, 'Left'), {
    code: 'INVALID_INPUT',
    message: 'userName: must not be blank',
  });
  const named = async (channel: string, user: typeof ALICE, premise?: string) =>
    (
      await r.host.boot(
        channel,
        user,
        premise === undefined ? { kind: 'llm' } : { kind: 'llm', premise },
      )
    ).game?.gameName;
  assert.equal(await named('c-1', ALICE, '  a   haunted\n\tlighthouse '), 'a haunted lighthouse');
  assert.equal(await named('c-2', BOB, ' \n '), 'Adventure');
  assert.equal(await named('c-3', CAROL), 'Adventure');
  const long = `${'é'.repeat(58)} x${'y'.repeat(10)}`;
  assert.equal(await named('c-4', { id: 'u-d', name: 'D' }, long), `${'é'.repeat(58)}…`);
  const sixty = 'ü'.repeat(60);
  assert.equal(await named('c-5', { id: 'u-e', name: 'E' }, sixty), sixty);
  assert.equal(
    (await r.host.boot('c-6', { id: 'u-f', name: 'F' }, SCRIPT)).game?.gameName,
    'script',
  );
  await r.host.close();
});

test("an X-card's rewrite resumed by a narrator that cannot rewrite (a restart on another narrator) fails the turn, saying so", async () => {
  const r = rig();
  await r.host.boot(CH, ALICE, SCRIPT);
  r.narrator.hangNext();
  await r.host.xcard(CH, BOB, 0);
  await waitForView(r.host, CH, (v) => v.status === 'narrating');
  await r.host.close();

  const script = new ScriptNarrator();
  const plain: Narrator = { open: (i) => script.open(i), next: (i) => script.next(i) };
  const r2 = rig({ store: r.store, clock: r.clock, host: { narrators: () => plain } });
  await r2.host.view(CH);
  const failed = await waitForView(r2.host, CH, (v) => v.status === 'failed');
  assert.equal(
    failed.error,
    'The story cartridge hit an error: this narrator cannot write a scene again. Retry the turn: no press was lost.',
  );
  assert.equal(script.turns.length, 0, 'nothing was narrated in its place');
  await r2.host.close();
});
