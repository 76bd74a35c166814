/**
 * Small shared pieces for the benchmarks. Every bench prints exactly one JSON line on stdout
 * (its figures and the baseline measured in the same run); diagnostics go to stderr.
 */

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1
    ? (s[mid] as number)
    : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** The q-quantile (0..1) of a sorted array, nearest-rank. */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i] as number;
}

export function round(x: number, digits = 0): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** Seconds since `start` (a process.hrtime.bigint() reading). */
export function secondsSince(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}

/** Runs a GC if the process was started with --expose-gc; returns whether it could. */
export function tryGc(): boolean {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (typeof gc !== 'function') return false;
  gc();
  gc();
  return true;
}

export interface RateRounds {
  /** Operations per second in each measured round. */
  rounds: number[];
  median: number;
  best: number;
}

export function summarise(rates: number[]): RateRounds {
  return {
    rounds: rates.map((r) => round(r)),
    median: round(median(rates)),
    best: round(Math.max(...rates)),
  };
}

/** Prints the bench's single result line. */
export function report(result: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

export function note(message: string): void {
  process.stderr.write(`${message}\n`);
}
