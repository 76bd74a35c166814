// Small promise helpers for acknowledging interactions on time.

export const TIMEOUT = Symbol('timeout');

/** Resolves with the promise's value, or TIMEOUT after `ms`. */
export function within<T>(promise: Promise<T>, ms: number): Promise<T | typeof TIMEOUT> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<typeof TIMEOUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMEOUT), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Resolves to null on success, or the error. */
export async function settle(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
    return null;
  } catch (error) {
    return error ?? new Error('rejected');
  }
}

export async function settleValue<T>(
  p: Promise<T>,
): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  try {
    return { ok: true, value: await p };
  } catch (error) {
    return { ok: false, error };
  }
}
