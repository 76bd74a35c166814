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

  transaction<T>(fn: () => T): T {
    // Everything is synchronous, so nothing can interleave; roll back by snapshotting on failure.
    const games = new Map(this.games);
    const channels = new Map(this.channels);
    const turns = new Map([...this.turns].map(([k, v]) => [k, new Map(v)] as const));
    try {
      return fn();
    } catch (e) {
      this.restore(games, channels, turns);
      throw e;
    }
  }

  private restore(
    games: Map<string, { json: string; summary: GameSummary }>,
    channels: Map<string, string>,
    turns: Map<string, Map<number, string>>,
  ): void {
    this.games.clear();
    for (const [k, v] of games) this.games.set(k, v);
    this.channels.clear();
    for (const [k, v] of channels) this.channels.set(k, v);
    this.turns.clear();
    for (const [k, v] of turns) this.turns.set(k, v);
  }

  readGame(gameId: string): string | null {
    return this.games.get(gameId)?.json ?? null;
  }

  writeGame(gameId: string, json: string, summary: GameSummary): void {
    this.games.set(gameId, { json, summary });
  }

  removeGame(gameId: string): void {
    this.games.delete(gameId);
    this.turns.delete(gameId);
  }

  boundGame(channelId: string): string | null {
    return this.channels.get(channelId) ?? null;
  }

  bind(channelId: string, gameId: string): void {
    this.channels.set(channelId, gameId);
  }

  unbind(channelId: string): void {
    this.channels.delete(channelId);
  }

  appendTurn(gameId: string, turn: number, json: string, cap: number): boolean {
    let list = this.turns.get(gameId);
    if (list === undefined) {
      list = new Map();
      this.turns.set(gameId, list);
    }
    if (list.has(turn)) return false;
    list.set(turn, json);
    if (list.size > cap) {
      const oldest = [...list.keys()].sort((a, b) => a - b).slice(0, list.size - cap);
      for (const t of oldest) list.delete(t);
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
