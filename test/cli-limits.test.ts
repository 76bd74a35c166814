// The limits a host may raise, set as `gamegirl serve` flags and variables: a raised limit lets
// more through than the default would (and stops at the new value), and a bad value stops the
// start with exit code 2, naming the flag or variable, before anything is created.

import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { narratorTimeoutMs } from '../src/app/limit-settings.js';
import { loadConfig } from '../src/config.js';
import { run } from './helpers/cli.js';
import { startServe } from './helpers/serve.js';
import { TestClient } from './web/harness.js';

type Msg = TestClient['messages'][number];
const playing = (m: Msg) =>
  m.type === 'view' && (m.view as { status: string }).status === 'playing';

describe('limits as settings', { timeout: 120_000 }, () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'gg-limits-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('raised limits take effect: connections per address, presses per player', async () => {
    const served = await startServe(
      ['--max-connections-per-address', '25', '--press-rate', '8/1m', '--countdown', '120'],
      {
        GAMEGIRL_DATA_DIR: join(dir, 'raised'),
        GAMEGIRL_MAX_PLAYERS_PER_CHANNEL: '30',
        GAMEGIRL_CLOSE_WHEN_ALL_CHOSEN: 'no', // Ann alone changes her mind in one window
      },
    );
    const clients: TestClient[] = [];
    try {
      // 25 connections from one address (the default allows 20), every one of them greeted.
      for (let i = 0; i < 25; i++) clients.push(await TestClient.open(served.wsUrl));
      await Promise.all(clients.map((c) => c.waitFor((m) => m.type === 'hello')));
      await assert.rejects(TestClient.open(served.wsUrl), /429/, 'the 26th is refused');

      const ann = clients[0] as TestClient;
      assert.equal(
        (await ann.reply(ann.send({ type: 'join', channelId: 'limits', name: 'Ann' }))).type,
        'ok',
      );
      const boot = ann.send({ type: 'boot', spec: { kind: 'ink', cartridge: 'midnight-arcade' } });
      assert.equal((await ann.reply(boot, 20_000)).type, 'ok');
      const view = await ann.waitFor(playing, 20_000);
      const choices = (view.view as { scene: { choices: string[] } }).scene.choices;
      // Eight presses in a row (the default allows 5 per 2 s): Ann changes her mind each time.
      for (let i = 0; i < 8; i++) {
        const choice = choices[i % choices.length] as string;
        const r = await ann.reply(ann.send({ type: 'press', turn: 0, choice }));
        assert.equal(r.type, 'ok', `press ${i + 1}: ${JSON.stringify(r)}`);
      }
      const ninth = await ann.reply(
        ann.send({ type: 'press', turn: 0, choice: choices[0] as string }),
      );
      assert.equal(ninth.code, 'RATE_LIMITED', 'the ninth is over the raised limit');
    } finally {
      await Promise.all(clients.map((c) => c.close()));
      assert.equal(await served.stop(), 0);
    }
  });

  it('lowered limits take effect: players per channel, games page size, join deadline', async () => {
    const served = await startServe(
      ['--max-players-per-channel', '2', '--games-page-size', '2', '--join-deadline-seconds', '1'],
      { GAMEGIRL_DATA_DIR: join(dir, 'lowered') },
    );
    const clients: TestClient[] = [];
    try {
      for (const name of ['Ann', 'Bob', 'Cy']) {
        const c = await TestClient.open(served.wsUrl);
        clients.push(c);
        const r = await c.reply(c.send({ type: 'join', channelId: 'small', name }));
        assert.equal(r.type === 'ok' ? 'ok' : r.code, name === 'Cy' ? 'CHANNEL_FULL' : 'ok');
      }
      // Three saved games (booted, then saved by exiting); a page holds two.
      const ann = clients[0] as TestClient;
      for (let i = 0; i < 3; i++) {
        const boot = ann.send({
          type: 'boot',
          spec: { kind: 'ink', cartridge: 'midnight-arcade' },
        });
        assert.equal((await ann.reply(boot, 20_000)).type, 'ok');
        assert.equal((await ann.reply(ann.send({ type: 'exit' }), 20_000)).type, 'ok');
      }
      const games = (cursor?: unknown) => {
        const id = ann.send({ type: 'games', ...(cursor ? { cursor } : {}) });
        return ann.waitFor((m) => m.type === 'games' && m.id === id);
      };
      const first = await games();
      assert.equal((first.games as unknown[]).length, 2);
      assert.notEqual(first.nextCursor, null);
      const rest = await games(first.nextCursor);
      assert.equal((rest.games as unknown[]).length, 1);
      // Cy never joined a channel: closed at the one-second deadline (1008).
      const cy = clients[2] as TestClient;
      await cy.waitFor(() => false, 10_000).catch(() => undefined);
      assert.equal(cy.closeCode, 1008);
    } finally {
      await Promise.all(clients.map((c) => c.close()));
      assert.equal(await served.stop(), 0);
    }
  });

  it('bad values stop the start with exit code 2, naming each flag or variable', async () => {
    const data = join(dir, 'never');
    const r = await run(
      ['serve', '--port', '0', '--max-players-per-channel', '0', '--press-rate', 'fast'],
      {
        GAMEGIRL_DATA_DIR: data,
        GAMEGIRL_JOIN_DEADLINE_SECONDS: '-1',
        GAMEGIRL_ADDRESS_BOOT_RATE: '10/0s',
        GAMEGIRL_GAMES_PAGE_SIZE: '500',
        GAMEGIRL_EVICT_IDLE_MINUTES: 'soon',
      },
    );
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--max-players-per-channel: must be a whole number from 1 to 100000/);
    assert.match(r.stderr, /--press-rate: must be count\/time, e.g\. 5\/2s/);
    assert.match(r.stderr, /GAMEGIRL_JOIN_DEADLINE_SECONDS: must be a number of seconds/);
    assert.match(r.stderr, /GAMEGIRL_ADDRESS_BOOT_RATE: must be count\/time/);
    assert.match(r.stderr, /GAMEGIRL_GAMES_PAGE_SIZE: must be a whole number from 1 to 100/);
    assert.match(
      r.stderr,
      /GAMEGIRL_EVICT_IDLE_MINUTES: must be a number of minutes from 0 to 1440/,
    );
    assert.equal(r.stdout, '');
    assert.equal(existsSync(data), false, 'nothing was created');
  });

  it('--help lists every limit with its variable', async () => {
    const r = await run(['serve', '--help']);
    assert.equal(r.code, 0);
    for (const [flag, env] of [
      ['--max-connections-per-address', 'GAMEGIRL_MAX_CONNECTIONS_PER_ADDRESS'],
      ['--max-players-per-channel', 'GAMEGIRL_MAX_PLAYERS_PER_CHANNEL'],
      ['--join-deadline-seconds', 'GAMEGIRL_JOIN_DEADLINE_SECONDS'],
      ['--press-rate', 'GAMEGIRL_PRESS_RATE'],
      ['--llm-boot-rate', 'GAMEGIRL_LLM_BOOT_RATE'],
      ['--address-llm-boot-rate', 'GAMEGIRL_ADDRESS_LLM_BOOT_RATE'],
      ['--narrator-timeout-seconds', 'GAMEGIRL_NARRATOR_TIMEOUT_SECONDS'],
      ['--discord-presence-minutes', 'GAMEGIRL_DISCORD_PRESENCE_MINUTES'],
      ['--evict-idle-minutes', 'GAMEGIRL_EVICT_IDLE_MINUTES'],
    ]) {
      assert.match(r.stdout, new RegExp(`${flag} <value>`));
      assert.match(r.stdout, new RegExp(`env: ${env}\\n`));
    }
  });

  it('the narration bound follows a longer LLM timeout unless it is set', async () => {
    const llm = { GAMEGIRL_LLM_BASE_URL: 'http://127.0.0.1:9/v1', GAMEGIRL_LLM_MODEL: 'm' };
    const bound = async (flags: Record<string, string>, env: Record<string, string>) => {
      const c = await loadConfig(flags, env);
      return narratorTimeoutMs(c.limits, c.llm?.timeoutMs ?? null);
    };
    assert.equal(await bound({}, {}), 60_000);
    assert.equal(await bound({}, { ...llm, GAMEGIRL_LLM_TIMEOUT_MS: '30000' }), 60_000);
    // A slow local model given 5 minutes is not cut short by the host at 60 s.
    assert.equal(await bound({}, { ...llm, GAMEGIRL_LLM_TIMEOUT_MS: '300000' }), 305_000);
    assert.equal(
      await bound({ narratorTimeout: '90' }, { ...llm, GAMEGIRL_LLM_TIMEOUT_MS: '300000' }),
      90_000,
    );
  });
});
