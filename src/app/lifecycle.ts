// How every long-running command (`serve`, `discord`) stops: on SIGINT/SIGTERM (or an
// AbortSignal in tests) it runs its shutdown once, within a bounded time; a second signal while
// stopping, or a shutdown that outlives its bound, ends the process.
import { once } from 'node:events';
import { EXIT } from './io.js';
import type { Logger } from './logger.js';

export interface RunUntilStoppedOptions {
  logger: Logger;
  /** The stop request, listened for since before the command said it was running. */
  stop: StopRequest;
  /** How long the shutdown may take before the process exits anyway (process signals only). */
  shutdownMs: number;
  /** Tells the user (stderr) why the process is exiting before its shutdown finished. */
  err: (line: string) => void;
  /** Stops the command: drains, flushes and closes everything. Called once. */
  shutdown: (reason: string) => Promise<void>;
}

/** A stop asked for by SIGINT/SIGTERM, or by an AbortSignal in tests. */
export interface StopRequest {
  /** Resolves with what asked for the stop (the signal's name, or 'abort'). */
  readonly requested: Promise<string>;
  /** True when it listens to process signals (then a second one forces the exit). */
  readonly bySignals: boolean;
  /** Stops listening (a command that fails before it runs). */
  dispose(): void;
}

/**
 * Starts listening for a stop. Call it before telling anyone the command is running: until a
 * SIGTERM listener is installed, the signal's default action kills the process outright, so
 * a supervisor that signals as soon as it reads "running" would skip the drain.
 */
export function listenForStop(signal?: AbortSignal): StopRequest {
  if (signal !== undefined) {
    const requested = signal.aborted
      ? Promise.resolve('abort')
      : once(signal, 'abort').then(() => 'abort');
    return { requested, bySignals: false, dispose: () => {} };
  }
  let on: (s: NodeJS.Signals) => void = () => {};
  const dispose = () => {
    process.off('SIGINT', on);
    process.off('SIGTERM', on);
  };
  const requested = new Promise<string>((resolve) => {
    on = (s) => {
      dispose();
      resolve(s);
    };
  });
  process.on('SIGINT', on);
  process.on('SIGTERM', on);
  return { requested, bySignals: true, dispose };
}

/** Waits for a stop request, then shuts down; resolves with the exit code. */
export async function runUntilStopped(options: RunUntilStoppedOptions): Promise<number> {
  const { logger, stop, err } = options;
  const reason = await stop.requested;
  logger.info({ signal: reason, boundMs: options.shutdownMs }, 'shutting down');
  let force: NodeJS.Timeout | undefined;
  let again: ((s: NodeJS.Signals) => void) | undefined;
  if (stop.bySignals) {
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
