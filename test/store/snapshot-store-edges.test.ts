/**
 * SnapshotStore (the rules MemoryStore and SqliteStore share) at its edges: a closed store, a
 * failing backend, games moving between channels, deletes, the index's fields and pages.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type BetterSqlite3 from 'better-sqlite3';
import {
  GameNotFoundError,
  InvalidInputError,
  MemoryStore,
  SessionDataError,
  SessionInactiveError,
  type SessionState,
  SqliteStore,
  StoreClosedError,
  StoreError,
} from '../../src/index.js';
import { type SnapshotBackend, SnapshotStore } from '../../src/store/snapshot-store.js';
import { gameDict } from '../helpers/game-dict.js';

const T0 = 1_700_000_000_000;
const turn = (n: number, timestamp = n) => ({
  turn: n,
  choices: { u1: 'a' },
  narrative_summary: `turn ${n}`,
  timestamp,
});

/** Every call of the store's port, with valid arguments for game `g` in channel `c`. */
const everyCall = (store: SnapshotStore): Array<[string, () => Promise<unknown>]> => [
  ['bootGame', () => store.bootGame(gameDict('g', 'c'))],
  ['loadChannel', () => store.loadChannel('c')],
  ['loadGame', () => store.loadGame('g')],
  ['unbindChannel', () => store.unbindChannel('c')],
  ['channelSettings', () => store.channelSettings('c')],
  ['setChannelSettings', () => store.setChannelSettings('c', {})],
  ['deleteGame', () => store.deleteGame('g')],
  ['listGames', () => store.listGames()],
  [
    'press',
    () => store.press('c', { gameId: 'g', userId: 'u', userName: 'U', choice: 'x', nowMs: T0 }),
  ],
  ['closeWindow', () => store.closeWindow('c', { gameId: 'g', turn: 0, nowMs: T0 })],
  ['exitGame', () => store.exitGame('c', 'g', T0)],
  ['swapIn', () => store.swapIn('c', 'g', T0)],
  ['updateGame', () => store.updateGame('g', {}, T0)],
  ['appendTurn', () => store.appendTurn('g', turn(1))],
  ['recentTurns', () => store.recentTurns('g', 1)],
];

/** A backend whose storage is gone: every read and write throws a plain Error. */
class BrokenBackend implements SnapshotBackend {
  closes = 0;
  transaction<T>(fn: () => T): T {
    return fn();
  }
  #gone(): never {
    throw new Error('disk gone');
  }
  readGame(): SessionState | null {
    return this.#gone();
  }
  writeGame(): void {
    this.#gone();
  }
  removeGame(): void {
    this.#gone();
  }
  setAside(_gameId: string): void {
    this.#gone();
  }
  boundGame(_channelId: string): string | null {
    return this.#gone();
  }
  bind(): void {
    this.#gone();
  }
  unbind(_channelId: string): void {
    this.#gone();
  }
  channelSettings(): string | null {
    return this.#gone();
  }
  setChannelSettings(): void {
    this.#gone();
  }
  appendTurn(): void {
    this.#gone();
  }
  turnByKey(): string | null {
    return this.#gone();
  }
  recentTurns(): string[] {
    return this.#gone();
  }
  listGames(): never {
    return this.#gone();
  }
  close(): void {
    this.closes++;
  }
}

/** A backend that has channel `c` bound to game `g`, whose read fails with `failure`; it keeps
 *  what was unbound and set aside. */
class UnreadableBackend extends BrokenBackend {
  readonly unbound: string[] = [];
  readonly setAsideIds: string[] = [];
  constructor(readonly failure: Error) {
    super();
  }
  override boundGame(channelId: string): string | null {
    return channelId === 'c' ? 'g' : null;
  }
  override readGame(): SessionState | null {
    throw this.failure;
  }
  override unbind(channelId: string): void {
    this.unbound.push(channelId);
  }
  override setAside(gameId: string): void {
    this.setAsideIds.push(gameId);
  }
}

const Database = createRequire(import.meta.url)('better-sqlite3') as typeof BetterSqlite3;
const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A SQLite file holding game `g` (one turn) bound to `c` and game `h` bound to `d`, changed by
 *  hand afterwards with `damage` (foreign keys off, as a hand edit would be). */
async function damagedFile(damage: (db: BetterSqlite3.Database) => void): Promise<SqliteStore> {
  const dir = mkdtempSync(join(tmpdir(), 'gg-edges-'));
  dirs.push(dir);
  const file = join(dir, 'games.db');
  const before = new SqliteStore(file);
  await before.bootGame(gameDict('g', 'c'));
  await before.appendTurn('g', turn(1));
  await before.bootGame(gameDict('h', 'd'));
  await before.close();
  const db = new Database(file);
  db.pragma('foreign_keys = OFF');
  damage(db);
  db.close();
  return new SqliteStore(file);
}

/** A backend whose one stored turn record (of every game) is not JSON. */
class CorruptTurnsBackend extends BrokenBackend {
  override recentTurns(): string[] {
    return ['{not json'];
  }
}

describe('SnapshotStore edges', () => {
  test('a closed store refuses every call with StoreClosedError, and closes its backend once', async () => {
    const backend = new BrokenBackend();
    const store = new SnapshotStore(backend);
    await store.close();
    await store.close();
    assert.equal(backend.closes, 1);
    for (const [name, call] of everyCall(store))
      await assert.rejects(call(), StoreClosedError, name);

    const memory = new MemoryStore();
    await memory.bootGame(gameDict('g', 'c'));
    await memory.close();
    for (const [name, call] of everyCall(memory))
      await assert.rejects(call(), StoreClosedError, name);
  });

  test('backend failures become StoreError with the failure as cause', async () => {
    const store = new SnapshotStore(new BrokenBackend());
    for (const [name, call] of everyCall(store)) {
      await assert.rejects(
        call(),
        (e: unknown) =>
          e instanceof StoreError &&
          !(e instanceof StoreClosedError) &&
          e.code === 'STORE' &&
          e.message === 'store operation failed: disk gone' &&
          e.cause instanceof Error &&
          e.cause.message === 'disk gone',
        name,
      );
    }
  });

  test('rule violations pass through as they are; ids are checked before the backend is asked', async () => {
    const store = new MemoryStore();
    await assert.rejects(store.updateGame('nope', {}, T0), GameNotFoundError);
    await assert.rejects(store.appendTurn('nope', turn(1)), GameNotFoundError);
    await assert.rejects(store.swapIn('c', 'nope', T0), GameNotFoundError);
    await assert.rejects(
      store.closeWindow('c', { gameId: 'nope', turn: 0, nowMs: T0 }),
      (e: unknown) => e instanceof SessionInactiveError && /no longer exists/.test(e.message),
    );
    const broken = new SnapshotStore(new BrokenBackend());
    for (const call of [
      () => broken.loadChannel(''),
      () => broken.loadGame(''),
      () => broken.unbindChannel(''),
      () => broken.channelSettings(''),
      () => broken.setChannelSettings('c', [] as unknown as Record<string, never>),
      () => broken.deleteGame(''),
      () => broken.swapIn('', 'g', T0),
      () => broken.swapIn('c', '', T0),
      () => broken.recentTurns('', 1),
      () => broken.recentTurns('g', 0),
      () => broken.listGames({ limit: 0 }),
      () => broken.listGames({ cursor: 'not a cursor' }),
    ]) {
      await assert.rejects(
        call(),
        (e: unknown) => e instanceof InvalidInputError || e instanceof SessionDataError,
      );
    }
  });

  test('a stored turn record that is not JSON is reported as SessionDataError naming the game', async () => {
    const store = new SnapshotStore(new CorruptTurnsBackend());
    await assert.rejects(store.recentTurns('g', 5), (e: unknown) => {
      assert.ok(e instanceof SessionDataError);
      assert.equal(e.field, 'turns of g');
      assert.match(e.message, /^turns of g: stored record is not valid JSON \(.+\)$/);
      return true;
    });
  });

  test('a game runs only in the channel it is bound to', async () => {
    const store = new MemoryStore();
    await store.bootGame(gameDict('g', 'c'));
    await store.bootGame(gameDict('h', 'd'));
    const press = (channel: string, gameId: string) =>
      store.press(channel, { gameId, userId: 'u', userName: 'U', choice: 'x', nowMs: T0 });
    await assert.rejects(
      press('d', 'g'),
      (e: unknown) =>
        e instanceof SessionInactiveError &&
        e.message === 'this game is not running in this channel',
    );
    await assert.rejects(press('c', 'h'), SessionInactiveError);
    await assert.rejects(press('c', 'nope'), SessionInactiveError);
    await assert.rejects(store.exitGame('d', 'g', T0), SessionInactiveError);
    await assert.rejects(
      store.closeWindow('d', { gameId: 'g', turn: 0, nowMs: T0 }),
      (e: unknown) => e instanceof SessionInactiveError && /another channel/.test(e.message),
    );
    await press('c', 'g');
    await store.unbindChannel('c');
    assert.equal(await store.loadChannel('c'), null);
    const g = await store.loadGame('g');
    assert.equal(g?.active, false, 'unbinding a channel exits its game');
    assert.equal(g?.window_deadline_ms, null);
    assert.deepEqual(g?.pending_choices, { u: 'x' });
    await assert.rejects(press('c', 'g'), SessionInactiveError);
    await store.unbindChannel('c');
    assert.equal((await store.loadChannel('d'))?.game_id, 'h', 'other channels are untouched');
  });

  test('re-booting or swapping a game into another channel frees the channel it left', async () => {
    const store = new MemoryStore();
    await store.bootGame(gameDict('g', 'c'));
    await store.bootGame({ ...gameDict('g', 'd'), updated_at_ms: T0 });
    assert.equal(await store.loadChannel('c'), null);
    assert.equal((await store.loadChannel('d'))?.game_id, 'g');
    const moved = await store.swapIn('e', 'g', T0 + 1);
    assert.equal(moved.channel_id, 'e');
    assert.equal(await store.loadChannel('d'), null);
    assert.deepEqual(await store.loadChannel('e'), moved);
    // Swapping a game into the channel it already runs in keeps it running there.
    assert.equal((await store.swapIn('e', 'g', T0 + 2)).active, true);
    assert.equal((await store.loadChannel('e'))?.game_id, 'g');
  });

  test('deleting a game frees only a channel it is still bound to', async () => {
    const store = new MemoryStore();
    await store.bootGame(gameDict('g', 'c'));
    await store.bootGame(gameDict('h', 'c'));
    assert.equal((await store.loadGame('g'))?.active, false, 'the channel game was exited');
    await store.deleteGame('g');
    assert.equal(await store.loadGame('g'), null);
    assert.equal((await store.loadChannel('c'))?.game_id, 'h');
    await store.appendTurn('h', turn(1));
    await store.deleteGame('h');
    assert.equal(await store.loadChannel('c'), null);
    assert.deepEqual(await store.recentTurns('h', 5), []);
    await store.deleteGame('h');
  });

  test('the index shows each game as stored, and pages end exactly', async () => {
    const store = new MemoryStore();
    await store.bootGame({
      ...gameDict('g', 'c', 10, 'First'),
      created_at_ms: T0,
      updated_at_ms: T0,
    });
    await store.bootGame({
      ...gameDict('h', 'd', 10, 'Second'),
      created_at_ms: T0,
      updated_at_ms: T0 + 5,
    });
    await store.press('d', {
      gameId: 'h',
      userId: 'u',
      userName: 'U',
      choice: 'x',
      nowMs: T0 + 10,
    });
    await store.closeWindow('d', { gameId: 'h', turn: 0, nowMs: T0 + 10_010 });
    const all = await store.listGames({ limit: 2 });
    assert.equal(all.nextCursor, null);
    assert.deepEqual(all.games, [
      {
        gameId: 'h',
        gameName: 'Second',
        channelId: 'd',
        turnNumber: 1,
        active: true,
        createdAt: T0,
        updatedAt: T0 + 10_010,
      },
      {
        gameId: 'g',
        gameName: 'First',
        channelId: 'c',
        turnNumber: 0,
        active: true,
        createdAt: T0,
        updatedAt: T0,
      },
    ]);
    const first = await store.listGames({ limit: 1 });
    assert.deepEqual(first.games, all.games.slice(0, 1));
    assert.notEqual(first.nextCursor, null);
    const second = await store.listGames({ limit: 1, cursor: first.nextCursor });
    assert.deepEqual(second, { games: all.games.slice(1), nextCursor: null });
  });

  test('a turn with a patch applies it at the turn time; a repeated key stores and patches nothing', async () => {
    const store = new MemoryStore();
    await store.bootGame({ ...gameDict('g', 'c'), updated_at_ms: T0 });
    assert.equal((await store.appendTurn('g', turn(1, 1_700_000_100.0004))).stored, true);
    assert.equal(
      (await store.loadGame('g'))?.updated_at_ms,
      T0,
      'no patch: the game is not rewritten',
    );
    const second = await store.appendTurn(
      'g',
      turn(2, 1_700_000_200.0006),
      { extra: { scene: 2 } },
      { key: 'turn:2' },
    );
    assert.equal(second.stored, true);
    assert.equal(second.record.narrative_summary, 'turn 2');
    const d = await store.loadGame('g');
    assert.deepEqual(d?.extra, { scene: 2 });
    assert.equal(d?.updated_at_ms, 1_700_000_200_001);
    const again = await store.appendTurn(
      'g',
      turn(2, 5),
      { extra: { scene: 'again' } },
      { key: 'turn:2' },
    );
    assert.deepEqual(again, { record: second.record, stored: false });
    assert.deepEqual(await store.loadGame('g'), d);
    assert.deepEqual(
      (await store.recentTurns('g', 5)).map((t) => [t.turn, t.narrative_summary]),
      [
        [1, 'turn 1'],
        [2, 'turn 2'],
      ],
    );
  });

  test('an exit applies its patch first and returns the game as saved', async () => {
    const store = new MemoryStore();
    await store.bootGame(gameDict('g', 'c'));
    const out = await store.exitGame('c', 'g', T0, {
      players: [{ user_id: 'p', user_name: 'P', joined_turn: 0 }],
      extra: { saved: true },
    });
    assert.equal(out.active, false);
    assert.deepEqual(out.extra, { saved: true });
    assert.equal(out.players.p?.user_name, 'P');
    assert.deepEqual(await store.loadGame('g'), out);
    assert.equal(await store.loadChannel('c'), null);
  });
  test('a bound game that cannot be read is set aside with its history, freeing its channel', async () => {
    const store = await damagedFile((db) =>
      db.prepare('UPDATE games SET data = ? WHERE game_id = ?').run('{"game_id": "g', 'g'),
    );
    await assert.rejects(store.loadChannel('c'), SessionDataError);
    assert.equal(await store.setAsideUnreadable('d', T0), null, 'a healthy game stays');
    assert.equal(await store.setAsideUnreadable('e', T0), null, 'an empty channel has none');
    assert.equal(await store.setAsideUnreadable('c', T0), 'g');
    assert.equal(await store.loadChannel('c'), null);
    assert.equal(await store.loadGame('g'), null);
    assert.deepEqual(
      (await store.listGames()).games.map((x) => x.gameId),
      ['h'],
    );
    assert.equal((await store.loadChannel('d'))?.game_id, 'h');
    assert.equal(await store.setAsideUnreadable('c', T0 + 1), null, 'once');
    await store.bootGame(gameDict('g2', 'c'));
    assert.equal((await store.loadChannel('c'))?.game_id, 'g2');
    await store.close();
  });

  test('setAsideUnreadable sets nothing aside when the read fails for another reason', async () => {
    const backend = new UnreadableBackend(new Error('disk read failed'));
    await assert.rejects(
      new SnapshotStore(backend).setAsideUnreadable('c', T0),
      (e: unknown) =>
        e instanceof StoreError && (e.cause as Error | undefined)?.message === 'disk read failed',
    );
    assert.deepEqual([backend.unbound, backend.setAsideIds], [[], []]);
    const damaged = new UnreadableBackend(new SessionDataError('game g', 'corrupt'));
    assert.equal(await new SnapshotStore(damaged).setAsideUnreadable('c', T0), 'g');
    assert.deepEqual([damaged.unbound, damaged.setAsideIds], [['c'], ['g']]);
  });

  test('a channel bound to a game whose row is gone reads as unbound; a boot or a swap takes it', async () => {
    const store = await damagedFile((db) => {
      db.prepare('DELETE FROM games WHERE game_id = ?').run('g');
      db.prepare('DELETE FROM games WHERE game_id = ?').run('h');
    });
    assert.equal(await store.loadChannel('c'), null);
    await store.bootGame(gameDict('k', 'c'));
    assert.equal((await store.loadChannel('c'))?.game_id, 'k');
    await store.bootGame(gameDict('m', 'e'));
    await store.exitGame('e', 'm', T0);
    assert.equal((await store.swapIn('d', 'm', T0 + 1)).channel_id, 'd');
    assert.equal((await store.loadChannel('d'))?.game_id, 'm');
    await store.close();
  });

  test('the index moves with a press that opens a window, not with one inside it', async () => {
    for (const store of [new MemoryStore(), new SqliteStore(':memory:')]) {
      await store.bootGame({ ...gameDict('g', 'c'), created_at_ms: T0, updated_at_ms: T0 });
      const press = (userId: string, nowMs: number) =>
        store.press('c', { gameId: 'g', userId, userName: userId, choice: 'x', nowMs });
      const updatedAt = async () => (await store.listGames()).games[0]?.updatedAt;
      await press('u1', T0 + 10);
      assert.equal(await updatedAt(), T0 + 10, 'the window opened');
      await press('u2', T0 + 20);
      assert.equal(await updatedAt(), T0 + 10);
      assert.equal((await store.loadGame('g'))?.updated_at_ms, T0 + 10);
      await store.close();
    }
  });
});
