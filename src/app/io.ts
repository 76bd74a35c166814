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
