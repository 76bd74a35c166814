// The gamegirl CLI as a user runs it: a child process with flags and environment variables.
// Help, argument and configuration errors, `games` and `doctor`; `serve` is in cli-serve.test.ts.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GameHost } from '../src/host/game-host.js';
import { InkNarrator } from '../src/narrator/ink.js';
import { emptyState } from '../src/narrator/llm-state.js';
import type { NarrationResult, Narrator } from '../src/narrator/port.js';
import { SqliteStore } from '../src/store/sqlite-store.js';
import { run } from './helpers/cli.js';
import { freePort } from './helpers/net.js';

describe('gamegirl CLI', { timeout: 120_000 }, () => {
  let dataDir: string;

  before(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'gg-cli-'));
  });
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it('prints help for the program and for each command', async () => {
    const top = await run(['--help']);
    assert.equal(top.code, 0);
    for (const cmd of ['serve', 'games', 'doctor']) assert.match(top.stdout, new RegExp(cmd));
    const serve = await run(['serve', '--help']);
    assert.equal(serve.code, 0);
    assert.match(serve.stdout, /--port/);
    assert.match(serve.stdout, /GAMEGIRL_DATA_DIR/);
    assert.match(serve.stdout, /REDIS_URL/);
    assert.match(serve.stdout, /--aggregation <value> +all, plurality .* or host/);
    assert.match(serve.stdout, /--close-when-all-chosen +close a window/);
    assert.match(serve.stdout, /--anyone-may-manage +any player may exit/);
    assert.match(serve.stdout, /GAMEGIRL_CLOSE_WHEN_ALL_CHOSEN \(true\/false, 1\/0, yes\/no\)/);
    const games = await run(['games', '-h']);
    assert.equal(games.code, 0);
    assert.match(games.stdout, /--json/);
    const doctor = await run(['doctor', '--help']);
    assert.equal(doctor.code, 0);
    assert.match(doctor.stdout, /Exit code 0/);
  });

  it('refuses unknown commands and flags with a hint and exit code 2', async () => {
    const unknown = await run(['party']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown command "party"/);
    const flag = await run(['serve', '--prot', '80']);
    assert.equal(flag.code, 2);
    assert.match(flag.stderr, /--prot/);
    assert.match(flag.stderr, /serve --help/);
  });

  it('explains bad configuration, naming the variable or flag, and exits non-zero', async () => {
    const r = await run(['serve', '--countdown', 'soon'], {
      PORT: '99999',
      REDIS_URL: 'http://not-redis',
      GAMEGIRL_DATA_DIR: dataDir,
    });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /invalid configuration/);
    assert.match(r.stderr, /PORT: must be a whole number from 0 to 65535 \(got "99999"\)/);
    assert.match(r.stderr, /REDIS_URL: must be a redis:\/\//);
    assert.match(r.stderr, /--countdown: must be a number of seconds \(got "soon"\)/);
    assert.equal(r.stdout, '');

    const settings = await run(['serve', '--aggregation', 'sometimes'], {
      GAMEGIRL_CLOSE_WHEN_ALL_CHOSEN: 'maybe',
      GAMEGIRL_ANYONE_MAY_MANAGE: '2',
      GAMEGIRL_DATA_DIR: dataDir,
    });
    assert.equal(settings.code, 2);
    assert.match(
      settings.stderr,
      /--aggregation: must be all, plurality or host \(got "sometimes"\)/,
    );
    assert.match(
      settings.stderr,
      /GAMEGIRL_CLOSE_WHEN_ALL_CHOSEN: must be true or false \(also 1\/0, yes\/no\) \(got "maybe"\)/,
    );
    assert.match(settings.stderr, /GAMEGIRL_ANYONE_MAY_MANAGE: must be true or false/);
    const envAggregation = await run(['serve'], {
      GAMEGIRL_AGGREGATION: 'most',
      GAMEGIRL_DATA_DIR: dataDir,
    });
    assert.equal(envAggregation.code, 2);
    assert.match(envAggregation.stderr, /GAMEGIRL_AGGREGATION: must be all, plurality or host/);
    // The on/off flags take no value (the environment variables do).
    const valued = await run(['serve', '--close-when-all-chosen=no'], {
      GAMEGIRL_DATA_DIR: dataDir,
    });
    assert.equal(valued.code, 2);
    assert.match(valued.stderr, /--close-when-all-chosen/);

    const llm = await run(['doctor'], {
      GAMEGIRL_LLM_BASE_URL: 'not a url',
      GAMEGIRL_DATA_DIR: dataDir,
    });
    assert.equal(llm.code, 1);
    assert.match(llm.stdout, /✗ config +GAMEGIRL_LLM_BASE_URL/);
  });

  it('games lists saved games (table and JSON)', async () => {
    const dir = join(dataDir, 'games');
    const empty = await run(['games', '--data-dir', dir]);
    assert.equal(empty.code, 0);
    assert.match(empty.stdout, /No saved games yet/);

    const store = new SqliteStore(join(dir, 'gamegirl.sqlite'));
    // An LLM game's narrator state as LlmNarrator saves it, with what it spent.
    const spent: NarrationResult = {
      scene: { text: 'A road.', choices: ['Go', 'Stay'], ended: false },
      summary: 'Began.',
      state: {
        ...emptyState('A road trip'),
        usage: { prompt: 12_345, completion: 678, requests: 3, estimated: 0 },
      } as unknown as NarrationResult['state'],
    };
    const llm: Narrator = { open: async () => spent, next: async () => spent };
    const host = new GameHost({
      store,
      narrators: (s) => (s.kind === 'ink' ? new InkNarrator(s.cartridge) : llm),
    });
    const user = { id: 'u1', name: 'Ada' };
    const view = await host.boot(
      'den',
      user,
      { kind: 'ink', cartridge: 'midnight-arcade' },
      { title: 'Arcade Night' },
    );
    await host.exit('den', user);
    const llmView = await host.boot('attic', user, { kind: 'llm' }, { title: 'Road Trip' });
    await host.exit('attic', user);
    await host.close();
    await store.close();

    const table = await run(['games'], { GAMEGIRL_DATA_DIR: dir });
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /^ID +NAME +TURN +STATE +LLM TOKENS +UPDATED \(UTC\)/);
    assert.match(table.stdout, new RegExp(`${view.game?.gameId} +Arcade Night +0 +saved +- `));
    assert.match(
      table.stdout,
      new RegExp(`${llmView.game?.gameId} +Road Trip +0 +saved +12k in / 678 out `),
    );
    const json = await run(['games', '--json', '--data-dir', dir]);
    const list = JSON.parse(json.stdout) as Array<{
      gameId: string;
      gameName: string;
      llmSpend: { prompt: number; completion: number } | null;
    }>;
    assert.deepEqual(
      list.map((g) => [g.gameId, g.gameName, g.llmSpend?.prompt ?? null]),
      [
        [llmView.game?.gameId, 'Road Trip', 12_345],
        [view.game?.gameId, 'Arcade Night', null],
      ],
    );
    // doctor adds up the spend against the cap, and checks each fallback provider.
    const closed = await freePort();
    const doctor = await run(['doctor', '--data-dir', dir, '--port', '0'], {
      GAMEGIRL_LLM_BASE_URL: `http://127.0.0.1:${closed}/v1, http://127.0.0.1:${closed}/v2`,
      GAMEGIRL_LLM_MODEL: 'tiny,small',
      GAMEGIRL_LLM_MAX_TOKENS_PER_GAME: '20000',
    });
    assert.match(
      doctor.stdout,
      /✓ llm spend +1 LLM game: 12,345 prompt \+ 678 completion tokens; cap 20,000 per game, 0 within 10% of it/,
    );
    assert.match(doctor.stdout, /✗ llm 1 +http:\/\/127\.0\.0\.1:\d+\/v1\/models is unreachable/);
    assert.match(doctor.stdout, /✗ llm 2 +http:\/\/127\.0\.0\.1:\d+\/v2\/models is unreachable/);
    const bad = await run(['games', '--limit', 'lots', '--data-dir', dir]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--limit must be a whole number/);
  });

  it('doctor passes on a good setup and fails on an unreachable LLM', async () => {
    const port = await freePort();
    const env = { GAMEGIRL_DATA_DIR: join(dataDir, 'doctor'), PORT: String(port) };
    const ok = await run(['doctor'], env);
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
    // The consoles close a window once everyone here has chosen, unless told not to.
    assert.match(
      ok.stdout,
      /✓ config +port \d+, countdown 10 s, aggregation all, closes when all chose\n/,
    );
    assert.match(ok.stdout, /✓ store/);
    assert.match(ok.stdout, /✓ cartridges +.*low-battery/);
    assert.match(ok.stdout, /- llm +not configured/);
    assert.match(ok.stdout, /All checks passed/);

    const closed = await freePort();
    const bad = await run(['doctor'], {
      ...env,
      GAMEGIRL_LLM_BASE_URL: `http://127.0.0.1:${closed}/v1`,
      GAMEGIRL_LLM_MODEL: 'tiny',
    });
    assert.equal(bad.code, 1);
    assert.match(bad.stdout, /✓ config +.*aggregation all, closes when all chose\n/);
    assert.match(bad.stdout, /✗ llm +http:\/\/127\.0\.0\.1:\d+\/v1\/models is unreachable/);
    assert.match(bad.stdout, /✓ llm spend +0 LLM games: 0 prompt \+ 0 completion tokens; no cap/);
    assert.match(bad.stdout, /1 check\(s\) failed/);

    const settings = await run(['doctor', '--aggregation', 'host', '--anyone-may-manage'], {
      ...env,
      GAMEGIRL_CLOSE_WHEN_ALL_CHOSEN: 'no', // early close off: not listed
    });
    assert.match(
      settings.stdout,
      /✓ config +port \d+, countdown 10 s, aggregation host, anyone may manage\n/,
    );
  });
});
