import { type ParseArgsConfig, parseArgs } from 'node:util';
import { settingFlagOptions } from '../config.js';

/** Where a command writes what the user reads: results on `out`, problems on `err`. */
export interface CommandIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

export const processIo: CommandIo = {
  out: (s) => process.stdout.write(`${s}\n`),
  err: (s) => process.stderr.write(`${s}\n`),
};

/** Exit codes shared by every command: 0 done, 1 failed, 2 usage or configuration error,
 *  3 the data folder is served by another process, 130 forced by a second signal while
 *  stopping. */
export const EXIT = { ok: 0, failed: 1, usage: 2, locked: 3, forced: 130 } as const;

/** A subcommand's parsed flags (the settings' flags included) and its positional arguments. */
export interface CommandArgs {
  values: Record<string, unknown>;
  positionals: string[];
}

/**
 * Parses `gamegirl <name>`'s arguments: the settings' flags, `--help`, and the command's own
 * `options`. Returns the exit code when the command is done already: its help printed (0), or
 * a usage error written with a pointer to the help (2).
 */
export function parseCommandArgs(
  name: string,
  argv: string[],
  help: string,
  io: CommandIo,
  options: NonNullable<ParseArgsConfig['options']> = {},
): CommandArgs | number {
  let parsed: CommandArgs;
  try {
    parsed = parseArgs({
      args: argv,
      options: { ...settingFlagOptions(), ...options, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: true,
    });
  } catch (err) {
    io.err(`gamegirl ${name}: ${(err as Error).message}\nRun \`gamegirl ${name} --help\`.`);
    return EXIT.usage;
  }
  if (parsed.values.help === true) {
    io.out(help);
    return EXIT.ok;
  }
  return parsed;
}
