import assert from 'node:assert/strict';
import { test } from 'node:test';
import { commandDefinitions } from '../../src/discord/commands.js';
import {
  CUSTOM_ID_MAX_LENGTH,
  decodeButtonId,
  encodeButtonId,
  gameTag,
} from '../../src/discord/custom-id.js';
import { renderGames, renderScene, renderStatus } from '../../src/discord/render.js';
import { splitText } from '../../src/discord/text.js';
import type { ChannelView } from '../../src/host/types.js';

const CH = '123456789012345678';

function view(overrides: Partial<ChannelView> = {}): ChannelView {
  return {
    channelId: CH,
    status: 'playing',
    game: {
      gameId: 'game-1',
      gameName: 'Quest',
      titleScreenUrl: 'https://example.test/t.png',
      turnNumber: 3,
      bootedBy: '1',
      spec: { kind: 'ink', cartridge: 'x' },
    },
    scene: { text: 'You stand at a door.', choices: ['Open', 'Knock'], ended: false },
    turn: 3,
    window: null,
    error: null,
    ...overrides,
  };
}

test('custom_id round-trips and stays within 100 characters at the extremes', () => {
  const id = {
    action: 'press' as const,
    channelId: '18446744073709551615',
    gameTag: gameTag('g'.repeat(128)),
    turn: 999_999_999,
    index: 23,
  };
  const encoded = encodeButtonId(id);
  assert.ok(encoded.length <= CUSTOM_ID_MAX_LENGTH);
  assert.deepEqual(decodeButtonId(encoded), id);
  assert.notEqual(gameTag('a'), gameTag('b'));
  const page = { ...id, action: 'story' as const, index: 1 };
  assert.deepEqual(decodeButtonId(encodeButtonId(page)), page);
  const xcard = { ...id, action: 'xcard' as const, index: 0 };
  assert.deepEqual(decodeButtonId(encodeButtonId(xcard)), xcard);
});

test('custom_id: unknown, forged, oversized and non-canonical ids decode to null', () => {
  const good = encodeButtonId({
    action: 'press',
    channelId: CH,
    gameTag: gameTag('g'),
    turn: 4,
    index: 1,
  });
  const bad = [
    '',
    'hello',
    `${good}x`,
    good.replace('gg1', 'gg2'),
    good.replace(':4:', ':04:'), // a second spelling of the same button
    good.replace(/:1$/, ':24'), // index past the 24 choice buttons
    good.replace(/:1$/, ':-1'),
    `gg1:p:${'9'.repeat(21)}:${gameTag('g')}:4:1`, // not a snowflake
    `gg1:x:${CH}:${gameTag('g')}:4:1`, // the X-card has no index
    `gg1:q:${CH}:${gameTag('g')}:4:0`, // no such action
    `gg1:r:${CH}:${gameTag('g')}:4:3`, // retry has no index
    `gg1:s:${CH}:${gameTag('g')}:4:2`, // a story page reads back (0) or on (1)
    'a'.repeat(101),
    good + ' '.repeat(80),
  ];
  for (const b of bad) assert.equal(decodeButtonId(b), null, b);
  assert.equal(decodeButtonId(42), null);
  assert.equal(decodeButtonId(null), null);
  assert.throws(() =>
    encodeButtonId({ action: 'press', channelId: 'abc', gameTag: gameTag('g'), turn: 1, index: 0 }),
  );
  assert.throws(() =>
    encodeButtonId({ action: 'press', channelId: CH, gameTag: gameTag('g'), turn: 1, index: 24 }),
  );
});

test('scene buttons: labels cut to 80, at most 24 choices in 5 rows, Retry in the spare slot', () => {
  const choices = Array.from({ length: 30 }, (_, i) => `${i}:${'x'.repeat(120)}`);
  const rendered = renderScene(
    view({ status: 'failed', error: 'boom', scene: { text: 't', choices, ended: false } }),
  );
  const rows = rendered.main.components ?? [];
  assert.equal(rows.length, 5);
  const buttons = rows.flatMap((r) => r.components);
  assert.equal(buttons.length, 25);
  assert.ok(rows.every((r) => r.components.length <= 5));
  for (const b of buttons) {
    assert.ok(b.label !== undefined && b.label.length <= 80 && b.label.length > 0);
    assert.ok(b.custom_id.length <= 100);
  }
  assert.equal(buttons[24]?.label, 'Retry');
  assert.equal(decodeButtonId(buttons[24]?.custom_id)?.action, 'retry');
  assert.ok(buttons.slice(0, 24).every((b) => b.disabled === true)); // failed: choices are off
  assert.equal(decodeButtonId(buttons[23]?.custom_id)?.index, 23);
});

test('empty or invisible labels get a visible fallback; mentions are never parsed', () => {
  const rendered = renderScene(
    view({ scene: { text: '@everyone hi <@123>', choices: ['\u200b\u202e', '  '], ended: false } }),
  );
  const labels = (rendered.main.components ?? []).flatMap((r) => r.components.map((b) => b.label));
  assert.deepEqual(labels, ['Choice 1', 'Choice 2', '👀 Watch / Play', '✖ X-card']);
  assert.deepEqual(rendered.main.allowed_mentions, { parse: [] });
  assert.deepEqual(renderStatus(view()).allowed_mentions, { parse: [] });
  assert.deepEqual(renderGames([]).allowed_mentions, { parse: [] });
});

test('long narrator text is split at Discord limits, on word boundaries', () => {
  const words = Array.from({ length: 3000 }, (_, i) => `word${i}`).join(' ');
  const rendered = renderScene(view({ scene: { text: words, choices: ['A'], ended: false } }));
  const all = [...rendered.leading, rendered.main];
  assert.ok(rendered.leading.length >= 1);
  let joined = '';
  for (const m of all) {
    const embed = m.embeds?.[0];
    assert.ok(embed);
    const size =
      (embed.title?.length ?? 0) +
      (embed.description?.length ?? 0) +
      (embed.fields ?? []).reduce((n, f) => n + f.name.length + f.value.length, 0);
    assert.ok(size <= 6000, `embed of ${size} characters`);
    assert.ok((embed.description?.length ?? 0) <= 4096);
    joined += `${embed.description ?? ''} `;
    assert.deepEqual(m.allowed_mentions, { parse: [] });
  }
  assert.equal(joined.trim(), words);
  assert.equal(rendered.main.components?.length, 1); // buttons only on the last message
  // No surrogate pair is ever cut in half.
  const emoji = '😀'.repeat(5000);
  for (const piece of splitText(emoji, 4000)) assert.ok(piece.isWellFormed());
});

test('countdown shows a Discord timestamp and who has chosen; names cannot inject markdown', () => {
  const deadlineMs = 1_700_000_010_000;
  const v = view({
    status: 'counting',
    window: {
      deadlineMs,
      secondsRemaining: 7,
      lengthMs: 10_000,
      chosen: [{ userId: '1', userName: '**Bold**', choice: 'Open' }],
      waitingFor: [],
    },
  });
  const field = renderScene(v).main.embeds?.[0]?.fields?.[0]?.value ?? '';
  assert.match(field, /<t:1700000010:R>/);
  assert.match(field, /Chosen \(1\): \\\*\\\*Bold\\\*\\\*/);
  const closed = renderScene(v, true);
  assert.ok((closed.main.components ?? []).flatMap((r) => r.components).every((b) => b.disabled));
});

test("the scene tells the last window's reveal and who the window waits for, escaped", () => {
  const reveal = {
    turn: 2,
    rule: 'plurality' as const,
    tally: [{ choice: 'Open', count: 2, names: ['*Ann*', 'Ben'] }],
    sent: ['Open'],
    text: 'The group chose “Open”, 2 of 2 (*Ann* and Ben).',
  };
  const playing = renderScene(view({ reveal })).main.embeds?.[0]?.fields?.[0]?.value ?? '';
  assert.match(playing, /🎲 Last turn: The group chose “Open”, 2 of 2 \(\\\*Ann\\\* and Ben\)\./);
  const counting = view({
    status: 'counting',
    reveal: null,
    window: {
      deadlineMs: 1_700_000_010_000,
      secondsRemaining: 7,
      lengthMs: 10_000,
      chosen: [{ userId: '1', userName: 'Ann', choice: 'Open' }],
      waitingFor: ['Ben', '_Cid_'],
    },
  });
  const field = renderScene(counting).main.embeds?.[0]?.fields?.[0]?.value ?? '';
  assert.match(field, /Waiting for: Ben, \\_Cid\\_/);
  assert.doesNotMatch(field, /Last turn/);
  assert.doesNotMatch(field, /⚠️/);
  const stuck = {
    ...counting,
    notice: "The game's store cannot be reached; the turn will close when it is back.",
  };
  const told = renderScene(stuck).main.embeds?.[0]?.fields?.[0]?.value ?? '';
  assert.match(told, /⚠️ The game's store cannot be reached; the turn will close when it is back\./);
});

test('the slash command: one /gamegirl with the ten subcommands, guild only', () => {
  const [def] = commandDefinitions();
  assert.equal(def?.name, 'gamegirl');
  assert.deepEqual(
    def?.options?.map((o) => o.name),
    ['boot', 'exit', 'games', 'load', 'history', 'export', 'settings', 'status', 'story', 'recap'],
  );
  assert.deepEqual(def?.contexts, [0]);
});
