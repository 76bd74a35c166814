// `gamegirl cartridge new <name>`: a small cartridge that compiles, passes `cartridge test`, and
// shows the tags the menu reads and the multiplayer building blocks.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { isCartridgeId } from '../narrator/cartridges.js';
import { KitError } from './errors.js';

/** "night-bus" → "Night Bus". */
function titleFromId(id: string): string {
  return id
    .split(/[-_]+/)
    .filter((w) => w !== '')
    .map((w) => `${w[0]?.toUpperCase() ?? ''}${w.slice(1)}`)
    .join(' ');
}

function cartridgeTemplate(id: string): string {
  const title = titleFromId(id) || id;
  return `# title: ${title}
# description: One sentence for the new-game menu: who the players are and what they are after.
# author: you

// Set by GameGirl before each scene (see docs/cartridges.md): declare the ones you use.
VAR gg_players = 1
VAR gg_choosers = ""
VAR gg_unanimous = false
EXTERNAL votes(label)

-> start

=== start ===
The lights come up. {gg_players} of you stand at the start of ${title}.
* [Go left]
    -> left
* [Go right]
    -> right
* [Wait for everyone # min_players: 3]
    Nobody moves until the whole group agrees. -> right

=== left ===
{gg_choosers} went left{gg_unanimous: , and nobody argued}.
* [Open the door]
    -> ending_door
* [Turn back]
    -> right

=== right ===
The path to the right ends at a window. {votes("Go left") > 0: Someone still wishes you had gone left.}
* [Climb out]
    -> ending_window
* [Open the door after all]
    -> ending_door

=== ending_door ===
The door opens onto morning. THE END. # ending: door
-> END

=== ending_window ===
You climb out into the rain, laughing. THE END. # ending: window
-> END
`;
}

/** Writes `<dir>/<id>.ink`; KitError BAD_NAME for an invalid id, EXISTS if the file is there. */
export function scaffold(id: string, dir: string): string {
  if (!isCartridgeId(id))
    throw new KitError(
      'BAD_NAME',
      `${JSON.stringify(id)} is not a cartridge name: use letters, digits, '-' and '_' (up to 64)`,
    );
  const file = join(resolve(dir), `${id}.ink`);
  if (existsSync(file)) throw new KitError('EXISTS', `${file} already exists; nothing was written`);
  mkdirSync(resolve(dir), { recursive: true });
  writeFileSync(file, cartridgeTemplate(id), { flag: 'wx' });
  return file;
}
