import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { TurnRecord } from '../../src/core/turn-record.js';
import { InkNarrator } from '../../src/narrator/ink.js';
import { choiceRule, followedChoice, nameList } from '../../src/narrator/ink-crowd.js';
import type { NarrationResult, TurnInput } from '../../src/narrator/port.js';

const DIR = join(import.meta.dirname, 'fixtures');
const NAMES = new Map([
  ['a', 'Ann'],
  ['b', 'Ben'],
  ['c', 'Cat'],
  ['d', 'Dan'],
]);

function turn(
  prev: NarrationResult,
  turnNumber: number,
  presses: [string, string][],
  extra: Partial<TurnInput> = {},
): TurnInput {
  return {
    gameId: 'g',
    gameName: 'g',
    turn: turnNumber,
    scene: prev.scene,
    choices: new Map(presses),
    playerNames: NAMES,
    input: '',
    decidedChoice: null,
    history: [],
    state: prev.state,
    ...extra,
  };
}

test('the story reads who chose what, how many played and who booted, before each scene', async () => {
  const ink = new InkNarrator('crowd', DIR);
  const opening = await ink.open({ gameId: 'g', gameName: 'g', bootedBy: 'a' });
  assert.match(opening.scene.text, /players=1 voters=0 votes=0 unanimous=false chosen=\n/);
  // One player: the `# min_players: 3` choice is hidden.
  assert.deepEqual(opening.scene.choices, ['Red', 'Blue', 'Boss only', 'Stop']);
  const next = await ink.next(
    turn(
      opening,
      0,
      [
        ['b', 'Red'],
        ['a', 'Blue'],
        ['c', 'Red'],
      ],
      { bootedBy: 'a' },
    ),
  );
  assert.equal(
    next.scene.text,
    [
      'players=3 voters=3 votes=2 unanimous=false chosen=Red',
      'choosers=Ben and Cat others=Ann booter=Ann',
      'tally red=2 blue=1 ann=Blue first=Ben',
    ].join('\n'),
  );
  assert.deepEqual(next.scene.choices, ['Red', 'Blue', 'Crowd only', 'Boss only', 'Stop']);
});

test('active players include those who pressed in the last three windows, not earlier', async () => {
  const ink = new InkNarrator('crowd', DIR);
  const opening = await ink.open({ gameId: 'g', gameName: 'g' });
  const history = [
    new TurnRecord(1, { d: 'Red' }), // four windows before turn 5: no longer active
    new TurnRecord(2, { c: 'Red' }),
    new TurnRecord(4, { b: 'Blue', a: 'Red' }),
  ];
  const next = await ink.next(turn(opening, 5, [['a', 'Red']], { history }));
  assert.match(next.scene.text, /^players=3 voters=1 votes=1 unanimous=true chosen=Red\n/);
  assert.match(next.scene.text, /first=Ann$/);
});

test('a `# booter` choice counts only when the player who booted presses it', async () => {
  const ink = new InkNarrator('crowd', DIR);
  const opening = await ink.open({ gameId: 'g', gameName: 'g', bootedBy: 'a' });
  const others = await ink.next(
    turn(
      opening,
      0,
      [
        ['b', 'Boss only'],
        ['c', 'Boss only'],
        ['a', 'Blue'],
      ],
      { bootedBy: 'a' },
    ),
  );
  assert.match(others.scene.text, /chosen=Blue/);
  const booter = await ink.next(
    turn(
      opening,
      0,
      [
        ['a', 'Boss only'],
        ['b', 'Red'],
        ['c', 'Red'],
      ],
      { bootedBy: 'a' },
    ),
  );
  assert.match(booter.scene.text, /chosen=Red/, 'the plurality still wins over the booter alone');
  const decided = await ink.next(
    turn(
      opening,
      0,
      [
        ['a', 'Boss only'],
        ['b', 'Red'],
      ],
      { bootedBy: 'a', decidedChoice: 'Boss only' },
    ),
  );
  assert.match(decided.scene.text, /chosen=Boss only/);
  // Without the booter known (a host that does not pass it), the tag changes nothing.
  const unknown = await ink.next(turn(opening, 0, [['b', 'Boss only']]));
  assert.match(unknown.scene.text, /chosen=Boss only/);
});

test('followedChoice: with only non-booter presses of a booter choice, the first other choice', () => {
  const offered = [
    { label: 'Boss', rule: choiceRule(['booter']) },
    { label: 'Go', rule: choiceRule([]) },
  ];
  const input = { choices: new Map([['b', 'Boss']]), decidedChoice: 'Boss', bootedBy: 'a' };
  assert.equal(followedChoice(input, offered), 'Go');
});

test('choice tags and name lists', () => {
  assert.deepEqual(choiceRule(['min_players: 4', 'booter', 'mood: happy']), {
    minPlayers: 4,
    booterOnly: true,
  });
  assert.deepEqual(choiceRule(['MIN_PLAYERS:2']), { minPlayers: 2, booterOnly: false });
  assert.deepEqual(choiceRule(['min_players: many']), { minPlayers: 1, booterOnly: false });
  assert.equal(nameList([]), '');
  assert.equal(nameList(['Ann']), 'Ann');
  assert.equal(nameList(['Ann', 'Ben', 'Cat']), 'Ann, Ben and Cat');
});

test('when every choice needs more players than there are, all are shown', async () => {
  const { InkPlay } = await import('../../src/narrator/ink.js');
  const { compileForTest } = await import('../../src/cartridge-kit/source.js');
  const { writeFileSync, mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'gg-crowd-'));
  try {
    const file = join(dir, 'big.ink');
    writeFileSync(
      file,
      'Only crowds.\n* [Party # min_players: 9]\n  -> END\n* [Parade # min_players: 9]\n  -> END\n',
    );
    const cartridge = compileForTest(file, undefined).cartridge;
    assert.ok(cartridge !== null);
    const step = new InkPlay(cartridge).start({
      players: [],
      presses: new Map(),
      names: new Map(),
      chosen: '',
      bootedBy: null,
    });
    assert.deepEqual(step.scene.choices, ['Party', 'Parade']);
    assert.deepEqual(step.hidden, []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
