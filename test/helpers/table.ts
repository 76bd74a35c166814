// Players at a served console, over its WebSocket protocol as the page speaks it: join a channel,
// boot a cartridge, wait for a turn's scene, press.
import assert from 'node:assert/strict';
import { TestClient } from '../web/harness.js';

type View = { status: string; turn: number; scene: { choices: string[] } | null };

export async function seat(
  wsUrl: string,
  channelId: string,
  name: string,
  headers: Record<string, string> = {},
): Promise<TestClient> {
  const c = await TestClient.open(wsUrl, headers);
  assert.equal((await c.reply(c.send({ type: 'join', channelId, name }))).type, 'ok');
  return c;
}

/** The view once the channel shows turn `turn`'s scene, with its choices. */
export async function sceneAt(c: TestClient, turn: number): Promise<View> {
  const m = await c.waitFor((m) => {
    const v = m.type === 'view' ? (m.view as View) : null;
    return (
      v !== null &&
      (v.status === 'playing' || v.status === 'counting') &&
      v.turn === turn &&
      v.scene !== null
    );
  }, 30_000);
  return m.view as View;
}

export async function boot(c: TestClient, cartridge = 'midnight-arcade'): Promise<void> {
  const r = await c.reply(c.send({ type: 'boot', spec: { kind: 'ink', cartridge } }), 30_000);
  assert.equal(r.type, 'ok', JSON.stringify(r));
  await sceneAt(c, 0);
}

/** Presses choice `index` of turn `turn`'s scene; resolves once the press was accepted. */
export async function press(c: TestClient, turn: number, index = 0): Promise<string> {
  const view = await sceneAt(c, turn);
  const choice = view.scene?.choices[index] ?? view.scene?.choices[0];
  assert.ok(choice !== undefined, 'the scene has choices');
  const r = await c.reply(c.send({ type: 'press', turn, choice }));
  assert.equal(r.type, 'ok', JSON.stringify(r));
  return choice;
}
