// `/gamegirl export` against the local Discord server, through both transports: after three
// turns the one who asked gets the story as a file attachment (ephemeral): the Markdown
// transcript by default, the JSON archive with format:json; in a channel without a game, a notice.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseArchive } from '../../src/core/archive.js';
import { CHANNEL, command, gatewayRig, httpRig, OTHER_CHANNEL, PLAYERS, type Rig } from './_rig.js';
import { playThreeTurns } from './_scenario.js';

const [ANN, BEN] = PLAYERS as [(typeof PLAYERS)[number], (typeof PLAYERS)[number]];
const EPHEMERAL = 64;

/** The file attached to the reply of `payload` (the deferred reply's edit), and its text. */
function attachment(rig: Rig, payload: { token: string }) {
  const edit = rig.fake.calls.find(
    (c) =>
      c.method === 'PATCH' &&
      c.path.includes(`/webhooks/`) &&
      c.path.includes(payload.token) &&
      c.uploads.length > 0,
  );
  assert.ok(edit, 'the reply carries a file');
  const [file] = edit.uploads;
  assert.ok(file);
  return { name: file.name, type: file.contentType, text: file.data.toString('utf8'), edit };
}

async function exportsAfterThreeTurns(rig: Rig): Promise<void> {
  await playThreeTurns(rig);
  const md = command(BEN, 'export');
  const ack = await rig.send(md);
  // Acknowledged as a private, deferred reply (HTTP: the response; gateway: the callback call).
  const deferred = (ack.response ??
    rig.fake.calls.find((c) => c.path.includes('/interactions/') && c.path.includes(md.token))
      ?.body) as { type?: number; data?: { flags?: number } } | undefined;
  assert.equal(deferred?.type, 5, JSON.stringify(deferred));
  assert.equal(deferred?.data?.flags, EPHEMERAL);
  const json = command(ANN, 'export', { format: 'json' });
  await rig.send(json);
  const none = command(ANN, 'export', {}, OTHER_CHANNEL);
  await rig.send(none);
  await rig.settle();

  const transcript = attachment(rig, md);
  assert.equal(transcript.name, 'script-quest.md');
  assert.match(transcript.text, /^# Script Quest/m);
  assert.match(transcript.text, /- Players: Ann \(from turn 0\), Ben \(from turn 0\)/);
  for (const turn of [1, 2, 3])
    assert.match(transcript.text, new RegExp(`^## Turn ${turn} · `, 'm'));
  assert.match(transcript.text, /^- \*\*Cid\*\* chose “/m);
  assert.match(transcript.text, /^> /m, 'each turn tells the reveal');
  assert.match(JSON.stringify(transcript.edit.body), /3 turns, the story so far \(Markdown\)/);

  const archive = parseArchive(JSON.parse(attachment(rig, json).text));
  assert.equal(archive.game.channel_id, CHANNEL);
  assert.equal(archive.turns.length, 3);
  assert.deepEqual(
    archive.turns.map((t) => Object.keys(t.choices).length),
    [5, 5, 5],
  );

  const told = rig.fake.calls.find(
    (c) => c.method === 'PATCH' && c.path.includes(none.token) && c.uploads.length === 0,
  );
  assert.match(JSON.stringify(told?.body), /No game is running in this channel/);
}

test('/gamegirl export attaches the story (gateway)', async () => {
  const rig = await gatewayRig();
  try {
    await exportsAfterThreeTurns(rig);
  } finally {
    await rig.close();
  }
});

test('/gamegirl export attaches the story (HTTP interactions)', async () => {
  const rig = await httpRig();
  try {
    await exportsAfterThreeTurns(rig);
  } finally {
    await rig.close();
  }
});
