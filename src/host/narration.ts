import type { Clock } from '../core/clock.js';
import { GameSessionError, StoreError } from '../core/errors.js';
import { NarratorError } from '../narrator/port.js';

export const DEFAULT_NARRATOR_TIMEOUT_MS = 60_000;

/**
 * Runs one narrator call under `controller`: rejects with NarratorError('timeout') after
 * `timeoutMs` (on the injected clock) and with NarratorError('aborted') as soon as the
 * controller aborts, even if the narrator ignores its signal. The narrator sees both through
 * the signal it was given.
 */
export function underDeadline<T>(
  call: (signal: AbortSignal) => Promise<T>,
  controller: AbortController,
  clock: Clock,
  timeoutMs: number,
): Promise<T> {
  const signal = controller.signal;
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => {
      clock.clearTimer(timer);
      const reason: unknown = signal.reason;
      reject(
        reason instanceof NarratorError
          ? reason
          : new NarratorError('aborted', 'the narration was aborted', { cause: reason }),
      );
    };
    const timer = clock.setTimer(() => {
      controller.abort(
        new NarratorError(
          'timeout',
          `the narrator did not answer within ${Math.round(timeoutMs / 100) / 10} s`,
        ),
      );
    }, timeoutMs);
    if (signal.aborted) {
      onAbort();
      return;
    }
    signal.addEventListener('abort', onAbort, { once: true });
    let pending: Promise<T>;
    try {
      pending = call(signal);
    } catch (e) {
      pending = Promise.reject(e);
    }
    pending.then(
      (value) => {
        clock.clearTimer(timer);
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        clock.clearTimer(timer);
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/** The message a channel shows when a turn's narration failed. */
export function failureMessage(error: unknown): string {
  const clip = (m: string): string => m.replace(/[.\s]+$/u, '');
  const tail = ' Retry the turn: no press was lost.';
  if (error instanceof NarratorError) {
    const what: Record<string, string> = {
      timeout: 'The narrator took too long',
      aborted: 'The narration was interrupted',
      malformed: 'The narrator answered with something unusable',
      http: 'The narrator service returned an error',
      unreachable: 'The narrator service could not be reached',
      story: 'The story cartridge hit an error',
    };
    return `${what[error.failure] ?? 'The narrator failed'}: ${clip(error.message)}.${tail}`;
  }
  if (error instanceof StoreError)
    return `The turn could not be saved (${clip(error.message)}).${tail}`;
  if (error instanceof GameSessionError)
    return `The turn could not be completed: ${clip(error.message)}.${tail}`;
  const msg = error instanceof Error ? error.message : String(error);
  return `The narrator failed unexpectedly: ${clip(msg)}.${tail}`;
}
