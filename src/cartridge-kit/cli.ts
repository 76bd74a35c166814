// `gamegirl cartridge …`: the author's commands (test, new). src/cli.ts hands over argv.
import { parseArgs } from 'node:util';
import { KitError } from './errors.js';

const CARTRIDGE_HELP = `Usage: gamegirl cartridge test <file.ink | id> [options]
       gamegirl cartridge new <name> [--dir <dir>]

test: compiles the cartridge (errors and warnings with file:line), then plays it many times with
simulated crowds of 3–6 players in each aggregation mode (all, plurality, host decides): random
voters, some changing their minds, some never pressing. Reports endings and how often they were
reached, knots and stitches never visited, dead ends, loops, turns per playthrough, the longest
scene, labels too long for a Discord button, and runtime errors with the choices that led there.
Exit code 0 when it passes, 1 on compile errors, runtime errors or dead ends, 2 on bad usage.

  --runs <n>              playthroughs (default 300); seeded runs are reproducible
  --host-runs <n>         how many of them go through a real GameHost (default 12); the rest are
                          played by the narrator's engine directly, with the same rules
  --players <n>           players per playthrough (default 3 to 6, varying)
  --seed <n>              (default 1)
  --max-turns <n>         a playthrough without an ending after n turns is a loop (default 200)
  --json                  print the report as JSON (failures include their presses, for --replay)
  --replay <file>         replay a failure from a --json report (or one of its playthroughs)
  --cartridges-dir <dir>  where ids are looked up; env: GAMEGIRL_CARTRIDGES_DIR

new: writes <name>.ink with the title and description tags the menu reads and a short example
of the multiplayer building blocks (see docs/cartridges.md), into --dir (default: the
cartridges folder from --cartridges-dir or GAMEGIRL_CARTRIDGES_DIR, else the current folder).

  -h, --help              show this help`;

type Io = { out: (s: string) => void; err: (s: string) => void };

function count(values: Record<string, unknown>, name: string, min: number): number | undefined {
  const v = values[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !/^\d+$/.test(v) || Number(v) < min)
    throw new UsageError(
      `--${name} must be a whole number of at least ${min} (got ${JSON.stringify(v)})`,
    );
  return Number(v);
}

class UsageError extends Error {}

/** Runs `gamegirl cartridge <argv>`; resolves with the exit code. */
export async function runCartridge(argv: string[], io: Io, env = process.env): Promise<number> {
  let values: Record<string, unknown>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      options: {
        runs: { type: 'string' },
        'host-runs': { type: 'string' },
        players: { type: 'string' },
        seed: { type: 'string' },
        'max-turns': { type: 'string' },
        json: { type: 'boolean' },
        replay: { type: 'string' },
        dir: { type: 'string' },
        'cartridges-dir': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: true,
    }));
  } catch (err) {
    io.err(`gamegirl cartridge: ${(err as Error).message}\nRun \`gamegirl cartridge --help\`.`);
    return 2;
  }
  const [sub, target, ...extra] = positionals;
  if (values.help === true) {
    io.out(CARTRIDGE_HELP);
    return 0;
  }
  const usage = (why: string) => {
    io.err(`gamegirl cartridge: ${why}\n\n${CARTRIDGE_HELP}`);
    return 2;
  };
  if (sub !== 'test' && sub !== 'new')
    return usage(
      sub === undefined ? 'which command? test or new' : `unknown command ${JSON.stringify(sub)}`,
    );
  if (target === undefined)
    return usage(
      sub === 'test'
        ? 'test what? give an .ink file or a cartridge id'
        : 'give the new cartridge a name',
    );
  if (extra.length > 0) return usage(`unexpected ${JSON.stringify(extra[0])}`);
  const dirFlag = values['cartridges-dir'];
  const envDir = env.GAMEGIRL_CARTRIDGES_DIR?.trim() || undefined;
  const cartridgesDir = typeof dirFlag === 'string' ? dirFlag : envDir;
  try {
    if (sub === 'new') {
      const { scaffold } = await import('./scaffold.js');
      const dir = typeof values.dir === 'string' ? values.dir : (cartridgesDir ?? '.');
      const file = scaffold(target, dir);
      io.out(`Wrote ${file}. Try it: gamegirl cartridge test ${file}`);
      return 0;
    }
    if (typeof values.replay === 'string') {
      const { readReplay, replay } = await import('./replay.js');
      const result = replay(target, cartridgesDir, readReplay(values.replay), io.out);
      return result === null || result.outcome === 'error' || result.outcome === 'dead-end' ? 1 : 0;
    }
    const options = {
      target,
      dir: cartridgesDir,
      runs: count(values, 'runs', 1),
      hostRuns: count(values, 'host-runs', 0),
      players: count(values, 'players', 1),
      seed: count(values, 'seed', 0),
      maxTurns: count(values, 'max-turns', 1),
    };
    const { runTest } = await import('./run.js');
    const report = await runTest(
      Object.fromEntries(
        Object.entries(options).filter(([, v]) => v !== undefined),
      ) as typeof options,
    );
    if (values.json === true) io.out(JSON.stringify(report, null, 2));
    else {
      const { formatReport } = await import('./format.js');
      io.out(formatReport(report));
    }
    return report.ok ? 0 : 1;
  } catch (err) {
    if (err instanceof UsageError) return usage(err.message);
    if (err instanceof KitError) {
      io.err(`gamegirl cartridge ${sub}: ${err.message}`);
      return err.failure === 'NOT_FOUND' || err.failure === 'BAD_REPLAY' ? 1 : 2;
    }
    throw err;
  }
}
