// One serving process per SQLite data folder: a lock file holding the owner's pid, created
// exclusively (O_EXCL). A lock whose pid is no longer running (a crash, a SIGKILL) is stale and
// taken over; see docs/decisions.md ("One process per data folder").
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** Another running process serves this data folder. */
export class DataDirLockedError extends Error {
  readonly code = 'DATA_DIR_LOCKED';
  readonly pid: number;
  constructor(dataDir: string, pid: number) {
    super(
      `the data folder ${dataDir} is already served by process ${pid}; stop it first, or use ` +
        'another --data-dir (several processes share games through REDIS_URL)',
    );
    this.name = 'DataDirLockedError';
    this.pid = pid;
  }
}

export interface DataDirLock {
  readonly file: string;
  /** Removes the lock file if it is still this process'. */
  release(): void;
}

function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but belongs to someone else, so it is running.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function owner(file: string): number | null {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isSafeInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** Takes the data folder's lock or throws DataDirLockedError (the folder must exist). */
export function lockDataDir(dataDir: string): DataDirLock {
  const file = join(dataDir, 'gamegirl.lock');
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o644);
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      return {
        file,
        release() {
          if (owner(file) === process.pid) unlinkSync(file);
        },
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 2) throw e;
    }
    const pid = owner(file);
    if (pid !== null && pid !== process.pid && running(pid))
      throw new DataDirLockedError(dataDir, pid);
    // Stale (its process is gone) or unreadable (a crash between create and write): take it over.
    try {
      unlinkSync(file);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  }
}
