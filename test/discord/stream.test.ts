import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Narrator, TurnInput } from '../../src/narrator/port.js';
import type { StoredMessage } from '../helpers/fake-discord.js';
import type { ScriptNarrator } from '../helpers/script-narrator.js';
import { button, CHANNEL, command, httpRig, PLAYERS, type TestUser } from './_rig.js';
import { buttonsOf, embedOf, waitFor } from './_scenario.js';

const [ANN, BEN] = PLAYERS as [TestUser, TestUser];
const LONG = Array.from({ length: 900 }, (_, i) => `word${i}`).join(' '); // > one message

/** Opens like the script narrator; each turn streams its text in two parts, 1.5 s apart. */
function slowStreamer(script: ScriptNarrator): Narrator {
  return {
    open: (input) => script.open(input),
    async next(input: TurnInput) {
      const text = input.turn === 0 ? 'The cave grows dark.' : `${LONG} The end is near.`;
      const half = Math.floor(text.length / 2);
      input.onText?.(text.slice(0, half));
      await new Promise((r) => setTimeout(r, 1500));
      input.onText?.(text.slice(half));
      return {
        scene: { text, choices: ['On', 'Back'], ended: false },
        summary: `turn ${input.turn}`,
        state: input.state,
      };
    },
  };
}

async function messageWhere(
  all: () => StoredMessage[],
  pred: (m: StoredMessage) => boolean,
): Promise<StoredMessage> {
  const end = Date.now() + 5000;
  for (;;) {
    const m = all().find(pred);
    if (m) return m;
    assert.ok(Date.now() < end, 'no such message');
    await new Promise((r) => setTimeout(r, 20));
  }
}

const writing = (m: StoredMessage) =>
  (embedOf(m).fields?.[0]?.value ?? '').includes('The narrator is writing');

test('a slow narration streams into its message, which becomes the scene', async () => {
  const rig = await httpRig({ wrap: (script) => slowStreamer(script), editIntervalMs: 200 });
  const posted = () => rig.fake.channelMessages(CHANNEL);
  try {
    await rig.send(command(ANN, 'boot', { game: 'script' }));
    await waitFor(rig, (v) => v.status === 'playing');
    await rig.settle();
    assert.equal(posted().length, 1);
    for (const turn of [0, 1]) {
      const scene = posted().at(-1) as StoredMessage;
      const first = buttonsOf(scene)[0];
      assert.ok(first);
      await rig.send(button(BEN, first.custom_id, scene.id));
      rig.clock.advance(10_000);
      // After a second of narration a message shows the first half of the text.
      const w = await messageWhere(posted, writing);
      assert.equal(buttonsOf(w).length, 0);
      assert.ok((embedOf(w).description ?? '').length > 0);
      assert.doesNotMatch(embedOf(w).description ?? '', /dark\.|near\./);
      await waitFor(rig, (v) => v.status === 'playing' && v.turn === turn + 1, 8000);
      await rig.settle();
      assert.ok(!writing(w), 'the writing message was turned into the scene');
      const last = posted().at(-1) as StoredMessage;
      assert.deepEqual(
        buttonsOf(last).map((b) => [b.label, b.disabled]),
        [
          ['On', false],
          ['Back', false],
          ['👀 Watch / Play', false],
          ['✖ X-card', false],
        ],
      );
      if (turn === 0) {
        // A short scene: the writing message itself became it (no extra message).
        assert.equal(last.id, w.id);
        assert.equal(embedOf(last).description, 'The cave grows dark.');
        assert.equal(posted().length, 2);
      } else {
        // A long scene: the writing message became its first piece; the rest follows.
        assert.notEqual(last.id, w.id);
        assert.match(embedOf(w).description ?? '', /^word0 word1/);
        assert.equal(buttonsOf(w).length, 0);
        assert.match(embedOf(last).description ?? '', /The end is near\.$/);
        assert.ok(posted().length >= 4);
      }
    }
  } finally {
    await rig.close();
  }
});
