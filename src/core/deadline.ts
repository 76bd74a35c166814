import type { Clock } from './clock.js';

export interface DeadlineOptions {
  /** Aborted on timeout (the call sees it through its signal); the caller may abort it too. */
  controller: AbortController;
  clock: Clock;
  timeoutMs: number;
  /** The error the call rejects with when the deadline passes. */
  timeoutError(): Error;
  /** The error the call rejects with when the controller is aborted for another reason. */
  abortError(reason: unknown): Error;
}

/**
 * The one timeout helper of the package: runs `call` under `controller`, rejecting with
 * `timeoutError()` after `timeoutMs` (on the injected clock) and as soon as the controller
 * aborts, even if the call ignores its signal. The call sees both through the signal it is given.
 */
export function underDeadline<T>(
  call: (signal: AbortSignal) => Promise<T>,
  o: DeadlineOptions,
): Promise<T> {
  const signal = o.controller.signal;
  let timedOut: Error | null = null;
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => {
      o.clock.clearTimer(timer);
      reject(timedOut ?? o.abortError(signal.reason));
    };
    const timer = o.clock.setTimer(() => {
      timedOut = o.timeoutError();
      o.controller.abort(timedOut);
    }, o.timeoutMs);
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
    const settle = (): void => {
      o.clock.clearTimer(timer);
      signal.removeEventListener('abort', onAbort);
    };
    pending.then(
      (value) => {
        settle();
        resolve(value);
      },
      (error: unknown) => {
        settle();
        reject(error);
      },
    );
  });
}
