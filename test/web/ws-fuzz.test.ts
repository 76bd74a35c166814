// The WebSocket protocol under abuse: every bad message is refused with an error to its sender
// only, and a well-behaved client in the same channel keeps playing throughout.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Harness, startConsole, TestClient } from './harness.js';

const CHANNEL = 'fuzz-room';

describe('web console WebSocket fuzzing', () => {
  let h: Harness;
  let good: TestClient;
  let bad: TestClient;

  before(async () => {
    h = await startConsole({ countdownSeconds: 0.3, rateLimit: { burst: 30, perSecond: 10 } });
    good = await TestClient.open(h.wsUrl);
    const joined = good.send({
      type: 'join',
      channelId: CHANNEL,
      name: 'Good',
    });
    assert.equal((await good.reply(joined)).type, 'ok');
    const booted = good.send({ type: 'boot', spec: { kind: 'ink', cartridge: 'midnight-arcade' } });
    assert.equal((await good.reply(booted)).type, 'ok');
    bad = await TestClient.open(h.wsUrl);
  });

  after(async () => {
    await good?.close();
    await bad?.close();
    await h?.close();
  });

  /** The good client plays one full turn: press, countdown, next scene. */
  async function goodPlaysATurn(): Promise<void> {
    const view = good.lastView();
    assert.ok(view?.scene, 'the good client sees a scene');
    assert.equal(view.status, 'playing');
    const from = good.messages.length;
    const id = good.send({ type: 'press', turn: view.turn, choice: view.scene.choices[0] });
    assert.equal((await good.reply(id)).type, 'ok');
    await good.waitFor(
      (m) => m.type === 'view' && m.view.status === 'playing' && m.view.turn === view.turn + 1,
      10_000,
      from,
    );
  }

  async function refused(send: () => void, code: string, client = bad): Promise<string> {
    const from = client.messages.length;
    send();
    const error = await client.nextError(from);
    assert.equal(error.code, code, `expected ${code}, got ${JSON.stringify(error)}`);
    assert.equal(typeof error.message, 'string');
    return error.message as string;
  }

  it('greets a new connection with the cartridge catalog', async () => {
    const hello = await bad.waitFor((m) => m.type === 'hello');
    assert.ok(Array.isArray(hello.cartridges) && hello.cartridges.length >= 2);
    assert.equal(hello.llm, false);
  });

  it('refuses malformed JSON, non-objects and unknown or missing types', async () => {
    await refused(() => bad.sendRaw('{"type": "press", '), 'BAD_JSON');
    await refused(() => bad.sendRaw('[1,2,3]'), 'BAD_MESSAGE');
    await refused(() => bad.sendRaw('"join"'), 'BAD_MESSAGE');
    await refused(() => bad.sendRaw('null'), 'BAD_MESSAGE');
    const msg = await refused(() => bad.sendRaw('{"type":"self-destruct"}'), 'UNKNOWN_TYPE');
    assert.match(msg, /self-destruct/);
    await refused(() => bad.sendRaw('{"choice":"x"}'), 'UNKNOWN_TYPE');
    await refused(() => bad.sendRaw('{"type":"__proto__"}'), 'UNKNOWN_TYPE');
    await goodPlaysATurn();
  });

  it('refuses wrong field types and unknown fields, naming the field', async () => {
    const m1 = await refused(
      () => bad.send({ type: 'press', turn: 'one', choice: 'x' }),
      'BAD_MESSAGE',
    );
    assert.match(m1, /turn/);
    await refused(() => bad.send({ type: 'press', turn: -1, choice: 'x' }), 'BAD_MESSAGE');
    await refused(() => bad.send({ type: 'press', turn: 1.5, choice: 'x' }), 'BAD_MESSAGE');
    await refused(() => bad.send({ type: 'join', channelId: CHANNEL }), 'BAD_MESSAGE');
    await refused(() => bad.send({ type: 'exit', admin: true }), 'BAD_MESSAGE');
    await refused(
      () => bad.send({ type: 'boot', spec: { kind: 'floppy', cartridge: 'x' } }),
      'BAD_MESSAGE',
    );
  });

  it('refuses oversized messages and binary frames without closing the connection', async () => {
    const big = JSON.stringify({ type: 'press', turn: 0, choice: 'x'.repeat(5000) });
    await refused(() => bad.sendRaw(big), 'TOO_LARGE');
    await refused(() => bad.sendRaw(Buffer.from([0x7b, 0x7d, 0xff, 0x00]), true), 'BINARY');
    assert.equal(bad.closeCode, null);
  });

  it('closes a connection that sends a frame beyond the hard cap (1009), nobody else', async () => {
    const huge = await TestClient.open(h.wsUrl);
    huge.sendRaw('x'.repeat(200_000));
    await huge.waitFor(() => false, 5_000).catch(() => undefined);
    assert.equal(huge.closeCode, 1009);
    await goodPlaysATurn();
  });

  it('refuses out-of-order messages: commands before join, stale turns, foreign choices', async () => {
    await refused(() => bad.send({ type: 'press', turn: 0, choice: 'x' }), 'NOT_JOINED');
    await refused(() => bad.send({ type: 'exit' }), 'NOT_JOINED');
    await refused(() => bad.send({ type: 'history' }), 'NOT_JOINED');
    await refused(
      () => bad.send({ type: 'join', channelId: 'evil\u202Eroom', name: 'Bad' }),
      'INVALID_INPUT',
    );
    const joined = bad.send({
      type: 'join',
      channelId: CHANNEL,
      name: 'Bad',
    });
    assert.equal((await bad.reply(joined)).type, 'ok');
    const view = bad.lastView();
    assert.ok(view?.scene && view.turn >= 1);
    await refused(
      () => bad.send({ type: 'press', turn: view.turn - 1, choice: view.scene?.choices[0] }),
      'STALE_TURN',
    );
    await refused(
      () => bad.send({ type: 'press', turn: view.turn + 5, choice: view.scene?.choices[0] }),
      'STALE_TURN',
    );
    await refused(
      () => bad.send({ type: 'press', turn: view.turn, choice: 'not one of the buttons' }),
      'INVALID_INPUT',
    );
    // Only the booting player manages the game.
    await refused(() => bad.send({ type: 'exit' }), 'PERMISSION');
    await refused(() => bad.send({ type: 'retry' }), 'WRONG_STATE');
    await refused(() => bad.send({ type: 'load', gameId: 'no-such-game' }), 'PERMISSION');
    await refused(() => bad.send({ type: 'boot', spec: { kind: 'llm' } }), 'PERMISSION');
    // In a channel of its own: no LLM is configured here, so the host refuses the boot.
    const loner = await TestClient.open(h.wsUrl);
    await loner.waitFor((m) => m.type === 'hello');
    const own = loner.send({
      type: 'join',
      channelId: 'fuzz-alone',
      name: 'L',
    });
    assert.equal((await loner.reply(own)).type, 'ok');
    await refused(() => loner.send({ type: 'boot', spec: { kind: 'llm' } }), 'NARRATOR', loner);
    await refused(
      () => loner.send({ type: 'boot', spec: { kind: 'ink', cartridge: 'no-such-cart' } }),
      'NARRATOR',
      loner,
    );
    assert.equal(loner.lastView()?.status, 'idle');
    await loner.close();
    await goodPlaysATurn();
  });

  it('rate-limits a flood with few replies, and the good client keeps playing', async () => {
    const flooder = await TestClient.open(h.wsUrl);
    await flooder.waitFor((m) => m.type === 'hello');
    const from = flooder.messages.length;
    for (let i = 0; i < 400; i++) flooder.sendRaw(JSON.stringify({ type: 'games', id: i }));
    await goodPlaysATurn();
    const limited = await flooder.waitFor((m) => m.code === 'RATE_LIMITED', 5_000, from);
    assert.ok(limited);
    const replies = flooder.messages.slice(from);
    // At most the burst (plus a little refill) is served; the rest is dropped, with a notice
    // at most once a second.
    assert.ok(replies.length < 60, `the flood got ${replies.length} replies`);
    assert.equal(flooder.closeCode, null);
    await flooder.close();
  });

  it('never sent the good client an error, and both connections are still open', () => {
    const errors = good.messages.filter((m) => m.type === 'error');
    assert.deepEqual(errors, []);
    assert.equal(good.closeCode, null);
    assert.equal(bad.closeCode, null);
  });

  it('refuses WebSocket upgrades from another origin and on other paths', async () => {
    await assert.rejects(TestClient.open(h.wsUrl, { Origin: 'http://evil.example' }), /403/);
    await assert.rejects(TestClient.open(h.wsUrl.replace(/\/ws$/, '/other')), /404/);
  });
});
