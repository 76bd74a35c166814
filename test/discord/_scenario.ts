import assert from 'node:assert/strict';
import type { ChannelView } from '../../src/host/types.js';
import type { StoredMessage } from '../helpers/fake-discord.js';
import { button, CHANNEL, command, PLAYERS, type Rig } from './_rig.js';

export async function waitFor(
  rig: Rig,
  pred: (v: ChannelView) => boolean,
  timeoutMs = 5000,
): Promise<ChannelView> {
  const start = Date.now();
  for (;;) {
    const v = await rig.host.view(CHANNEL);
    if (pred(v)) return v;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out; last status ${v.status}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

interface Button {
  custom_id: string;
  label: string;
  disabled: boolean;
}

export function buttonsOf(m: StoredMessage): Button[] {
  const rows = (m.body.components ?? []) as Array<{ components: Button[] }>;
  return rows.flatMap((r) => r.components);
}

export function embedOf(m: StoredMessage): {
  title?: string;
  description?: string;
  fields?: Array<{ value: string }>;
} {
  const embeds = (m.body.embeds ?? []) as Array<{
    title?: string;
    description?: string;
    fields?: Array<{ value: string }>;
  }>;
  return embeds[0] ?? {};
}

/** The scene message with live buttons (the last one posted in the channel). */
export function currentScene(rig: Rig): StoredMessage {
  const all = rig.fake.channelMessages(CHANNEL);
  const last = all[all.length - 1];
  assert.ok(last, 'a scene message was posted');
  return last;
}

/** Five players, three turns: who presses what on turns 0, 1, 2. */
const PRESSES: Array<Array<[number, number]>> = [
  [
    [0, 0],
    [1, 1],
    [2, 0],
    [3, 2],
    [4, 0],
  ],
  [
    [0, 1],
    [1, 1],
    [2, 2],
    [3, 1],
    [4, 0],
  ],
  [
    [0, 2],
    [1, 0],
    [2, 2],
    [3, 2],
    [4, 2],
  ],
];

/**
 * Boots the script game and plays three turns with five players through `rig`'s transport.
 * Returns a transport-independent outcome: each scene message's text, final buttons and status,
 * and what the narrator was told. Asserts every acknowledgement came within 3 s.
 */
export async function playThreeTurns(rig: Rig) {
  const boot = await rig.send(
    command(PLAYERS[0] as (typeof PLAYERS)[number], 'boot', { game: 'script' }),
  );
  assert.ok(boot.ackMs < 3000, `boot acknowledged in ${boot.ackMs} ms`);
  await waitFor(rig, (v) => v.status === 'playing' && v.turn === 0);
  await rig.settle();
  const acks: number[] = [boot.ackMs];
  for (let turn = 0; turn < 3; turn++) {
    const scene = currentScene(rig);
    const buttons = buttonsOf(scene);
    assert.deepEqual(
      buttons.map((b) => [b.label, b.disabled]),
      [
        ['Left', false],
        ['Right', false],
        ['Wait', false],
        ['👀 Watch / Play', false],
        ['✖ X-card', false],
      ],
    );
    const presses = PRESSES[turn] ?? [];
    const results = await Promise.all(
      presses.map(([p, choice]) =>
        rig.send(
          button(
            PLAYERS[p] as (typeof PLAYERS)[number],
            (buttons[choice] as Button).custom_id,
            scene.id,
          ),
        ),
      ),
    );
    for (const r of results) acks.push(r.ackMs);
    await waitFor(rig, (v) => v.status === 'counting' && (v.window?.chosen.length ?? 0) === 5);
    await rig.settle();
    assert.match(embedOf(currentScene(rig)).fields?.[0]?.value ?? '', /Chosen \(5\)/);
    rig.clock.advance(10_000);
    await waitFor(rig, (v) => v.turn === turn + 1 && v.status === 'playing');
    await rig.settle();
  }
  for (const ms of acks) assert.ok(ms < 3000, `acknowledged in ${ms} ms`);
  const messages = rig.fake.channelMessages(CHANNEL).map((m) => ({
    text: embedOf(m).description,
    status: (embedOf(m).fields?.[0]?.value ?? '').replace(/<t:\d+:[RT]>/g, '<t>'),
    buttons: buttonsOf(m).map((b) => `${b.label}${b.disabled ? ' (off)' : ''}`),
  }));
  assertEditRate(rig);
  const told = rig.narrator.turns.map((t) => [...t.choices.values()]);
  return { messages, told };
}

/** Every message was edited at most once per second, and only a few times per turn. */
export function assertEditRate(rig: Rig, maxEdits = 4): void {
  for (const m of rig.fake.messages.values()) {
    const times = rig.fake
      .callsTo('PATCH', new RegExp(`^/channels/${m.channelId}/messages/${m.id}$`))
      .map((c) => c.at);
    for (let i = 1; i < times.length; i++) {
      const gap = (times[i] as number) - (times[i - 1] as number);
      assert.ok(gap >= 900, `message ${m.id} edited twice within ${gap} ms`);
    }
    assert.ok(m.edits <= maxEdits, `message ${m.id} was edited ${m.edits} times`);
  }
}
