import type { TurnRecord } from './turn-record.js';

/**
 * A game's turn history kept in memory (a session without a store), with a store's rules: every
 * record kept in append order, capped (oldest dropped); a key seen while its record is kept
 * returns that record instead of appending.
 */
export class MemoryHistory {
  readonly #cap: number;
  readonly #records: TurnRecord[] = [];
  /** Records appended so far (the append number of the next one). */
  #appended = 0;
  /** Idempotency key → append number of its record (allocated on the first keyed record). */
  #keys: Map<string, number> | null = null;

  constructor(cap: number) {
    this.#cap = cap;
  }

  /** Appends `record` (or returns the kept record of `key`); returns the record as kept. */
  append(record: TurnRecord, key: string | null): TurnRecord {
    const h = this.#records;
    if (key !== null) {
      this.#keys ??= new Map();
      const seq = this.#keys.get(key);
      const firstKept = this.#appended - h.length;
      if (seq !== undefined && seq >= firstKept) return h[seq - firstKept] as TurnRecord;
      this.#keys.set(key, this.#appended);
    }
    h.push(record);
    this.#appended++;
    // shift() drops the oldest in O(1) (V8 trims the array's start in place); splice(0, n) copies.
    while (h.length > this.#cap) h.shift();
    const keys = this.#keys;
    if (keys !== null && keys.size > 2 * this.#cap) {
      // Forget the keys of dropped records once they outnumber the kept ones (amortised O(1)).
      const firstKept = this.#appended - h.length;
      for (const [k, seq] of keys) if (seq < firstKept) keys.delete(k);
    }
    return record;
  }

  /** The last `count` records, oldest first. */
  last(count: number): TurnRecord[] {
    return this.#records.slice(-count);
  }
}
