import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { InkNarrator } from '../../src/narrator/ink.js';
import { type NarrationResult, NarratorError, type TurnInput } from '../../src/narrator/port.js';

const V1 = `# title: Edited
-> a
=== a ===
Start.
* [Go] -> b
* [Stay] -> a
=== b ===
In B.
* [On] -> c
* [Back] -> a
=== c ===
The end.
-> END
`;

const dir = mkdtempSync(join(tmpdir(), 'gg-save-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let mtime = 1_000_000;

/** Writes the cartridge `edited` with a new mtime (the loader recompiles on a changed mtime). */
function write(source: string): void {
  const file = join(dir, 'edited.ink');
  writeFileSync(file, source);
  mtime += 10;
  utimesSync(file, mtime, mtime);
}

function turn(prev: NarrationResult, choice: string): TurnInput {
  return {
    gameId: 'g',
    gameName: 'g',
    turn: 1,
    scene: prev.scene,
    choices: new Map([['u1', choice]]),
    playerNames: new Map([['u1', 'Ann']]),
    input: '',
    decidedChoice: null,
    history: [],
    state: prev.state,
  };
}

/** A game saved at B (after choosing Go), with the first version of the cartridge. */
async function savedAtB(): Promise<NarrationResult> {
  write(V1);
  const first = new InkNarrator('edited', dir);
  const atB = await first.next(turn(await first.open({ gameId: 'g', gameName: 'g' }), 'Go'));
  assert.deepEqual(atB.scene, { text: 'In B.', choices: ['On', 'Back'], ended: false });
  return atB;
}

test('an edited cartridge resumes at the same place, with the new text', async () => {
  const atB = await savedAtB();
  write(V1.replace('The end.', 'A brand new ending.').replace('Start.', 'Line one.\nStart.'));
  const next = await new InkNarrator('edited', dir).next(turn(atB, 'On'));
  assert.deepEqual(next.scene, { text: 'A brand new ending.', choices: [], ended: true });
  // A new choice elsewhere, and a removed one the players did not take, are fine too.
  write(V1.replace('* [Back] -> a', '* [Back] -> a\n* [Dance] -> c'));
  const back = await new InkNarrator('edited', dir).next(turn(atB, 'Back'));
  assert.deepEqual(back.scene, { text: 'Start.', choices: ['Stay'], ended: false });
});

test('an edited cartridge that dropped the chosen option or the path there says so clearly', async () => {
  const atB = await savedAtB();
  const clear = /saved with an earlier version of the cartridge "Edited" and .*start a new game/;
  write(V1.replace('* [On] -> c\n', ''));
  await assert.rejects(new InkNarrator('edited', dir).next(turn(atB, 'On')), (e: unknown) => {
    assert.ok(e instanceof NarratorError && e.failure === 'story');
    assert.match(e.message, clear);
    assert.match(e.message, /"On" is no longer a choice at the saved place/);
    return true;
  });
  write(V1.replace('* [Go] -> b', '* [Leave] -> b'));
  await assert.rejects(new InkNarrator('edited', dir).next(turn(atB, 'On')), (e: unknown) => {
    assert.ok(e instanceof NarratorError);
    assert.match(e.message, clear);
    assert.match(e.message, /the choice "Go" made on turn 1 is no longer in it/);
    return true;
  });
});

test('a state saved by an older version (the bare ink state string) still loads', async () => {
  const atB = await savedAtB();
  const legacy = { ...atB, state: (atB.state as { ink: string }).ink };
  const next = await new InkNarrator('edited', dir).next(turn(legacy, 'On'));
  assert.equal(next.scene.text, 'The end.');
});
