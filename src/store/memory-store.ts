import type { SessionState } from '../core/session-state.js';
import type { GameSummary } from '../core/store-port.js';
import { cloneState } from '../core/stored-state.js';
import { compareIndex, type IndexCursor, isAfter } from './cursor.js';
import {
  type SnapshotBackend,
  SnapshotStore,
  type SnapshotStoreOptions,
} from './snapshot-store.js';

interface TurnEntry {
  json: string;
  key: string | null;
}

/** A game's history in append order, and its records by idempotency key. */
interface History {
  records: TurnEntry[];
  byKey: Map<string, string>;
}

/**
 * Keeps everything in this process's memory. Games are kept as state objects that no caller
 * holds: a read hands out a copy (cloneState), a write keeps the state the store's rules just
 * produced, so nothing stored is shared with a caller and a press costs no JSON round trip.
 * History records are kept as JSON text, as SQLite keeps them.
 */
class MemoryBackend implements SnapshotBackend {
  readonly games = new Map<string, { state: SessionState; summary: GameSummary }>();
  readonly channels = new Map<string, string>();
  readonly channelSettingsJson = new Map<string, string>();
  readonly turns = new Map<string, History>();

  /** Undo steps of the running transaction, newest last (null outside a transaction). */
  private journal: Array<() => void> | null = null;
  private readonly spare: Array<() => void> = [];

  transaction<T>(fn: () => T): T {
    // Everything is synchronous, so nothing can interleave; a failure is rolled back by
    // replaying the undo steps the mutations recorded (cost: what changed, not the store size).
    // One array reused by every transaction (they never nest); emptied when one ends.
    const journal = this.spare;
    this.journal = journal;
    try {
      return fn();
    } catch (e) {
      for (let i = journal.length - 1; i >= 0; i--) (journal[i] as () => void)();
      throw e;
    } finally {
      journal.length = 0;
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

  readGame(gameId: string): SessionState | null {
    const g = this.games.get(gameId);
    return g === undefined ? null : cloneState(g.state);
  }

  writeGame(s: SessionState, summary: GameSummary | null): void {
    const g = this.games.get(s.gameId);
    if (summary === null && g !== undefined && g.state === s) return; // the live game, changed in place
    this.remember(this.games, s.gameId);
    this.games.set(s.gameId, {
      state: s,
      summary: summary ?? (g as { summary: GameSummary }).summary,
    });
  }

  liveGame(gameId: string): SessionState | null {
    return this.games.get(gameId)?.state ?? null;
  }

  removeGame(gameId: string): void {
    this.remember(this.games, gameId);
    this.remember(this.turns, gameId);
    this.games.delete(gameId);
    this.turns.delete(gameId);
  }

  /** Games set aside (a memory store never holds unreadable data; kept for the port's sake). */
  readonly setAsideGames = new Map<
    string,
    { game: SessionState; turns: string[]; reason: string }
  >();

  setAside(gameId: string, _nowMs: number, reason: string): void {
    const g = this.games.get(gameId);
    if (g === undefined) return;
    this.remember(this.setAsideGames, gameId);
    const turns = this.turns.get(gameId)?.records.map((r) => r.json) ?? [];
    this.setAsideGames.set(gameId, { game: g.state, turns, reason });
    this.removeGame(gameId);
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

  channelSettings(channelId: string): string | null {
    return this.channelSettingsJson.get(channelId) ?? null;
  }

  setChannelSettings(channelId: string, json: string): void {
    this.remember(this.channelSettingsJson, channelId);
    this.channelSettingsJson.set(channelId, json);
  }

  appendTurn(gameId: string, json: string, key: string | null, cap: number): void {
    let h = this.turns.get(gameId);
    if (h === undefined) {
      this.remember(this.turns, gameId);
      h = { records: [], byKey: new Map() };
      this.turns.set(gameId, h);
    }
    const { records, byKey } = h;
    records.push({ json, key });
    if (key !== null) byKey.set(key, json);
    const dropped: TurnEntry[] = [];
    while (records.length > cap) {
      const d = records.shift() as TurnEntry;
      if (d.key !== null) byKey.delete(d.key);
      dropped.push(d);
    }
    this.journal?.push(() => {
      records.pop();
      if (key !== null) byKey.delete(key);
      for (let i = dropped.length - 1; i >= 0; i--) {
        const d = dropped[i] as TurnEntry;
        records.unshift(d);
        if (d.key !== null) byKey.set(d.key, d.json);
      }
    });
  }

  turnByKey(gameId: string, key: string): string | null {
    return this.turns.get(gameId)?.byKey.get(key) ?? null;
  }

  recentTurns(gameId: string, count: number): string[] {
    const h = this.turns.get(gameId);
    if (h === undefined) return [];
    return h.records.slice(-count).map((r) => r.json);
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
    this.setAsideGames.clear();
  }
}

/** A store in this process's memory: tests and single-process bots; nothing survives a restart. */
export class MemoryStore extends SnapshotStore {
  constructor(options: SnapshotStoreOptions = {}) {
    super(new MemoryBackend(), options);
  }
}
