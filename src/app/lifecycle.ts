// How every long-running command (`serve`, `discord`) stops: on SIGINT/SIGTERM (or an
// AbortSignal in tests) it runs its shutdown once, within a bounded time; a second signal while
// stopping, or a shutdown that outlives its bound, ends the process.
import { once } from 'node:events';
import { EXIT } from './io.js';
import type { Logger } from './logger.js';

export interface RunUntilStoppedOptions {
  logger: Logger;
  /** Stops instead of SIGINT/SIGTERM (tests): no process-wide handler is installed. */
  signal?: AbortSignal | undefined;
  /** How long the shutdown may take before the process exits anyway (process signals only). */
  shutdownMs: number;
  /** Tells the user (stderr) why the process is exiting before its shutdown finished. */
  err: (line: string) => void;
  /** Stops the command: drains, flushes and closes everything. Called once. */
  shutdown: (reason: string) => Promise<void>;
}

function stopRequested(signal: AbortSignal | undefined): Promise<string> {
  if (signal !== undefined) {
    return signal.aborted ? Promise.resolve('abort') : once(signal, 'abort').then(() => 'abort');
  }
  return new Promise((resolve) => {
    const on = (s: NodeJS.Signals) => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolve(s);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}

/** Waits for a stop request, then shuts down; resolves with the exit code. */
export async function runUntilStopped(options: RunUntilStoppedOptions): Promise<number> {
  const { logger, signal, err } = options;
  const reason = await stopRequested(signal);
  logger.info({ signal: reason, boundMs: options.shutdownMs }, 'shutting down');
  let force: NodeJS.Timeout | undefined;
  let again: ((s: NodeJS.Signals) => void) | undefined;
  if (signal === undefined) {
    again = () => {
      err('gamegirl: forced exit');
      logger.flush();
      process.exit(EXIT.forced);
    };
    process.once('SIGINT', again);
    process.once('SIGTERM', again);
    force = setTimeout(() => {
      err(`gamegirl: shutdown took longer than ${options.shutdownMs / 1000} s; exiting`);
      logger.flush();
      process.exit(EXIT.failed);
    }, options.shutdownMs);
    force.unref();
  }
  try {
    await options.shutdown(reason);
    logger.info('stopped');
    return EXIT.ok;
  } catch (e) {
    logger.error({ err: e }, 'shutdown failed');
    return EXIT.failed;
  } finally {
    clearTimeout(force);
    if (again !== undefined) {
      process.off('SIGINT', again);
      process.off('SIGTERM', again);
    }
    logger.flush();
  }
}
