/**
 * The stores' fast paths: rows read without the zod schema (stateFromStored) must read exactly
 * as the full parse does and still refuse corrupt rows; MemoryStore's live games must never be
 * shared with a caller.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type BetterSqlite3 from 'better-sqlite3';
import { stateFromDict, stateToDict } from '../../src/core/session-state.js';
import { stateFromStored } from '../../src/core/stored-state.js';
import {
  GameSession,
  InvalidInputError,
  ManualClock,
  MemoryStore,
  SessionDataError,
  SqliteStore,
} from '../../src/index.js';
import { gameDict } from '../helpers/game-dict.js';

const dir = mkdtempSync(join(tmpdir(), 'gamegirl-stored-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function playedDict() {
  const clock = new ManualClock();
  const s = new GameSession('chan', '', 'game', { clock });
  await s.boot('Round Trip');
  for (const id of ['__proto__', 'constructor', 'u1'])
    await s.submitChoice(id, `Name ${id}`, `c ${id}`);
  const w = s.waitForCountdown();
  clock.advance(10_000);
  await w;
  await s.submitChoice('10', 'Ten', 'ten');
  await s.submitChoice('2', 'Two', 'two'); // integer-like ids: an explicit order is written
  s.extra = { scene: { text: 'x' } };
  return s.toDict();
}

test('stateFromStored reads what stateToDict wrote exactly as the full parse does', async () => {
  const d = await playedDict();
  const json = JSON.parse(JSON.stringify(d));
  assert.deepEqual(stateFromStored(json), stateFromDict(json));
  const plain = JSON.parse(JSON.stringify({ ...d, pending_order: undefined, pending_choices: {} }));
  assert.deepEqual(stateFromStored(plain), stateFromDict(plain));
  assert.deepEqual(stateToDict(stateFromStored(plain)), stateToDict(stateFromDict(plain)));
});

test('corrupt rows are still refused with SessionDataError naming the field', async () => {
  const file = join(dir, 'corrupt.db');
  const store = new SqliteStore(file);
  await store.bootGame(gameDict('g1', 'c1'));
  await store.bootGame(gameDict('g2', 'c2'));
  await store.close();
  const Database = createRequire(import.meta.url)('better-sqlite3') as typeof BetterSqlite3;
  const db = new Database(file);
  const set = (id: string, patch: Record<string, unknown>) => {
    const row = db.prepare('SELECT data FROM games WHERE game_id = ?').get(id) as { data: string };
    const data = JSON.stringify({ ...JSON.parse(row.data), ...patch });
    db.prepare('UPDATE games SET data = ? WHERE game_id = ?').run(data, id);
  };
  set('g1', { turn_number: 'seven' });
  set('g2', { players: { u1: { user_id: 'u1', user_name: 'bad\u0007name', joined_turn: 0 } } });
  db.close();
  const reopened = new SqliteStore(file);
  await assert.rejects(
    reopened.loadGame('g1'),
    (e: unknown) => e instanceof SessionDataError && e.field === 'turn_number',
  );
  await assert.rejects(
    reopened.loadGame('g2'),
    (e: unknown) => e instanceof SessionDataError && /user_name/.test(e.field),
  );
  await reopened.close();
});

test('MemoryStore shares no live state with its callers', async () => {
  const store = new MemoryStore();
  const boot = gameDict('g', 'c', 1);
  boot.extra = { note: 'mine' };
  await store.bootGame(boot);
  boot.extra.note = 'changed by the caller';
  await store.press('c', { gameId: 'g', userId: 'u1', userName: 'Ann', choice: 'a', nowMs: 0 });
  await assert.rejects(
    store.press('c', { gameId: 'g', userId: 'u1', userName: 'bad\u0007', choice: 'a', nowMs: 1 }),
    InvalidInputError,
  );
  const closed = await store.closeWindow('c', { gameId: 'g', turn: 0, nowMs: 5000 });
  assert.equal(closed.status, 'closed');
  if (closed.status === 'closed') closed.choices.set('intruder', 'x');
  const loaded = await store.loadGame('g');
  assert.deepEqual(loaded?.extra, { note: 'mine' });
  assert.deepEqual(loaded?.last_window, { turn: 0, choices: { u1: 'a' } });
  assert.equal(loaded?.players.u1?.user_name, 'Ann');
  if (loaded) loaded.players.u1 = { user_id: 'u1', user_name: 'Eve', joined_turn: 0 };
  assert.equal((await store.loadGame('g'))?.players.u1?.user_name, 'Ann');
  await store.close();
});
