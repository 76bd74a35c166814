import type { GameSummary } from '../core/store-port.js';
import { compareIndex, type IndexCursor, isAfter } from './cursor.js';
import {
  type SnapshotBackend,
  SnapshotStore,
  type SnapshotStoreOptions,
} from './snapshot-store.js';

/**
 * Keeps everything in this process's memory. Rows are stored as JSON text, exactly as SQLite
 * stores them, so no caller can alias stored state and both stores share every rule.
 */
class MemoryBackend implements SnapshotBackend {
  readonly games = new Map<string, { json: string; summary: GameSummary }>();
  readonly channels = new Map<string, string>();
  readonly turns = new Map<string, Map<number, string>>();

  /** Undo steps of the running transaction, newest last (null outside a transaction). */
  private journal: Array<() => void> | null = null;

  transaction<T>(fn: () => T): T {
    // Everything is synchronous, so nothing can interleave; a failure is rolled back by
    // replaying the undo steps the mutations recorded (cost: what changed, not the store size).
    const journal: Array<() => void> = [];
    this.journal = journal;
    try {
      return fn();
    } catch (e) {
      for (let i = journal.length - 1; i >= 0; i--) (journal[i] as () => void)();
      throw e;
    } finally {
      this.journal = null;
    }
  }

  /** Records how to restore `key` of `map` to its current value. */
  private remember<K, V>(map: Map<K, V>, key: K): void {
    if (this.journal === null) return;
    const had = map.has(key);
    const old = map.get(key);
    this.journal.push(() => {
      if (had) map.set(key, old as V);
      else map.delete(key);
    });
  }

  readGame(gameId: string): string | null {
    return this.games.get(gameId)?.json ?? null;
  }

  writeGame(gameId: string, json: string, summary: GameSummary): void {
    this.remember(this.games, gameId);
    this.games.set(gameId, { json, summary });
  }

  removeGame(gameId: string): void {
    this.remember(this.games, gameId);
    this.remember(this.turns, gameId);
    this.games.delete(gameId);
    this.turns.delete(gameId);
  }

  boundGame(channelId: string): string | null {
    return this.channels.get(channelId) ?? null;
  }

  bind(channelId: string, gameId: string): void {
    this.remember(this.channels, channelId);
    this.channels.set(channelId, gameId);
  }

  unbind(channelId: string): void {
    this.remember(this.channels, channelId);
    this.channels.delete(channelId);
  }

  appendTurn(gameId: string, turn: number, json: string, cap: number): boolean {
    let list = this.turns.get(gameId);
    if (list === undefined) {
      this.remember(this.turns, gameId);
      list = new Map();
      this.turns.set(gameId, list);
    }
    if (list.has(turn)) return false;
    this.remember(list, turn);
    list.set(turn, json);
    if (list.size > cap) {
      const oldest = [...list.keys()].sort((a, b) => a - b).slice(0, list.size - cap);
      for (const t of oldest) {
        this.remember(list, t);
        list.delete(t);
      }
    }
    return true;
  }

  recentTurns(gameId: string, count: number): string[] {
    const list = this.turns.get(gameId);
    if (list === undefined) return [];
    return [...list.entries()]
      .sort((a, b) => a[0] - b[0])
      .slice(-count)
      .map(([, json]) => json);
  }

  listGames(limit: number, after: IndexCursor | null): GameSummary[] {
    const all = [...this.games.values()].map((g) => g.summary).sort(compareIndex);
    return (after === null ? all : all.filter((g) => isAfter(g, after)))
      .slice(0, limit)
      .map((g) => ({ ...g }));
  }

  close(): void {
    this.games.clear();
    this.channels.clear();
    this.turns.clear();
  }
}

/** A store in this process's memory: tests and single-process bots; nothing survives a restart. */
export class MemoryStore extends SnapshotStore {
  constructor(options: SnapshotStoreOptions = {}) {
    super(new MemoryBackend(), options);
  }
}
