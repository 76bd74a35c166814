import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runDiscord } from '../../src/app/discord.js';
import { FAKE_APP_ID, FakeDiscord } from '../helpers/fake-discord.js';
import {
  CHANNEL,
  command,
  keyPair,
  PLAYERS,
  signed,
  type TestUser,
  webhookBodies,
} from './_rig.js';

const ENV = { DISCORD_TOKEN: 'bot-token', DISCORD_APPLICATION_ID: FAKE_APP_ID };

interface Bot {
  fake: FakeDiscord;
  privateKey: ReturnType<typeof keyPair>['privateKey'];
  /** The Interactions Endpoint URL. */
  url: string;
  /** POSTs a signed interaction; resolves with the HTTP response's JSON. */
  post(payload: unknown): Promise<unknown>;
  /** Stops the bot; resolves with runDiscord's exit code. */
  stop(): Promise<number>;
}

/** `gamegirl discord --http` against a fake Discord, on any free port, with `argv` added. */
async function startHttpBot(argv: string[], env: Record<string, string> = {}): Promise<Bot> {
  const fake = await new FakeDiscord().start();
  const dir = mkdtempSync(join(tmpdir(), 'gg-discord-'));
  const { publicKeyHex, privateKey } = keyPair();
  const stop = new AbortController();
  let url = '';
  let exitedWith: (code: number) => void = () => {};
  const exited = new Promise<number>((resolve) => {
    exitedWith = resolve;
  });
  const cleanUp = async () => {
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  };
  const ready = new Promise<void>((resolve) => {
    void runDiscord({
      argv: ['--http', '--port', '0', '--data-dir', dir, '--log-level', 'silent', ...argv],
      env: { ...ENV, DISCORD_PUBLIC_KEY: publicKeyHex, ...env },
      api: fake.api,
      signal: stop.signal,
      out: () => {},
      onReady: (info) => {
        url = info.url ?? '';
        resolve();
      },
    }).then(exitedWith);
  });
  try {
    // If runDiscord gives up before it is ready, fail instead of waiting forever.
    await Promise.race([
      ready,
      exited.then((code) => {
        throw new Error(`runDiscord exited with ${code} before it was ready`);
      }),
    ]);
  } catch (e) {
    await cleanUp();
    throw e;
  }
  return {
    fake,
    privateKey,
    url,
    async post(payload) {
      const body = JSON.stringify(payload);
      const res = await fetch(url, { method: 'POST', headers: signed(privateKey, body), body });
      return res.json();
    },
    async stop() {
      stop.abort();
      try {
        return await exited;
      } finally {
        await cleanUp();
      }
    },
  };
}

async function until(what: string, done: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('gamegirl discord register: guild commands for development, global for production', async () => {
  const fake = await new FakeDiscord().start();
  try {
    const lines: string[] = [];
    const guild = await runDiscord({
      argv: ['register', '--guild', '42'],
      env: ENV,
      api: fake.api,
      out: (l) => lines.push(l),
    });
    assert.equal(guild, 0);
    const global = await runDiscord({
      argv: ['register'],
      env: ENV,
      api: fake.api,
      out: (l) => lines.push(l),
    });
    assert.equal(global, 0);
    const puts = fake.calls.filter((c) => c.method === 'PUT');
    assert.deepEqual(
      puts.map((c) => c.path),
      [`/applications/${FAKE_APP_ID}/guilds/42/commands`, `/applications/${FAKE_APP_ID}/commands`],
    );
    assert.equal(puts[0]?.auth, 'Bot bot-token');
    assert.equal((puts[0]?.body as Array<{ name: string }> | undefined)?.[0]?.name, 'gamegirl');
    assert.match(lines.join('\n'), /Registered \/gamegirl in server 42/);
  } finally {
    await fake.close();
  }
});

test('gamegirl discord: missing settings are usage errors naming the variable', async () => {
  const errors: string[] = [];
  const err = (l: string) => errors.push(l);
  assert.equal(await runDiscord({ argv: [], env: {}, err }), 2);
  assert.match(errors.join('\n'), /DISCORD_TOKEN/);
  assert.equal(await runDiscord({ argv: ['--http'], env: ENV, err }), 2);
  assert.match(errors.join('\n'), /DISCORD_PUBLIC_KEY/);
  assert.equal(await runDiscord({ argv: ['--bogus'], env: ENV, err }), 2);
  assert.equal(await runDiscord({ argv: ['register', '--guild', 'abc'], env: ENV, err }), 2);
});

test('gamegirl discord --http: serves signed interactions until stopped', async () => {
  const bot = await startHttpBot([]);
  try {
    const ping = { type: 1, id: '1', application_id: FAKE_APP_ID, token: 't' };
    assert.deepEqual(await bot.post(ping), { type: 1 });
    const boot = command(PLAYERS[0] as TestUser, 'boot', { game: 'midnight-arcade' });
    assert.equal(((await bot.post(boot)) as { type: number }).type, 5);
    await until('the opening scene', () => bot.fake.channelMessages(CHANNEL).length > 0);
    const scene = bot.fake.channelMessages(CHANNEL)[0];
    assert.ok(scene, 'the opening scene was posted');
    assert.ok(((scene.body.components ?? []) as unknown[]).length > 0);
  } finally {
    assert.equal(await bot.stop(), 0);
  }
});

test('gamegirl discord: the channel settings flags and variables reach every channel', async () => {
  // Without --anyone-may-manage only the booting player (or Manage Channels) may exit.
  for (const [argv, env, benMayExit] of [
    [['--aggregation', 'plurality'], { GAMEGIRL_CLOSE_WHEN_ALL_CHOSEN: '1' }, false],
    [['--aggregation', 'plurality', '--close-when-all-chosen', '--anyone-may-manage'], {}, true],
    [[], { GAMEGIRL_AGGREGATION: 'host', GAMEGIRL_ANYONE_MAY_MANAGE: 'yes' }, true],
  ] as const) {
    const bot = await startHttpBot([...argv], env);
    try {
      await bot.post(command(PLAYERS[0] as TestUser, 'boot', { game: 'midnight-arcade' }));
      await until('the opening scene', () => bot.fake.channelMessages(CHANNEL).length > 0);
      const exit = command(PLAYERS[1] as TestUser, 'exit');
      await bot.post(exit);
      await until('the answer to /gamegirl exit', () => webhookBodies(bot, exit).length > 0);
      const answer = JSON.stringify(webhookBodies(bot, exit));
      if (benMayExit) assert.match(answer, /💾/, `${argv.join(' ')}: ${answer}`);
      else assert.match(answer, /PERMISSION|not allowed|may not|only/i, answer);
    } finally {
      assert.equal(await bot.stop(), 0);
    }
  }
});

test('gamegirl discord: bad channel settings are configuration errors naming the flag or variable', async () => {
  const help: string[] = [];
  assert.equal(await runDiscord({ argv: ['--help'], out: (l) => help.push(l) }), 0);
  for (const flag of ['--aggregation <value>', '--close-when-all-chosen', '--anyone-may-manage']) {
    assert.ok(help.join('\n').includes(flag), flag);
  }
  const errors: string[] = [];
  const err = (l: string) => errors.push(l);
  assert.equal(await runDiscord({ argv: ['--aggregation', 'sometimes'], env: ENV, err }), 2);
  assert.match(errors.join('\n'), /--aggregation: must be all, plurality or host/);
  const env = { ...ENV, GAMEGIRL_ANYONE_MAY_MANAGE: 'maybe' };
  assert.equal(await runDiscord({ argv: [], env, err }), 2);
  assert.match(errors.join('\n'), /GAMEGIRL_ANYONE_MAY_MANAGE: must be true or false/);
  assert.equal(await runDiscord({ argv: ['--anyone-may-manage=no'], env: ENV, err }), 2);
  assert.match(errors.join('\n'), /--anyone-may-manage/);
});
