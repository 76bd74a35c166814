import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runDiscord } from '../../src/discord/main.js';
import { FAKE_APP_ID, FakeDiscord } from '../helpers/fake-discord.js';
import { command, keyPair, PLAYERS, signed, type TestUser } from './_rig.js';

const ENV = { DISCORD_TOKEN: 'bot-token', DISCORD_APPLICATION_ID: FAKE_APP_ID };

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
  const fake = await new FakeDiscord().start();
  const dir = mkdtempSync(join(tmpdir(), 'gg-discord-'));
  const { publicKeyHex, privateKey } = keyPair();
  const stop = new AbortController();
  let url = '';
  let exitedWith: (code: number) => void = () => {};
  const exited = new Promise<number>((resolve) => {
    exitedWith = resolve;
  });
  const ready = new Promise<void>((resolve) => {
    void runDiscord({
      argv: ['--http', '--port', '0', '--data-dir', dir, '--log-level', 'silent'],
      env: { ...ENV, DISCORD_PUBLIC_KEY: publicKeyHex },
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
    const ping = JSON.stringify({ type: 1, id: '1', application_id: FAKE_APP_ID, token: 't' });
    const pong = await fetch(url, {
      method: 'POST',
      headers: signed(privateKey, ping),
      body: ping,
    });
    assert.deepEqual(await pong.json(), { type: 1 });
    const boot = JSON.stringify(
      command(PLAYERS[0] as TestUser, 'boot', { game: 'midnight-arcade' }),
    );
    const res = await fetch(url, { method: 'POST', headers: signed(privateKey, boot), body: boot });
    assert.equal(((await res.json()) as { type: number }).type, 5);
    const deadline = Date.now() + 10_000;
    while (fake.channelMessages('800000000000000010').length === 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    const scene = fake.channelMessages('800000000000000010')[0];
    assert.ok(scene, 'the opening scene was posted');
    assert.ok(((scene.body.components ?? []) as unknown[]).length > 0);
  } finally {
    stop.abort();
    assert.equal(await exited, 0);
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
