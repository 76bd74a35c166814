// The story so far and "while you were away" in Discord (issue 12), on the local fake Discord
// server, through both transports: `/gamegirl story` answers privately with pages of whole turns
// (every scene, who chose what, how it was settled) and ◀ Earlier / Later ▶ buttons that edit
// the same private message; a player back after turns played without them is told what they
// missed, privately, with their first press (once), and `/gamegirl recap` asks for it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  button,
  CHANNEL,
  command,
  gatewayRig,
  httpRig,
  PLAYERS,
  type Rig,
  type TestUser,
  webhookBodies,
} from './_rig.js';
import { buttonsOf, currentScene, waitFor } from './_scenario.js';

const [ANN, BEN, CID] = PLAYERS as [TestUser, TestUser, TestUser];

interface Body {
  content?: string;
  flags?: number;
  embeds?: Array<{ title?: string; description?: string }>;
  components?: Array<{
    components: Array<{ custom_id: string; label: string; disabled: boolean }>;
  }>;
}

const titles = (b: Body | undefined) => (b?.embeds ?? []).map((e) => e.title);
const navOf = (b: Body | undefined) => b?.components?.[0]?.components ?? [];

/** `user` presses choice `index` of the scene on screen (through the transport). */
async function pressOnScreen(rig: Rig, user: TestUser, index: number) {
  await rig.settle();
  const scene = currentScene(rig);
  const b = buttonsOf(scene)[index];
  assert.ok(b);
  const payload = button(user, b.custom_id, scene.id);
  await rig.send(payload);
  return payload;
}

async function closeWindow(rig: Rig, turn: number): Promise<void> {
  await waitFor(rig, (v) => v.status === 'counting');
  rig.clock.advance(10_000);
  await waitFor(rig, (v) => v.turn === turn + 1 && v.status === 'playing');
}

for (const [transport, make] of [
  ['HTTP', httpRig],
  ['gateway', gatewayRig],
] as const) {
  test(`Discord (${transport}): the story so far in private pages; a returning player's recap`, async () => {
    const rig: Rig = await make();
    try {
      await rig.send(command(ANN, 'boot', { game: 'script' }));
      await waitFor(rig, (v) => v.status === 'playing');
      await pressOnScreen(rig, ANN, 0);
      await pressOnScreen(rig, BEN, 1);
      await closeWindow(rig, 0);
      // Ben is away for nine turns; Ann plays on.
      for (let turn = 1; turn <= 9; turn++) {
        await pressOnScreen(rig, ANN, 2);
        await closeWindow(rig, turn);
      }
      await rig.settle();

      // The newest page: as many whole turns as fit, only Cid sees it.
      const ask = command(CID, 'story');
      const { response } = await rig.send(ask);
      assert.deepEqual(response, { type: 5, data: { flags: 64 } });
      await rig.settle();
      const newest = webhookBodies(rig, ask)[0] as Body;
      assert.match(
        newest.content ?? '',
        /the story so far \(turns 3–10 of 10; only you see this\)/,
      );
      assert.deepEqual(titles(newest), [
        'Turn 3',
        'Turn 4',
        'Turn 5',
        'Turn 6',
        'Turn 7',
        'Turn 8',
        'Turn 9',
        'Turn 10',
      ]);
      assert.match(
        newest.embeds?.[7]?.description ?? '',
        /^Ann: Wait\n🎲 The group chose “Wait”, 1 of 1\.\n\nScene 10 after /,
      );
      const [earlier, later] = navOf(newest);
      assert.deepEqual(
        [earlier?.label, earlier?.disabled, later?.disabled],
        ['◀ Earlier', false, true],
      );

      // ◀ Earlier edits the same private message: the opening and the first turns.
      const back = button(CID, earlier?.custom_id ?? '', '1');
      assert.equal(((await rig.send(back)).response as { type: number }).type, 6);
      await rig.settle();
      const first = webhookBodies(rig, back)[0] as Body;
      assert.deepEqual(titles(first), ['Opening', 'Turn 1', 'Turn 2']);
      assert.equal(first.embeds?.[0]?.description, 'Scene 0 after nothing');
      assert.match(
        first.embeds?.[1]?.description ?? '',
        /^Ann: Left · Ben: Right\n🎲 Every choice went to the narrator: “Left” 1, “Right” 1\.\n\nScene 1 after Left\+Right$/,
      );
      assert.deepEqual(
        navOf(first).map((b) => b.disabled),
        [true, false],
      );
      // Later ▶ reads on from there; `/gamegirl story turn:` starts anywhere.
      const on = button(CID, navOf(first)[1]?.custom_id ?? '', '1');
      await rig.send(on);
      await rig.settle();
      assert.deepEqual(titles(webhookBodies(rig, on)[0] as Body).slice(0, 2), ['Turn 3', 'Turn 4']);
      const at = command(CID, 'story', { turn: 9 });
      await rig.send(at);
      await rig.settle();
      assert.deepEqual(titles(webhookBodies(rig, at)[0] as Body), ['Turn 9', 'Turn 10']);

      // Ben comes back and presses: the press counts, and he alone is told what he missed.
      const again = await pressOnScreen(rig, BEN, 0);
      await rig.settle();
      const told = webhookBodies(rig, again);
      assert.equal(told.length, 1);
      const recap = told[0] as Body;
      assert.equal(recap.flags, 64);
      assert.match(
        recap.content ?? '',
        /While you were away\*\* from Script Quest: 9 turns went on without you since you chose “Right” \(turn 1\)\./,
      );
      // The newest missed turns that fit one message; the story holds the rest.
      assert.match(recap.content ?? '', /The last 8 below; `\/gamegirl story` has them all\./);
      assert.equal(titles(recap)[0], 'Turn 3');
      assert.equal(titles(recap).at(-1), 'Turn 10');
      assert.equal((await rig.host.view(CHANNEL)).window?.chosen.length, 1, 'his press counted');
      // Told once: his next press (a change of mind) and Ann's carry no recap.
      const changed = await pressOnScreen(rig, BEN, 1);
      const ann = await pressOnScreen(rig, ANN, 1);
      await rig.settle();
      assert.deepEqual(webhookBodies(rig, changed), []);
      assert.deepEqual(webhookBodies(rig, ann), []);
      // Asked for: Ben (still away until this window closes) gets it again; Ann is up to date.
      const benAsks = command(BEN, 'recap');
      const annAsks = command(ANN, 'recap');
      await rig.send(benAsks);
      await rig.send(annAsks);
      await rig.settle();
      assert.match(String(webhookBodies(rig, benAsks)[0]?.content), /9 turns went on without you/);
      assert.match(String(webhookBodies(rig, annAsks)[0]?.content), /You are up to date/);
      await closeWindow(rig, 10);
      const after = command(BEN, 'recap');
      await rig.send(after);
      await rig.settle();
      assert.match(String(webhookBodies(rig, after)[0]?.content), /You are up to date/);
      assert.deepEqual(rig.errors, []);
    } finally {
      await rig.close();
    }
  });
}
