// Moving house through the real CLI: games played in `gamegirl serve` on SQLite (one mid-window,
// one saved with its history) go `export --all` → `import` into a real redis-server → `export
// --all` from Redis → `import` into a fresh SQLite folder, and come out equal: every game, its
// narrator state, its open window and its whole history. Also: the Markdown transcript, the
// refusals of import (an existing id, a turn in flight), and what it says.

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { listAllGames } from '../src/core/games.js';
import type { SessionDict } from '../src/core/session-state.js';
import type { TurnRecordDict } from '../src/core/turn-record.js';
import { SqliteStore } from '../src/store/sqlite-store.js';
import { run } from './helpers/cli.js';
import { type RedisNode, startRedis } from './helpers/redis-server.js';
import { startServe } from './helpers/serve.js';
import { boot, press, sceneAt, seat } from './helpers/table.js';

type Snapshot = Map<string, { game: SessionDict; turns: TurnRecordDict[] }>;

async function snapshot(dataDir: string): Promise<Snapshot> {
  const store = new SqliteStore(join(dataDir, 'gamegirl.sqlite'));
  try {
    const out: Snapshot = new Map();
    for (const g of await listAllGames(store)) {
      const game = await store.loadGame(g.gameId);
      assert.ok(game !== null);
      out.set(g.gameId, { game, turns: await store.recentTurns(g.gameId, 5000) });
    }
    return out;
  } finally {
    await store.close();
  }
}

describe('gamegirl export / import: SQLite → Redis → SQLite', { timeout: 240_000 }, () => {
  let dir: string;
  let redis: RedisNode;
  let played: Snapshot;
  const src = () => join(dir, 'src');

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gg-archive-'));
    redis = await startRedis();
    // Two players close each window early by both choosing; a window with one choice of two
    // stays open (300 s) and is saved open when the console stops.
    const served = await startServe(['--countdown', '300', '--close-when-all-chosen'], {
      GAMEGIRL_DATA_DIR: src(),
    });
    try {
      const ann = await seat(served.wsUrl, 'den', 'Ann');
      const bob = await seat(served.wsUrl, 'den', 'Bob <b>');
      await boot(ann);
      for (const turn of [0, 1]) {
        await press(ann, turn, 0);
        await press(bob, turn, 1);
      }
      await sceneAt(ann, 2);
      await press(ann, 2, 0); // Bob has not chosen: the window stays open
      const cat = await seat(served.wsUrl, 'attic', 'Cat');
      await boot(cat, 'midnight-arcade');
      await press(cat, 0, 0);
      await sceneAt(cat, 1);
      assert.equal((await cat.reply(cat.send({ type: 'exit' }))).type, 'ok');
      for (const c of [ann, bob, cat]) await c.close();
    } finally {
      assert.equal(await served.stop(), 0);
    }
    played = await snapshot(src());
  });
  after(async () => {
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('carries every game, its open window and its whole history there and back', async () => {
    const games = [...played.values()];
    assert.equal(games.length, 2);
    const den = games.find((g) => g.game.channel_id === 'den');
    const attic = games.find((g) => g.game.channel_id === 'attic');
    assert.ok(den && attic);
    assert.equal(den.game.active, true);
    assert.notEqual(den.game.window_deadline_ms, null, 'the den game is mid-window');
    assert.equal(Object.keys(den.game.pending_choices).length, 1);
    assert.equal(den.turns.length, 2);
    assert.ok(
      den.turns.every((t) => (t.scene?.text.length ?? 0) > 0),
      'records keep their scenes',
    );
    assert.equal(attic.game.active, false);
    assert.equal(attic.turns.length, 1);

    const first = join(dir, 'first.ndjson');
    const out1 = await run(['export', '--all', '--out', first, '--data-dir', src()]);
    assert.equal(out1.code, 0, out1.stderr);
    assert.match(out1.stderr, /2 game\(s\), 3 turn\(s\)/);
    assert.equal(readFileSync(first, 'utf8').trim().split('\n').length, 2, 'NDJSON: one per line');

    const into = await run(['import', first, '--redis-url', redis.url]);
    assert.equal(into.code, 0, into.stderr);
    assert.match(into.stdout, /Imported 2 game\(s\) with 3 turn\(s\)/);

    const second = join(dir, 'second.ndjson');
    const out2 = await run(['export', '--all', '--out', second, '--redis-url', redis.url]);
    assert.equal(out2.code, 0, out2.stderr);
    const dst = join(dir, 'dst');
    const back = await run(['import', second, '--data-dir', dst]);
    assert.equal(back.code, 0, back.stderr);

    const returned = await snapshot(dst);
    assert.deepEqual([...returned.keys()].sort(), [...played.keys()].sort());
    for (const [id, g] of played) assert.deepEqual(returned.get(id), g, `game ${id}`);
  });

  it('the imported game carries on in Redis mode: its open window, with the choice made before', async () => {
    const den = [...played.values()].find((g) => g.game.channel_id === 'den');
    assert.ok(den);
    const annChose = Object.values(den.game.pending_choices)[0];
    const served = await startServe(['--countdown', '300', '--close-when-all-chosen'], {
      REDIS_URL: redis.url,
    });
    try {
      const dee = await seat(served.wsUrl, 'den', 'Dee');
      const view = await sceneAt(dee, 2);
      assert.equal(view.status, 'counting', 'the window is still open');
      const deeChose = await press(dee, 2, 1); // the only player here: the window closes
      await sceneAt(dee, 3);
      await dee.close();
      const out = await run([
        'export',
        den.game.game_id,
        '--format',
        'json',
        '--redis-url',
        redis.url,
      ]);
      assert.equal(out.code, 0, out.stderr);
      const archive = JSON.parse(out.stdout) as { turns: TurnRecordDict[] };
      assert.equal(archive.turns.length, 3);
      assert.deepEqual(archive.turns.slice(0, 2), den.turns, 'the history before it is kept');
      assert.deepEqual(Object.values(archive.turns[2]?.choices ?? {}), [annChose, deeChose]);
    } finally {
      assert.equal(await served.stop(), 0);
    }
  });

  it('refuses an id the store has (nothing written) unless --replace', async () => {
    const file = join(dir, 'one.json');
    const den = [...played.values()].find((g) => g.game.channel_id === 'den');
    assert.ok(den);
    const out = await run([
      'export',
      den.game.game_id,
      '--format',
      'json',
      '--out',
      file,
      '--data-dir',
      src(),
    ]);
    assert.equal(out.code, 0, out.stderr);
    const again = await run(['import', file, '--data-dir', src()]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /nothing was imported/);
    assert.match(again.stderr, /already in this store \(--replace overwrites it\)/);
    const replaced = await run(['import', file, '--replace', '--data-dir', src()]);
    assert.equal(replaced.code, 0, replaced.stderr);
    assert.deepEqual((await snapshot(src())).get(den.game.game_id), den);
  });

  it('a turn in flight: refused into Redis, carried into SQLite (the console narrates it)', async () => {
    const den = [...played.values()].find((g) => g.game.channel_id === 'den');
    assert.ok(den);
    const archive = JSON.parse(
      (await run(['export', den.game.game_id, '--format', 'json', '--data-dir', src()])).stdout,
    );
    // As a console stopped mid-narration leaves it: the window closed (its choices are the last
    // window's), the turn moved on, the scene did not.
    const annChose = Object.values(archive.game.pending_choices)[0];
    archive.game.last_window = { turn: 2, choices: archive.game.pending_choices };
    archive.game.pending_choices = {};
    archive.game.window_deadline_ms = null;
    archive.game.turn_number = 3;
    const file = join(dir, 'inflight.json');
    writeFileSync(file, JSON.stringify(archive));
    const r = await run(['import', file, '--redis-url', redis.url, '--replace']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /turn 3 was closed but not narrated yet/);

    const local = join(dir, 'inflight-sqlite');
    const into = await run(['import', file, '--data-dir', local]);
    assert.equal(into.code, 0, into.stderr);
    const served = await startServe([], { GAMEGIRL_DATA_DIR: local });
    try {
      const eve = await seat(served.wsUrl, 'den', 'Eve');
      await sceneAt(eve, 3); // the closed window's turn was narrated when the game loaded
      await eve.close();
    } finally {
      assert.equal(await served.stop(), 0);
    }
    const narrated = (await snapshot(local)).get(den.game.game_id);
    assert.equal(narrated?.turns.length, 3);
    assert.deepEqual(Object.values(narrated?.turns[2]?.choices ?? {}), [annChose]);

    writeFileSync(file, JSON.stringify({ ...archive, version: 99 }));
    const newer = await run(['import', file, '--redis-url', redis.url]);
    assert.equal(newer.code, 1);
    assert.match(newer.stderr, /version: is newer than this package reads/);
    const bad = structuredClone(archive);
    bad.turns[0].choices = { x: '' };
    writeFileSync(file, JSON.stringify(bad));
    const broken = await run(['import', file, '--redis-url', redis.url]);
    assert.equal(broken.code, 1);
    assert.match(broken.stderr, /turns\.0\.choices\.x/);
  });

  it('will not import into a data folder a console is serving (exit 3), and changes nothing', async () => {
    const busy = join(dir, 'busy');
    const served = await startServe([], { GAMEGIRL_DATA_DIR: busy });
    try {
      const r = await run(['import', join(dir, 'first.ndjson'), '--data-dir', busy]);
      assert.equal(r.code, 3);
      assert.match(r.stderr, /already served by process \d+/);
    } finally {
      assert.equal(await served.stop(), 0);
    }
    assert.equal((await snapshot(busy)).size, 0);
  });

  it('export --all skips a game whose stored data is damaged, names it, and exits 1', async () => {
    const damaged = join(dir, 'damaged');
    mkdirSync(damaged);
    const copy = await run(['backup', join(damaged, 'gamegirl.sqlite'), '--data-dir', src()]);
    assert.equal(copy.code, 0, copy.stderr);
    const attic = [...played.values()].find((g) => g.game.channel_id === 'attic');
    assert.ok(attic);
    const db = new Database(join(damaged, 'gamegirl.sqlite'));
    db.prepare('UPDATE games SET data = ? WHERE game_id = ?').run('{not json', attic.game.game_id);
    db.close();
    const out = join(dir, 'damaged.ndjson');
    const r = await run(['export', '--all', '--out', out, '--data-dir', damaged]);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      new RegExp(`game ${attic.game.game_id} \\(Midnight Arcade\\) skipped: `),
    );
    assert.match(r.stderr, /1 game\(s\), 2 turn\(s\)/);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    assert.equal(lines.length, 1);
    assert.equal(JSON.parse(lines[0] ?? '').game.channel_id, 'den');
  });

  it('writes a readable Markdown transcript: players, who chose what, the reveal, the scene', async () => {
    const den = [...played.values()].find((g) => g.game.channel_id === 'den');
    assert.ok(den);
    const md = await run(['export', den.game.game_id, '--data-dir', src()]);
    assert.equal(md.code, 0, md.stderr);
    const text = md.stdout;
    assert.match(text, /^# Midnight Arcade/m);
    assert.match(text, /^## The opening\n\nThe last bus rumbles away outside\./m);
    assert.ok(text.includes(den.turns[1]?.scene?.text.split('\n')[0] ?? '?'), 'each turn’s scene');
    assert.match(text, /- Players: Ann \(from turn 0\), Bob &lt;b&gt; \(from turn 0\)/);
    assert.match(text, /^## Turn 1 · /m);
    assert.match(text, /^## Turn 2 · /m);
    assert.match(text, /^- \*\*Ann\*\* chose “/m);
    assert.match(text, /^> Every choice went to the narrator: |^> The group chose /m);
    assert.match(text, /^## Now$/m);
    assert.match(text, /A countdown was open .* chosen so far: Ann: “/);
    assert.doesNotMatch(text, /web:/, 'no user ids');
    assert.doesNotMatch(text, /<b>/, 'names stay text');
  });
});
