import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  checkChoice,
  checkSummary,
  checkText,
  GAME_NAME_MAX_LENGTH,
} from '../../src/core/limits.js';
import type { JsonValue } from '../../src/core/session-state.js';
import {
  DEFAULT_CARTRIDGES_DIR,
  InkNarrator,
  listCartridges,
  loadCartridge,
} from '../../src/narrator/ink.js';
import {
  type NarrationResult,
  NarratorError,
  type NarratorFailure,
  type Scene,
  type TurnInput,
} from '../../src/narrator/port.js';
import { seededRandom } from '../helpers/random.js';

const LONG = 'low-battery';
const SHORT = 'midnight-arcade';
const opening = { gameId: 'g1', gameName: 'test game' };

/** A TurnInput for `prev`, with presses given as [userId, choice] in first-press order. */
function turn(
  prev: NarrationResult,
  presses: [string, string][],
  decidedChoice: string | null = null,
  extra: Partial<TurnInput> = {},
): TurnInput {
  return {
    ...opening,
    turn: 1,
    scene: prev.scene,
    choices: new Map(presses),
    playerNames: new Map(presses.map(([id]) => [id, `Player ${id}`])),
    input: '',
    decidedChoice,
    history: [],
    state: prev.state,
    ...extra,
  };
}

function choiceAt(scene: Scene, i: number): string {
  const c = scene.choices[i];
  assert.ok(c !== undefined, `scene has no choice #${i}: ${JSON.stringify(scene.choices)}`);
  return c;
}

async function rejectsWith(p: Promise<unknown>, failure: NarratorFailure, message?: RegExp) {
  await assert.rejects(p, (error: unknown) => {
    assert.ok(error instanceof NarratorError, `expected NarratorError, got ${String(error)}`);
    assert.equal(error.failure, failure);
    if (message) assert.match(error.message, message);
    return true;
  });
}

/** Every scene shown to players: text and buttons usable on Discord and in the web console. */
function assertPlayableScene(id: string, scene: Scene, where: string) {
  assert.ok(scene.text.length > 0, `${id} ${where}: empty scene text`);
  assert.ok(scene.text.length <= 1800, `${id} ${where}: scene text is ${scene.text.length} chars`);
  assert.equal(scene.text, scene.text.trim());
  checkSummary(scene.text); // newlines allowed, no other control characters
  if (scene.ended) {
    assert.deepEqual(scene.choices, []);
    return;
  }
  const n = scene.choices.length;
  assert.ok(n >= 2 && n <= 6, `${id} ${where}: ${n} choices ${JSON.stringify(scene.choices)}`);
  assert.equal(new Set(scene.choices).size, n, `${id} ${where}: duplicate choice labels`);
  for (const label of scene.choices) {
    checkChoice(label);
    assert.ok([...label].length <= 80, `${id} ${where}: label too long: ${label}`);
    assert.equal(label, label.trim());
  }
}

/** Plays one game to its end with 1–3 players pressing at random; returns turns and ending. */
async function randomWalk(
  narrator: InkNarrator,
  seed: number,
): Promise<{ turns: number; ending: string }> {
  const random = seededRandom(seed);
  let result = await narrator.open(opening);
  assertPlayableScene(narrator.id, result.scene, `seed ${seed} opening`);
  let turns = 0;
  let before = ''; // the scene before the last one: endings may close with a final button
  while (!result.scene.ended) {
    before = result.scene.text;
    assert.ok(turns < 200, `${narrator.id} seed ${seed}: no ending after 200 turns (a loop?)`);
    const players = 1 + Math.floor(random() * 3);
    const presses: [string, string][] = [];
    for (let p = 0; p < players; p++) {
      presses.push([
        `u${p}`,
        choiceAt(result.scene, Math.floor(random() * result.scene.choices.length)),
      ]);
    }
    result = await narrator.next(turn(result, presses, null, { turn: turns + 1 }));
    turns++;
    assertPlayableScene(narrator.id, result.scene, `seed ${seed} turn ${turns}`);
    checkSummary(result.summary);
  }
  return { turns, ending: `${before}\n${result.scene.text}` };
}

test('catalog lists the built-in cartridges with titles and descriptions', () => {
  const catalog = listCartridges();
  const ids = catalog.map((c) => c.id);
  assert.ok(ids.includes(LONG) && ids.includes(SHORT), `catalog: ${ids.join(', ')}`);
  assert.deepEqual(
    catalog.find((c) => c.id === LONG),
    {
      id: LONG,
      title: 'Low Battery',
      description: loadCartridge(LONG).description,
    },
  );
  assert.equal(catalog.find((c) => c.id === SHORT)?.title, 'Midnight Arcade');
  for (const c of catalog) {
    checkText('title', c.title, GAME_NAME_MAX_LENGTH);
    assert.ok(c.description.length > 20, `${c.id}: description missing`);
    checkSummary(c.description);
    assert.deepEqual(loadCartridge(c.id).warnings, [], `${c.id}: compiler warnings`);
  }
  // The compiled story is cached: a second load returns the same object.
  assert.equal(loadCartridge(LONG), loadCartridge(LONG));
  assert.match(DEFAULT_CARTRIDGES_DIR, /cartridges[\\/]?$/);
});

test('unknown cartridges, bad ids and compile errors are clear NarratorErrors', () => {
  assert.throws(
    () => new InkNarrator('no-such-game'),
    (e: unknown) => {
      assert.ok(e instanceof NarratorError && e.failure === 'story');
      assert.match(e.message, /No cartridge is called "no-such-game"/);
      assert.doesNotMatch(e.message, /[\\/]/); // no server path in a player-facing message
      return true;
    },
  );
  for (const bad of ['../package', 'a/b', '', '.hidden']) {
    assert.throws(() => new InkNarrator(bad), NarratorError);
  }
  const dir = mkdtempSync(join(tmpdir(), 'gg-ink-'));
  try {
    writeFileSync(join(dir, 'broken.ink'), '# title: Broken\nHello.\n* [Go] -> nowhere\n');
    assert.throws(
      () => listCartridges(dir),
      (e: unknown) => {
        assert.ok(e instanceof NarratorError);
        assert.match(e.message, /broken/);
        assert.match(e.message, /broken\.ink/);
        assert.match(e.message, /nowhere/);
        return true;
      },
    );
    writeFileSync(
      join(dir, 'broken.ink'),
      'Hello.\n* [Go]\n  Bye.\n  -> END\n* [Stay]\n  -> END\n',
    );
    writeFileSync(join(dir, 'notes.txt'), 'not a cartridge');
    assert.deepEqual(listCartridges(dir), [{ id: 'broken', title: 'broken', description: '' }]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('choice labels are checked when a scene is loaded', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gg-ink-'));
  try {
    writeFileSync(join(dir, 'long.ink'), `Hi.\n* [${'x'.repeat(81)}] -> END\n* [ok] -> END\n`);
    await rejectsWith(new InkNarrator('long', dir).open(opening), 'story', /longer than 80/);
    writeFileSync(join(dir, 'twice.ink'), 'Hi.\n* [Same] -> END\n* [Same] -> END\n');
    await rejectsWith(new InkNarrator('twice', dir).open(opening), 'story', /twice/);
    writeFileSync(join(dir, 'control.ink'), 'Hi.\n* [Bell\u0007] -> END\n* [ok] -> END\n');
    await rejectsWith(new InkNarrator('control', dir).open(opening), 'story', /control/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('open gives a playable first scene, a summary and a JSON state holding the ink state', async () => {
  for (const id of [LONG, SHORT]) {
    const seen: string[] = [];
    const result = await new InkNarrator(id).open({ ...opening, onText: (t) => seen.push(t) });
    assertPlayableScene(id, result.scene, 'opening');
    assert.equal(result.scene.ended, false);
    const state = result.state as { ink: string; cartridge: string; path: unknown[] };
    assert.equal(state.cartridge, id);
    assert.deepEqual(state.path, []);
    assert.doesNotThrow(() => JSON.parse(state.ink));
    assert.match(result.summary, /Booted/);
    assert.deepEqual(seen, [result.scene.text]);
  }
});

test('next follows the plurality, ties go to the earliest press, decidedChoice wins', async () => {
  const narrator = new InkNarrator(SHORT);
  const start = await narrator.open(opening);
  const [a, b] = [choiceAt(start.scene, 0), choiceAt(start.scene, 1)];
  const viaA = await narrator.next(turn(start, [], a));
  const viaB = await narrator.next(turn(start, [], b));
  assert.notDeepEqual(viaA.scene, viaB.scene);

  const plurality = await narrator.next(
    turn(start, [
      ['u1', a],
      ['u2', b],
      ['u3', b],
    ]),
  );
  assert.deepEqual(plurality.scene, viaB.scene);
  // The same story state (the saved path also records how many players the story saw).
  const ink = (r: NarrationResult) => (r.state as { ink: string }).ink;
  assert.equal(ink(plurality), ink(viaB));
  assert.match(plurality.summary, new RegExp(`"${b}" \\(2 of 3 players chose it\\)`));

  const tieBFirst = await narrator.next(
    turn(start, [
      ['u1', b],
      ['u2', a],
    ]),
  );
  assert.deepEqual(tieBFirst.scene, viaB.scene);
  const tieAFirst = await narrator.next(
    turn(start, [
      ['u2', a],
      ['u1', b],
    ]),
  );
  assert.deepEqual(tieAFirst.scene, viaA.scene);

  const decided = await narrator.next(
    turn(
      start,
      [
        ['u1', a],
        ['u2', a],
      ],
      b,
    ),
  );
  assert.deepEqual(decided.scene, viaB.scene);
  assert.match(decided.summary, /0 of 2 players chose it; decided by the host/);
  assert.match(viaA.summary, /decided by the host/);
});

test('a saved state resumes exactly, in a new narrator, after a JSON round trip', async () => {
  for (const id of [LONG, SHORT]) {
    const first = new InkNarrator(id);
    let result = await first.open(opening);
    for (let i = 0; i < 3; i++)
      result = await first.next(turn(result, [['u1', choiceAt(result.scene, i % 2)]]));
    const saved: JsonValue = JSON.parse(JSON.stringify({ state: result.state })).state;

    const continued: NarrationResult[] = [];
    let c = result;
    for (let i = 0; i < 3; i++) {
      c = await first.next(turn(c, [['u1', choiceAt(c.scene, 1)]]));
      continued.push(c);
    }
    const second = new InkNarrator(id);
    let r: NarrationResult = { scene: result.scene, summary: '', state: saved };
    for (const expected of continued) {
      r = await second.next(turn(r, [['u1', choiceAt(r.scene, 1)]]));
      assert.deepEqual(r.scene, expected.scene);
      assert.deepEqual(r.state, expected.state);
    }
  }
});

test(`every path of ${LONG} takes 20+ turns and ends`, async () => {
  const narrator = new InkNarrator(LONG);
  const counts: number[] = [];
  const endings = new Set<string>();
  for (let seed = 1; seed <= 100; seed++) {
    const { turns, ending } = await randomWalk(narrator, seed);
    counts.push(turns);
    endings.add(ending);
  }
  assert.ok(Math.min(...counts) >= 20, `shortest walk: ${Math.min(...counts)} turns`);
  assert.ok(endings.size >= 4, `only ${endings.size} different final scenes`);
});

test(`every path of ${SHORT} takes 8–12 turns and ends`, async () => {
  const narrator = new InkNarrator(SHORT);
  const counts: number[] = [];
  for (let seed = 1; seed <= 150; seed++) counts.push((await randomWalk(narrator, seed)).turns);
  assert.ok(Math.min(...counts) >= 8, `shortest walk: ${Math.min(...counts)} turns`);
  assert.ok(Math.max(...counts) <= 12, `longest walk: ${Math.max(...counts)} turns`);
});

test('a choice not on offer, a missing or corrupt state, and a finished story are story errors', async () => {
  const narrator = new InkNarrator(SHORT);
  const start = await narrator.open(opening);
  await rejectsWith(
    narrator.next(turn(start, [['u1', 'Dance the macarena']])),
    'story',
    /not one of the current choices/,
  );
  await rejectsWith(narrator.next(turn(start, [], 'Nope')), 'story', /"Nope"/);
  await rejectsWith(narrator.next(turn(start, [])), 'story', /no choice/);
  const pick: [string, string][] = [['u1', choiceAt(start.scene, 0)]];
  for (const state of [
    null,
    42,
    '',
    'not json',
    '{}',
    '{"flows":7}',
    { nested: 'object' },
  ] as JsonValue[]) {
    await rejectsWith(narrator.next(turn(start, pick, null, { state })), 'story', /ink state/);
  }
  // A state from the other cartridge either fails to load or fails to run; it never crashes.
  const other = await new InkNarrator(LONG).open(opening);
  await assert.rejects(
    narrator.next(turn(start, pick, null, { state: other.state })),
    NarratorError,
  );

  let r = start;
  while (!r.scene.ended) r = await narrator.next(turn(r, [['u1', choiceAt(r.scene, 0)]]));
  assert.match(r.summary, /The story ended\./);
  await rejectsWith(narrator.next(turn(r, pick)), 'story', /already ended/);
});

test('an aborted signal rejects with NarratorError(aborted)', async () => {
  const narrator = new InkNarrator(SHORT);
  const start = await narrator.open(opening);
  const controller = new AbortController();
  controller.abort();
  await rejectsWith(narrator.open({ ...opening, signal: controller.signal }), 'aborted');
  const input = turn(start, [['u1', choiceAt(start.scene, 0)]], null, {
    signal: controller.signal,
  });
  await rejectsWith(narrator.next(input), 'aborted');
});
