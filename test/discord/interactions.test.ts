import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeButtonId, encodeButtonId, gameTag } from '../../src/discord/custom-id.js';
import {
  autocomplete,
  button,
  CHANNEL,
  command,
  gatewayRig,
  MANAGE_CHANNELS,
  OTHER_CHANNEL,
  PLAYERS,
  type TestUser,
  webhookBodies,
} from './_rig.js';
import { assertEditRate, buttonsOf, currentScene, embedOf, waitFor } from './_scenario.js';

const [ANN, BEN] = PLAYERS as [TestUser, TestUser];
const EPHEMERAL = 64;

function isEphemeralNotice(response: unknown, pattern: RegExp): void {
  const r = response as {
    type: number;
    data?: { flags?: number; content?: string; allowed_mentions?: unknown };
  };
  assert.equal(r.type, 4, JSON.stringify(r));
  assert.equal(r.data?.flags, EPHEMERAL);
  assert.match(r.data?.content ?? '', pattern);
  assert.deepEqual(r.data?.allowed_mentions, { parse: [] });
}

test('bad payloads are refused privately and leave every channel playable', async () => {
  const rig = await gatewayRig();
  try {
    await rig.send(command(ANN, 'boot', { game: 'script' }, OTHER_CHANNEL));
    await rig.send(command(ANN, 'boot', { game: 'script' }));
    await waitFor(rig, (v) => v.status === 'playing');
    await rig.settle();
    const scene = currentScene(rig);
    const real = buttonsOf(scene)[0]?.custom_id ?? '';
    const id = decodeButtonId(real);
    assert.ok(id);
    const cases: Array<[object, RegExp]> = [
      [button(BEN, 'not-ours', scene.id), /not one of GameGirl/],
      [button(BEN, 'x'.repeat(1000), scene.id), /not one of GameGirl/],
      [button(BEN, `${real}0`, scene.id), /not one of GameGirl/],
      // A button naming another channel than the one it was pressed in: forged.
      [
        button(BEN, encodeButtonId({ ...id, channelId: OTHER_CHANNEL }), scene.id),
        /another channel/,
      ],
      // Right channel, wrong game (e.g. a button of a game swapped out at the same turn).
      [button(BEN, encodeButtonId({ ...id, gameTag: gameTag('other') }), scene.id), /turn/],
      // A choice index the scene does not have.
      [button(BEN, encodeButtonId({ ...id, index: 7 }), scene.id), /not a choice/],
      [command(BEN, 'boot', { game: '../../etc/passwd' }), /No cartridge/],
      [command(BEN, 'boot', { game: 'x'.repeat(5000) }), /Name a game/],
      [command(BEN, 'dance'), /Unknown command/],
      [command(BEN, 'status', {}, CHANNEL, 'othercommand'), /Unknown command/],
      [command(BEN, 'load', { id: 'y'.repeat(5000) }), /saved game id/],
    ];
    for (const [payload, pattern] of cases) {
      const { ackMs, response } = await rig.send(payload);
      assert.ok(ackMs < 3000);
      isEphemeralNotice(response, pattern);
    }
    // Both channels still play.
    const view = await rig.host.view(CHANNEL);
    assert.equal(view.status, 'playing');
    assert.equal(view.window, null);
    const press = await rig.send(button(BEN, real, scene.id));
    assert.deepEqual(press.response, { type: 6 });
    const other = await rig.host.view(OTHER_CHANNEL);
    assert.equal(other.status, 'playing');
    await rig.host.press(OTHER_CHANNEL, { id: BEN.id, name: BEN.name }, other.turn, 'Left');
    assert.equal((await rig.host.view(OTHER_CHANNEL)).status, 'counting');
    assert.deepEqual(rig.errors, []);
  } finally {
    await rig.close();
  }
});

test('stale buttons get an ephemeral notice; the current turn is untouched', async () => {
  const rig = await gatewayRig();
  try {
    await rig.send(command(ANN, 'boot', { game: 'script' }));
    await waitFor(rig, (v) => v.status === 'playing');
    await rig.settle();
    const old = currentScene(rig);
    const oldLeft = buttonsOf(old)[0]?.custom_id ?? '';
    await rig.send(button(ANN, oldLeft, old.id));
    rig.clock.advance(10_000);
    await waitFor(rig, (v) => v.turn === 1 && v.status === 'playing');
    await rig.settle();
    const { ackMs, response } = await rig.send(button(BEN, oldLeft, old.id));
    assert.ok(ackMs < 3000);
    isEphemeralNotice(response, /turn 0 is over/);
    const v = await rig.host.view(CHANNEL);
    assert.equal(v.status, 'playing');
    assert.equal(v.window, null);
    // The old message was sealed once with its buttons disabled; the new one is live.
    assert.ok(buttonsOf(old).every((b) => b.disabled));
    assert.ok(buttonsOf(currentScene(rig)).every((b) => !b.disabled));
  } finally {
    await rig.close();
  }
});

test('20 users pressing at once: all acknowledged within 3 s, one coalesced message', async () => {
  const rig = await gatewayRig();
  try {
    await rig.send(command(ANN, 'boot', { game: 'script' }));
    await waitFor(rig, (v) => v.status === 'playing');
    await rig.settle();
    const scene = currentScene(rig);
    const buttons = buttonsOf(scene);
    const users = Array.from({ length: 20 }, (_, i) => ({
      id: `71000000000000${String(i).padStart(4, '0')}`,
      name: `P${i}`,
    }));
    const results = await Promise.all(
      users.map((u, i) => rig.send(button(u, buttons[i % 3]?.custom_id ?? '', scene.id))),
    );
    for (const r of results) {
      assert.ok(r.ackMs < 3000, `acknowledged in ${r.ackMs} ms`);
      assert.deepEqual(r.response, { type: 6 });
    }
    const v = await rig.host.view(CHANNEL);
    assert.equal(v.window?.chosen.length, 20);
    await rig.settle();
    assert.match(embedOf(currentScene(rig)).fields?.[0]?.value ?? '', /Chosen \(20\)/);
    assertEditRate(rig, 3);
    assert.equal(rig.fake.channelMessages(CHANNEL).length, 1);
  } finally {
    await rig.close();
  }
});

test('exit and hot-swap: the booting player or Manage Channels only', async () => {
  const rig = await gatewayRig();
  try {
    const boot = command(ANN, 'boot', { game: 'script' });
    await rig.send(boot);
    await waitFor(rig, (v) => v.status === 'playing');
    await rig.settle();
    const booted = webhookBodies(rig, boot)[0] as {
      embeds: Array<{ description: string; image?: { url: string } }>;
    };
    assert.match(booted.embeds[0]?.description ?? '', /Ann booted \*\*Script Quest\*\*/);
    assert.equal(booted.embeds[0]?.image?.url, 'https://example.test/title/Script%20Quest.png');
    const gameId = (await rig.host.view(CHANNEL)).game?.gameId ?? '';

    const refused = command(BEN, 'exit');
    const r1 = await rig.send(refused);
    assert.equal((r1.response as { type: number }).type, 5); // deferred first
    await rig.settle();
    assert.ok(rig.fake.calls.some((c) => c.method === 'DELETE' && c.path.includes(refused.token)));
    const notice = webhookBodies(rig, refused).find((b) => b.flags === 64);
    assert.match(String(notice?.content), /PERMISSION|not allowed|may not|only/i);
    assert.equal((await rig.host.view(CHANNEL)).status, 'playing');

    const mod = { ...BEN, permissions: MANAGE_CHANNELS };
    const exit = command(mod, 'exit');
    await rig.send(exit);
    await rig.settle();
    assert.equal((await rig.host.view(CHANNEL)).status, 'idle');
    assert.match(String(webhookBodies(rig, exit)[0]?.content), /💾/);
    // The scene message was sealed: no live buttons are left in the channel.
    assert.ok(
      rig.fake.channelMessages(CHANNEL).every((m) => buttonsOf(m).every((b) => b.disabled)),
    );

    const load = command(BEN, 'load', { id: gameId });
    await rig.send(load);
    await rig.settle();
    const v = await rig.host.view(CHANNEL);
    assert.equal(v.game?.gameId, gameId);
    assert.match(JSON.stringify(webhookBodies(rig, load)[0]), /Ben loaded/);
  } finally {
    await rig.close();
  }
});

test('games, history, status and autocomplete answer privately', async () => {
  const rig = await gatewayRig();
  try {
    await rig.send(command(ANN, 'boot', { game: 'script' }));
    await waitFor(rig, (v) => v.status === 'playing');
    await rig.host.press(CHANNEL, { id: ANN.id, name: ANN.name }, 0, 'Left');
    rig.clock.advance(10_000);
    await waitFor(rig, (v) => v.turn === 1 && v.status === 'playing');
    await rig.settle();
    const gameId = (await rig.host.view(CHANNEL)).game?.gameId ?? '';
    for (const [sub, pattern] of [
      ['games', new RegExp(gameId)],
      // Who chose what, and how the window was settled, by name.
      [
        'history',
        /Turn \d+\*\* <t:\d+:R> · 1 choice\(s\): chose Left\n↳ Ann: Left\n↳ The group chose “Left”, 1 of 1\./,
      ],
      ['status', /turn 1 · playing/],
    ] as const) {
      const payload = command(BEN, sub);
      const { response } = await rig.send(payload);
      assert.deepEqual(response, { type: 5, data: { flags: 64 } });
      await rig.settle();
      assert.match(String(webhookBodies(rig, payload)[0]?.content), pattern);
    }
    const games = await rig.send(autocomplete(BEN, 'boot', 'game', 'scr'));
    assert.deepEqual(games.response, {
      type: 8,
      data: { choices: [{ name: 'Script Quest (script)', value: 'script' }] },
    });
    const ids = await rig.send(autocomplete(BEN, 'load', 'id', ''));
    const choices = (ids.response as { data: { choices: Array<{ value: string }> } }).data.choices;
    assert.deepEqual(
      choices.map((c) => c.value),
      [gameId],
    );
  } finally {
    await rig.close();
  }
});
