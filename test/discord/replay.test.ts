// The interactions endpoint against what Discord's signature alone does not stop: a signed
// request sent again within the timestamp window (a replay) is refused and changes nothing, and
// a client that sends its headers or body slowly is cut short instead of holding the connection.
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { test } from 'node:test';
import { REST } from 'discord.js';
import { createInteractionServer, publicKeyFromHex } from '../../src/discord/http.js';
import { button, command, httpRig, keyPair, PLAYERS, signed, type TestUser } from './_rig.js';
import { buttonsOf, currentScene, waitFor } from './_scenario.js';

const [ANN] = PLAYERS as [TestUser];

async function post(url: string, body: string, headers: Record<string, string>) {
  const res = await fetch(url, { method: 'POST', headers, body });
  return { status: res.status, json: (await res.json()) as unknown };
}

test('a signed press replayed within the window is refused (409) and changes nothing', async () => {
  const rig = await httpRig();
  try {
    await rig.send(command(ANN, 'boot', { game: 'script' }));
    await waitFor(rig, (v) => v.status === 'playing');
    await rig.settle();
    const scene = currentScene(rig);
    const [left, right] = buttonsOf(scene);
    assert.ok(left && right);
    // Ann presses Left, then changes her mind to Right; someone replays the Left request.
    const first = JSON.stringify(button(ANN, left.custom_id, scene.id));
    const firstHeaders = signed(rig.privateKey, first);
    assert.equal((await post(rig.url, first, firstHeaders)).status, 200);
    await rig.send(button(ANN, right.custom_id, scene.id));
    await rig.settle();
    const replay = await post(rig.url, first, firstHeaders);
    assert.deepEqual(replay, { status: 409, json: { error: 'interaction already received' } });
    await rig.settle();
    const view = await rig.host.view(currentChannel(first));
    assert.deepEqual(
      view.window?.chosen.map((c) => c.choice),
      [right.label],
      "Ann's last choice stands",
    );
  } finally {
    await rig.close();
  }
});

const currentChannel = (body: string): string =>
  (JSON.parse(body) as { channel_id: string }).channel_id;

/** Sends `atOnce`, then `slowly` one byte every `everyMs` until all is sent or the server hangs
 *  up; resolves with what the server answered and how many of the slow bytes went out. */
function dribble(url: string, atOnce: string, slowly: string, everyMs: number) {
  const { hostname, port } = new URL(url);
  const bytes = Buffer.from(slowly);
  return new Promise<{ answer: string; sent: number }>((resolve) => {
    const socket = connect(Number(port), hostname, () => socket.write(atOnce));
    let answer = '';
    let sent = 0;
    socket.on('data', (d) => {
      answer += d;
    });
    socket.on('error', () => {});
    const timer = setInterval(() => {
      if (sent >= bytes.length || socket.destroyed) return;
      socket.write(bytes.subarray(sent, sent + 1));
      sent++;
    }, everyMs);
    socket.on('close', () => {
      clearInterval(timer);
      resolve({ answer, sent });
    });
  });
}

test('slow headers and slow bodies are cut short with 408', async () => {
  const rig = await httpRig({}, { headersTimeoutMs: 400, requestTimeoutMs: 800 });
  try {
    const body = JSON.stringify(command(ANN, 'status'));
    const head = `POST /interactions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`;
    // At 50 ms a byte, the headers alone would take several seconds.
    const slowHead = await dribble(rig.url, '', head + body, 50);
    assert.match(slowHead.answer, /^HTTP\/1\.1 408 /);
    assert.ok(slowHead.sent < head.length, `cut during the headers (sent ${slowHead.sent})`);
    // The headers at once, then the body byte by byte.
    const slowBody = await dribble(rig.url, head, body, 50);
    assert.match(slowBody.answer, /^HTTP\/1\.1 408 /);
    assert.ok(slowBody.sent < body.length, `cut during the body (sent ${slowBody.sent})`);
    // Nothing reached Discord; the endpoint still answers a prompt client.
    assert.equal(rig.fake.calls.length, 0);
    const status = await rig.send(command(ANN, 'status'));
    assert.deepEqual(status.response, { type: 5, data: { flags: 64 } });
  } finally {
    await rig.close();
  }
});

test('the endpoint sets header and body timeouts by default', async () => {
  const rig = await httpRig();
  try {
    const server = createInteractionServer({
      publicKey: publicKeyFromHex(keyPair().publicKeyHex),
      handler: rig.handler,
      rest: new REST(),
    });
    assert.equal(server.headersTimeout, 5000);
    assert.equal(server.requestTimeout, 10_000);
  } finally {
    await rig.close();
  }
});
