// `gamegirl cartridge test <cartridge> --replay <file>`: plays a recorded playthrough again, scene
// by scene, with the same presses, and shows where it stops.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { InkPlay } from '../narrator/ink.js';
import { playDirect } from './direct.js';
import { KitError } from './errors.js';
import type { Playthrough } from './playthrough.js';
import { compileForTest } from './source.js';

const playerSchema = z.object({
  id: z.string(),
  name: z.string(),
  persona: z.enum(['voter', 'fickle', 'absent']),
});
const playthroughSchema = z.object({
  run: z.number().int(),
  mode: z.enum(['all', 'plurality', 'host']),
  players: z.array(playerSchema).min(1),
  turns: z.array(
    z.object({
      presses: z.array(z.tuple([z.string(), z.string()])),
      decided: z.string().nullable(),
    }),
  ),
});
type Recorded = z.infer<typeof playthroughSchema>;
const reportSchema = z.object({
  errors: z.array(z.object({ example: playthroughSchema })),
  deadEnds: z.array(z.object({ example: playthroughSchema })),
  loops: z.object({ example: playthroughSchema.nullable() }),
});

/** The playthrough in `file`: one playthrough, or a report's first failure (error, dead end,
 *  loop). KitError BAD_REPLAY when there is none. */
export function readReplay(file: string): Recorded {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (cause) {
    throw new KitError('BAD_REPLAY', `cannot read ${file}: ${(cause as Error).message}`, { cause });
  }
  const one = playthroughSchema.safeParse(data);
  if (one.success) return one.data;
  const report = reportSchema.safeParse(data);
  if (report.success) {
    const r = report.data;
    const first = r.errors[0]?.example ?? r.deadEnds[0]?.example ?? r.loops.example;
    if (first) return first;
    throw new KitError('BAD_REPLAY', `${file} is a report without a failure to replay`);
  }
  throw new KitError(
    'BAD_REPLAY',
    `${file} is neither a report from --json nor one of its playthroughs`,
  );
}

/** Replays `recorded` on the cartridge, writing each scene with `print`; returns the result. */
export function replay(
  target: string,
  dir: string | undefined,
  recorded: Recorded,
  print: (line: string) => void,
): Playthrough | null {
  const source = compileForTest(target, dir);
  if (source.cartridge === null) {
    for (const d of source.diagnostics)
      print(`${d.file}:${d.line ?? '?'}: ${d.severity}: ${d.message}`);
    return null;
  }
  const names = new Map(recorded.players.map((p) => [p.id, p.name]));
  const { playthrough } = playDirect({
    play: new InkPlay(source.cartridge, { trace: true }),
    flows: source.flows,
    run: recorded.run,
    mode: recorded.mode,
    players: recorded.players,
    maxTurns: recorded.turns.length,
    driver: (turn) => recorded.turns[turn] ?? null,
    onTurn: (turn, log, followed) => {
      const presses = log.presses.map(([id, c]) => `${names.get(id) ?? id}: ${JSON.stringify(c)}`);
      print(`── turn ${turn + 1} (${recorded.mode}): ${presses.join(', ')}`);
      if (log.decided !== null) print(`   decided: ${JSON.stringify(log.decided)}`);
      print(`   followed: ${JSON.stringify(followed)}`);
    },
    onScene: (step) => {
      print('');
      print(step.scene.text);
      for (const c of step.scene.choices) print(`  [${c}]`);
      if (step.hidden.length > 0) print(`  (hidden from this group: ${step.hidden.join(', ')})`);
      print('');
    },
  });
  const where = playthrough.where === null ? '' : ` at ${playthrough.where}`;
  const what: Record<Playthrough['outcome'], string> = {
    ending: `ENDING ${playthrough.ending ?? ''}`,
    'dead-end': `DEAD END${where}: the story stopped with no choices and no ending`,
    error: `ERROR${where}: ${playthrough.error ?? ''}`,
    'turn-limit': `still going after ${recorded.turns.length} recorded turns`,
  };
  print(what[playthrough.outcome]);
  return playthrough;
}
