// The X-card in the narrators: an ink story steps back to the previous choice point (the saved
// state per turn keeps it) and offers it again without the choice that led to the scene set
// aside; an LLM is asked, with a note in the request, for a different scene steering away from it.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { InkNarrator } from '../../src/narrator/ink.js';
import { LlmNarrator } from '../../src/narrator/llm.js';
import { XCARD_INSTRUCTION } from '../../src/narrator/llm-prompt.js';
import type { NarrationResult, RewriteInput, TurnInput } from '../../src/narrator/port.js';
import { type FakeOpenAI, reply, startFakeOpenAI } from '../helpers/fake-openai.js';

const game = { gameId: 'g1', gameName: 'X-card test' };

function turnOn(prev: NarrationResult, turn: number, choice: string): TurnInput {
  return {
    ...game,
    turn,
    scene: prev.scene,
    choices: new Map([['u1', choice]]),
    playerNames: new Map([['u1', 'Ada']]),
    input: '',
    decidedChoice: null,
    history: [],
    state: prev.state,
  };
}

function asideOf(shown: NarrationResult, turn: number): RewriteInput {
  return {
    ...game,
    turn,
    scene: shown.scene,
    playerNames: new Map([['u1', 'Ada']]),
    history: [],
    state: shown.state,
  };
}

test('ink: the X-card steps back to the previous choice point, without the choice that led on', async () => {
  const ink = new InkNarrator('midnight-arcade');
  const opening = await ink.open(game);
  assert.equal(ink.canRewrite(opening.state), false, 'the opening scene has nothing before it');
  await assert.rejects(ink.rewrite(asideOf(opening, 0)), /no earlier choice point/);
  assert.ok(opening.scene.choices.length >= 2);
  const taken = opening.scene.choices[0] as string;
  const shown = await ink.next(turnOn(opening, 0, taken));
  assert.equal(ink.canRewrite(shown.state), true);

  const streamed: string[] = [];
  const back = await ink.rewrite({ ...asideOf(shown, 1), onText: (d) => streamed.push(d) });
  assert.equal(back.scene.text, opening.scene.text, 'the previous scene, shown again');
  assert.deepEqual(
    back.scene.choices,
    opening.scene.choices.filter((c) => c !== taken),
  );
  assert.equal(streamed.join(''), opening.scene.text);
  assert.match(back.summary, /stepped back/);
  // One step back is kept: the scene rewound to cannot be set aside again.
  assert.equal(ink.canRewrite(back.state), false);

  // The story goes on from the rewound point, along another choice, exactly as it would have.
  const other = back.scene.choices[0] as string;
  const viaRewind = await ink.next(turnOn(back, 2, other));
  const fresh = new InkNarrator('midnight-arcade');
  const direct = await fresh.next(turnOn(await fresh.open(game), 0, other));
  assert.equal(viaRewind.scene.text, direct.scene.text);
  assert.deepEqual(viaRewind.scene.choices, direct.scene.choices);
});

const servers: FakeOpenAI[] = [];
after(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

test('LLM: the rewrite asks for a different scene, steering away from the one set aside', async () => {
  const scene = (text: string) =>
    JSON.stringify({ scene: text, choices: ['On', 'Back'], summary: text, ended: false });
  const server = await startFakeOpenAI([
    reply(scene('A storm breaks over the pier.')),
    reply(scene('Something unwelcome waits below deck.')),
    reply(scene('The gulls lead you to a quiet lighthouse.')),
  ]);
  servers.push(server);
  const llm = new LlmNarrator({ baseURL: server.baseURL, model: 'fake-model', timeoutMs: 5000 });
  const opening = await llm.open(game);
  const shown = await llm.next(turnOn(opening, 0, 'On'));
  assert.equal('canRewrite' in llm, false, 'an LLM can always write a scene again');
  const rewritten = await llm.rewrite(asideOf(shown, 1));
  assert.equal(rewritten.scene.text, 'The gulls lead you to a quiet lighthouse.');

  assert.equal(server.requests.length, 3);
  const user = server.requests[2]?.body.messages?.[1]?.content ?? '';
  assert.ok(user.includes(XCARD_INSTRUCTION), 'the note is in the request');
  assert.match(XCARD_INSTRUCTION, /different scene/);
  assert.match(XCARD_INSTRUCTION, /steering well away/);
  assert.ok(user.includes('Something unwelcome waits below deck.'), 'it names what to avoid');
  assert.ok(user.includes('A storm breaks over the pier.'), 'the turn before is kept');
  // The scene set aside never enters the story memory: the next turn's request does not carry it.
  const server2 = await startFakeOpenAI([reply(scene('Onwards.'))]);
  servers.push(server2);
  const again = new LlmNarrator({ baseURL: server2.baseURL, model: 'fake-model', timeoutMs: 5000 });
  await again.next(turnOn(rewritten, 2, 'On'));
  const later = server2.requests[0]?.body.messages?.[1]?.content ?? '';
  assert.ok(!later.includes('Something unwelcome'), 'the vetoed scene is forgotten');
  assert.ok(later.includes('quiet lighthouse'));
});
