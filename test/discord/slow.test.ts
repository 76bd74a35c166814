import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Clock } from '../../src/core/clock.js';
import type { Narrator } from '../../src/narrator/port.js';
import type { ScriptNarrator } from '../helpers/script-narrator.js';
import {
  button,
  CHANNEL,
  command,
  gatewayRig,
  httpRig,
  PLAYERS,
  type Rig,
  type TestUser,
} from './_rig.js';
import { buttonsOf, currentScene, waitFor } from './_scenario.js';

/** The script narrator, but every scene takes 10 s on the (manual) clock. */
function slow(inner: ScriptNarrator, clock: Clock): Narrator {
  const wait = () => new Promise<void>((resolve) => clock.setTimer(resolve, 10_000));
  return {
    async open(input) {
      await wait();
      return inner.open(input);
    },
    async next(input) {
      await wait();
      return inner.next(input);
    },
  };
}

async function scenario(rig: Rig): Promise<void> {
  const acks: number[] = [];
  const boot = await rig.send(command(PLAYERS[0] as TestUser, 'boot', { game: 'script' }));
  acks.push(boot.ackMs);
  const deferred = boot.response as { type: number; data?: { flags?: number } };
  assert.equal(deferred.type, 5);
  assert.ok(((deferred.data?.flags ?? 0) & 64) === 0, 'the boot reply is public');
  // The opening scene is 10 s away: the command was acknowledged long before.
  const status = await rig.send(command(PLAYERS[1] as TestUser, 'status'));
  acks.push(status.ackMs);
  await new Promise((r) => setTimeout(r, 20));
  rig.clock.advance(10_000);
  await waitFor(rig, (v) => v.status === 'playing' && v.turn === 0);
  await rig.settle();
  const scene = currentScene(rig);
  const left = buttonsOf(scene)[0]?.custom_id ?? '';
  for (const p of PLAYERS) acks.push((await rig.send(button(p, left, scene.id))).ackMs);
  rig.clock.advance(10_000); // the window closes; the narrator now takes 10 s
  await waitFor(rig, (v) => v.status === 'narrating');
  // Every press while the narrator writes is answered at once, privately.
  const during = await Promise.all(PLAYERS.map((p) => rig.send(button(p, left, scene.id))));
  for (const d of during) {
    acks.push(d.ackMs);
    const r = d.response as { type: number; data?: { flags?: number; content?: string } };
    assert.equal(r.type, 4);
    assert.equal(r.data?.flags, 64);
    assert.match(r.data?.content ?? '', /narrator is writing/);
  }
  rig.clock.advance(10_000);
  await waitFor(rig, (v) => v.status === 'playing' && v.turn === 1);
  await rig.settle();
  assert.equal(rig.fake.channelMessages(CHANNEL).length, 2);
  for (const ms of acks) assert.ok(ms < 3000, `acknowledged in ${ms} ms`);
}

test('a 10 s narrator: every interaction is still acknowledged within 3 s (gateway)', async () => {
  const rig = await gatewayRig({ wrap: slow });
  try {
    await scenario(rig);
  } finally {
    await rig.close();
  }
});

test('a 10 s narrator: every interaction is still acknowledged within 3 s (HTTP)', async () => {
  const rig = await httpRig({ wrap: slow });
  try {
    await scenario(rig);
  } finally {
    await rig.close();
  }
});
