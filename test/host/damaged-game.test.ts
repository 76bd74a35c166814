// A channel whose bound game cannot be read from the store (a corrupt row in a real SQLite file,
// a corrupt hash in a real redis-server): the operator is told, players see an idle channel with
// a notice instead of SESSION_DATA on every call, and the next boot sets the damaged game aside
// (kept in the store for inspection, not deleted).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type BetterSqlite3 from 'better-sqlite3';
import { ManualClock } from '../../src/core/clock.js';
import type { SessionStore } from '../../src/core/store-port.js';
import { GameHost } from '../../src/host/game-host.js';
import { RedisStore } from '../../src/redis/store.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { cli, type RedisNode, startRedis, stopAllRedis } from '../helpers/redis-server.js';
import { ScriptNarrator } from '../helpers/script-narrator.js';
import { ALICE, BOB, SCRIPT, waitForView } from './_harness.js';

const Database = createRequire(import.meta.url)('better-sqlite3') as typeof BetterSqlite3;

interface Warning {
  fields: Record<string, unknown>;
  message: string;
}

function hostOn(store: SessionStore, clock: ManualClock, warnings: Warning[] = []): GameHost {
  return new GameHost({
    store,
    clock,
    narrators: () => new ScriptNarrator(),
    countdownSeconds: 10,
    log: { warn: (fields, message) => warnings.push({ fields, message }) },
  });
}

/** Boots a game in `ch` and plays one turn; returns its id. */
async function playOneTurn(host: GameHost, clock: ManualClock, ch: string): Promise<string> {
  const v = await host.boot(ch, ALICE, SCRIPT);
  await host.press(ch, ALICE, v.turn, v.scene?.choices[0] as string);
  clock.advance(10_000);
  await waitForView(host, ch, (x) => x.turn === 1 && x.status === 'playing');
  return v.game?.gameId as string;
}

/** What a damaged channel must look like, and that a boot there works and sets the game aside. */
async function damagedThenBooted(host: GameHost, ch: string, gameId: string, warnings: Warning[]) {
  const idle = await host.view(ch);
  assert.equal(idle.status, 'idle');
  assert.match(idle.notice ?? '', /cannot be read/);
  assert.deepEqual(await host.history(ch), []);
  await host.here(ch, BOB); // joining works
  assert.equal(warnings.length, 1, 'the operator is told once');
  assert.equal(warnings[0]?.fields.channelId, ch);

  const booted = await host.boot(ch, BOB, SCRIPT);
  assert.equal(booted.status, 'playing');
  assert.notEqual(booted.game?.gameId, gameId);
  assert.equal(booted.notice, null);
  assert.equal(warnings.length, 2);
  assert.equal(warnings[1]?.fields.gameId, gameId, 'the operator is told where it went');
  const again = await host.exit(ch, BOB);
  assert.equal(again.status, 'idle');
}

/** A channel with a healthy game (or none) has nothing set aside. */
async function nothingSetAside(store: SessionStore, host: GameHost, clock: ManualClock) {
  assert.equal(await store.setAsideUnreadable('empty', clock.now()), null);
  const h = await host.boot('healthy', ALICE, SCRIPT);
  assert.equal(await store.setAsideUnreadable('healthy', clock.now()), null);
  assert.equal((await store.loadChannel('healthy'))?.game_id, h.game?.gameId);
}

describe('a damaged game bound to a channel', { timeout: 60_000 }, () => {
  const dirs: string[] = [];
  let node: RedisNode | null = null;
  after(async () => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    await stopAllRedis([node]);
  });

  for (const [what, corrupt] of [
    ['not JSON', '{"game_id": "broken'],
    ['JSON of the wrong shape', '{"game_id": 42, "turn_number": "many"}'],
  ] as const) {
    it(`SQLite file, row ${what}: logged, idle with a notice, set aside at the next boot`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'gg-damaged-'));
      dirs.push(dir);
      const file = join(dir, 'games.db');
      const clock = new ManualClock();
      let store = new SqliteStore(file);
      let host = hostOn(store, clock);
      const gameId = await playOneTurn(host, clock, 'c1');
      await host.close();
      await store.close();

      const db = new Database(file);
      db.prepare('UPDATE games SET data = ? WHERE game_id = ?').run(corrupt, gameId);
      db.close();

      const warnings: Warning[] = [];
      store = new SqliteStore(file);
      host = hostOn(store, clock, warnings);
      await damagedThenBooted(host, 'c1', gameId, warnings);
      await nothingSetAside(store, host, clock);
      const listed = await store.listGames();
      assert.ok(!listed.games.some((g) => g.gameId === gameId), 'no longer listed');
      await host.close();
      await store.close();

      const check = new Database(file, { readonly: true });
      const aside = check
        .prepare('SELECT channel_id, data, turns, reason FROM set_aside WHERE game_id = ?')
        .all(gameId) as Array<{ channel_id: string; data: string; turns: string; reason: string }>;
      check.close();
      assert.equal(aside.length, 1);
      assert.equal(aside[0]?.channel_id, 'c1');
      assert.equal(aside[0]?.data, corrupt, 'kept exactly as it was');
      assert.equal(
        (JSON.parse(aside[0]?.turns ?? '[]') as unknown[]).length,
        1,
        'with its history',
      );
      assert.ok((aside[0]?.reason ?? '').length > 0);
    });
  }

  it('Redis hash with a corrupt field: logged, idle with a notice, renamed aside at the next boot', async () => {
    node = await startRedis();
    const clock = new ManualClock();
    const store = await RedisStore.connect(node.url, { prefix: 'dmg', time: 'caller' });
    try {
      const first = hostOn(store, clock);
      const gameId = await playOneTurn(first, clock, 'r1');
      await first.close();
      const keys = store.internals.keys.game(gameId);
      await cli(node.port, 'HSET', keys.game, 'turn', 'many');

      const warnings: Warning[] = [];
      const host = hostOn(store, clock, warnings);
      await damagedThenBooted(host, 'r1', gameId, warnings);
      await host.close();
      assert.equal((await cli(node.port, 'EXISTS', keys.game)).trim(), '0');
      assert.equal((await cli(node.port, 'HGET', keys.aside, 'turn')).trim(), 'many');
      assert.equal((await cli(node.port, 'ZCARD', keys.asideHist)).trim(), '1', 'with its history');
      const listed = await store.listGames();
      assert.ok(!listed.games.some((g) => g.gameId === gameId), 'no longer listed');
      const healthy = hostOn(store, clock);
      await nothingSetAside(store, healthy, clock);
      await healthy.close();
    } finally {
      await store.close();
    }
  });
});
