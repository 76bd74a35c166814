import assert from 'node:assert/strict';
import { test } from 'node:test';
import { publicKeyFromHex, verifySignature } from '../../src/discord/http.js';
import { button, command, httpRig, keyPair, PLAYERS, signed, type TestUser } from './_rig.js';
import { buttonsOf, currentScene, waitFor } from './_scenario.js';

const [ANN] = PLAYERS as [TestUser];

async function post(url: string, body: string, headers: Record<string, string>) {
  const res = await fetch(url, { method: 'POST', headers, body });
  return { status: res.status, json: (await res.json()) as unknown };
}

test('signature check: ed25519 over timestamp + raw body, from a hex public key', () => {
  const { publicKeyHex, privateKey } = keyPair();
  const key = publicKeyFromHex(publicKeyHex);
  const body = Buffer.from('{"type":1}');
  const h = signed(privateKey, body.toString());
  assert.equal(
    verifySignature(key, h['x-signature-ed25519'], h['x-signature-timestamp'], body),
    true,
  );
  assert.equal(verifySignature(key, h['x-signature-ed25519'], '1', body), false);
  assert.equal(
    verifySignature(
      key,
      h['x-signature-ed25519'],
      h['x-signature-timestamp'],
      Buffer.from('{"type":2}'),
    ),
    false,
  );
  assert.equal(verifySignature(key, 'zz', h['x-signature-timestamp'], body), false);
  assert.equal(verifySignature(key, undefined, undefined, body), false);
  assert.throws(() => publicKeyFromHex('abc'));
});

test('HTTP endpoint: PING → PONG; 401 on missing, forged or stale signatures; bad bodies refused', async () => {
  const rig = await httpRig();
  try {
    const ping = JSON.stringify({ type: 1, id: '1', application_id: '1', token: 't' });
    assert.deepEqual(await post(rig.url, ping, signed(rig.privateKey, ping)), {
      status: 200,
      json: { type: 1 },
    });
    // Missing signature.
    assert.equal((await post(rig.url, ping, { 'content-type': 'application/json' })).status, 401);
    // Signed by someone else's key.
    const intruder = keyPair();
    assert.equal((await post(rig.url, ping, signed(intruder.privateKey, ping))).status, 401);
    // Body changed after signing (a forged channel, say).
    const real = command(ANN, 'status');
    const text = JSON.stringify(real);
    const forged = text.replace(real.channel_id, '800000000000000099');
    assert.equal((await post(rig.url, forged, signed(rig.privateKey, text))).status, 401);
    // A replayed request from ten minutes ago.
    const old = String(Math.floor(Date.now() / 1000) - 600);
    assert.equal((await post(rig.url, ping, signed(rig.privateKey, ping, old))).status, 401);
    // Signed, but not an interaction.
    assert.equal((await post(rig.url, 'not json', signed(rig.privateKey, 'not json'))).status, 400);
    const junk = JSON.stringify({ type: 2, id: 'x' });
    assert.equal((await post(rig.url, junk, signed(rig.privateKey, junk))).status, 400);
    const huge = JSON.stringify({ ...real, pad: 'x'.repeat(300 * 1024) });
    assert.equal((await post(rig.url, huge, signed(rig.privateKey, huge))).status, 413);
    const oversizedToken = JSON.stringify({ ...real, token: 't'.repeat(5000) });
    assert.equal(
      (await post(rig.url, oversizedToken, signed(rig.privateKey, oversizedToken))).status,
      400,
    );
    assert.equal((await fetch(rig.url)).status, 405);
    assert.equal(
      (await fetch(rig.url.replace('/interactions', '/other'), { method: 'POST' })).status,
      404,
    );
    // Nothing reached Discord or the host.
    assert.equal(rig.fake.calls.length, 0);
    assert.equal((await rig.host.view('800000000000000010')).status, 'idle');
    // And the endpoint still serves real interactions.
    const status = await post(rig.url, text, signed(rig.privateKey, text));
    assert.deepEqual(status, { status: 200, json: { type: 5, data: { flags: 64 } } });
  } finally {
    await rig.close();
  }
});

test('429 from Discord: the post and the edit are retried after Retry-After', async () => {
  const rig = await httpRig();
  try {
    rig.fake.rateLimit('POST', /^\/channels\/\d+\/messages$/, 0.4);
    rig.fake.rateLimit('PATCH', /^\/channels\/\d+\/messages\/\d+$/, 0.4);
    await rig.send(command(ANN, 'boot', { game: 'script' }));
    await waitFor(rig, (v) => v.status === 'playing');
    await rig.settle();
    const posts = rig.fake.calls.filter((c) => c.method === 'POST' && /^\/channels\//.test(c.path));
    assert.deepEqual(
      posts.map((c) => c.status),
      [429, 200],
    );
    assert.ok((posts[1]?.at ?? 0) - (posts[0]?.at ?? 0) >= 380, 'the retry waited for Retry-After');
    const scene = currentScene(rig);
    const press = await rig.send(button(ANN, buttonsOf(scene)[1]?.custom_id ?? '', scene.id));
    assert.ok(press.ackMs < 3000);
    await rig.settle();
    const edits = rig.fake.calls.filter(
      (c) => c.method === 'PATCH' && c.path.startsWith('/channels/'),
    );
    assert.deepEqual(
      edits.map((c) => c.status),
      [429, 200],
    );
    assert.ok((edits[1]?.at ?? 0) - (edits[0]?.at ?? 0) >= 380);
    assert.match(JSON.stringify(currentScene(rig).body), /Chosen \(1\): Ann/);
  } finally {
    await rig.close();
  }
});
