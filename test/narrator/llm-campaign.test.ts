import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { countTokens } from 'gpt-tokenizer/encoding/cl100k_base';
import { failureMessage } from '../../src/host/narration.js';
import { NarratorBudgetError } from '../../src/narrator/llm.js';
import { FOLD_BACKOFF, FOLD_EVERY, KEEP_RECENT } from '../../src/narrator/llm-memory.js';
import { type LlmState, llmSpendOf } from '../../src/narrator/llm-state.js';
import type { NarrationResult } from '../../src/narrator/port.js';
import {
  campaignNarrator,
  campaignResponder,
  campaignTurn,
  isMemoryRequest,
  play,
} from '../helpers/campaign.js';
import { type FakeOpenAI, type RecordedRequest, startFakeOpenAI } from '../helpers/fake-openai.js';

const servers: FakeOpenAI[] = [];
after(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

async function server(): Promise<FakeOpenAI> {
  const s = await startFakeOpenAI([campaignResponder()]);
  servers.push(s);
  return s;
}

const PLAIN = { disallowedSpecial: new Set<string>() };

/** A request's prompt tokens, counted on the whole text as sent (OpenAI's chat rule). */
function promptTokens(req: RecordedRequest): number {
  const messages = req.body.messages ?? [];
  return messages.reduce((a, m) => a + countTokens(m.content, PLAIN) + 4, 3);
}

const userText = (req: RecordedRequest | undefined) => req?.body.messages?.[1]?.content ?? '';
const BUDGET = 3000;

test('a 300-turn campaign: the fox named on turn 1 is in the prompt at turn 300, within budget', async () => {
  const s = await server();
  const narrator = campaignNarrator(s.baseURL, { contextTokens: BUDGET });
  const opening = await narrator.open({ gameId: 'campaign', gameName: 'The Long Road' });
  assert.match(userText(s.requests[0]), /The end of the premise is here\./, 'whole premise sent');
  const last = await play(narrator, opening, 1, 300);

  const narrations = s.requests.filter((r) => !isMemoryRequest(r));
  const memory = s.requests.filter(isMemoryRequest);
  assert.equal(narrations.length, 301);
  const turn300 = userText(narrations.at(-1));
  assert.match(turn300, /"name":"Bramble","note":"a fox companion","named_by":"Ada"/);
  assert.match(turn300, /Return the lantern/);
  assert.match(turn300, /The end of the premise is here\./);
  assert.match(turn300, /Scene of turn 300/);
  // Recent turns stay verbatim.
  assert.match(turn300, /"earlier_turn":299,"scene":"Turn 298: /);

  for (const r of s.requests) {
    const n = promptTokens(r);
    assert.ok(n <= BUDGET, `a prompt of ${n} tokens passed the ${BUDGET}-token budget`);
    assert.equal(r.body.max_tokens, 1000);
  }
  // The documented bound: one summarising request per FOLD_EVERY turns past the kept ones.
  const bound = Math.ceil((300 - KEEP_RECENT) / FOLD_EVERY);
  assert.ok(memory.length <= bound, `${memory.length} summarising requests > ${bound}`);
  assert.ok(memory.length >= bound - 2, `only ${memory.length} summarising requests`);
  // Player text stays in the data section in memory requests too.
  for (const r of memory) {
    const m = /<player_data id="([0-9a-f]+)">\n[\s\S]*\n<\/player_data id="\1">/.exec(userText(r));
    assert.ok(m, 'memory request data section');
    assert.ok(!userText(r).replace(m[0], '').includes('Bramble'));
  }

  const state = last.state as unknown as LlmState;
  assert.equal(state.folds, memory.length);
  assert.ok(state.recent.length <= KEEP_RECENT + FOLD_EVERY);
  assert.equal(state.usage.requests, s.requests.length);
  const reported = s.requests.length; // every fake reply reports usage
  assert.equal(state.usage.estimated, 0, `${reported} requests, all with usage`);
  const spend = llmSpendOf(state);
  assert.ok(spend && spend.prompt > 300 * 1000, 'prompt tokens add up per game');
  assert.equal(state.spend.length, 100, 'the per-turn log is bounded');
  assert.deepEqual(state.spend.at(-1), {
    ...state.spend.at(-1),
    turn: 300,
    provider: `fake-model@${new URL(s.baseURL).host}`,
  });
});

test('a tight budget folds sooner and still holds every prompt under it', async () => {
  const s = await server();
  const tight = 1500;
  const narrator = campaignNarrator(s.baseURL, { contextTokens: tight });
  const opening = await narrator.open({ gameId: 'campaign', gameName: 'The Long Road' });
  await play(narrator, opening, 1, 120);
  for (const r of s.requests) {
    const n = promptTokens(r);
    assert.ok(n <= tight, `a prompt of ${n} tokens passed the ${tight}-token budget`);
  }
  const memory = s.requests.filter(isMemoryRequest).length;
  // The budget, not the turn count, triggers these folds: more of them, but a fold leaves room
  // for a few turns, so not one every turn (27 at the time of writing).
  assert.ok(memory > Math.ceil((120 - KEEP_RECENT) / FOLD_EVERY), `${memory} summaries`);
  assert.ok(memory <= 40, `${memory} summaries`);
  const last = userText(s.requests.filter((r) => !isMemoryRequest(r)).at(-1));
  assert.match(last, /"name":"Bramble"/);
});

test('a restart mid-campaign resumes the memory exactly', async () => {
  const s = await server();
  const a = campaignNarrator(s.baseURL);
  let r: NarrationResult = await a.open({ gameId: 'campaign', gameName: 'The Long Road' });
  r = await play(a, r, 1, 40);
  // What a store keeps: the JSON text of the state.
  const saved = JSON.stringify(r.state);
  const before = s.requests.length;
  const goOn = await a.next(campaignTurn(41, r, JSON.parse(saved)));
  const promptA = userText(s.requests[before]);
  // A new process: a new narrator, the state read back from the store.
  const b = campaignNarrator(s.baseURL);
  const after41 = s.requests.length;
  const resumed = await b.next(campaignTurn(41, r, JSON.parse(saved)));
  const promptB = userText(s.requests[after41]);
  const noNonce = (t: string) => t.replace(/id="[0-9a-f]+"/g, 'id=""');
  assert.equal(noNonce(promptB), noNonce(promptA));
  const strip = (x: unknown) => ({ ...(x as LlmState), usage: null, spend: null });
  assert.deepEqual(strip(resumed.state), strip(goOn.state));
});

test('the cap pauses the game with a clear message and nothing sent; raising it resumes', async () => {
  const s = await server();
  const capped = campaignNarrator(s.baseURL, { maxTokensPerGame: 12_000 });
  let r: NarrationResult = await capped.open({ gameId: 'campaign', gameName: 'The Long Road' });
  let paused: NarratorBudgetError | null = null;
  let turn = 1;
  for (; turn < 50 && paused === null; turn++) {
    const sent = s.requests.length;
    try {
      r = await capped.next(campaignTurn(turn, r, r.state));
    } catch (e) {
      assert.ok(e instanceof NarratorBudgetError, String(e));
      assert.equal(s.requests.length, sent, 'no request is sent past the cap');
      paused = e;
    }
  }
  assert.ok(paused, 'the cap was reached');
  turn--;
  assert.equal(paused.failure, 'budget');
  assert.equal(paused.code, 'NARRATOR');
  const spent = llmSpendOf(r.state);
  assert.ok(spent && spent.prompt + spent.completion <= 12_000, 'the cap is never passed');
  const shown = failureMessage(paused);
  assert.match(shown, /paused at its token cap/);
  assert.match(shown, /12,000/);
  assert.match(shown, /GAMEGIRL_LLM_MAX_TOKENS_PER_GAME/);
  assert.match(shown, /no press was lost/);

  // The same turn, retried after the cap was raised (a restart with the new setting).
  const raised = campaignNarrator(s.baseURL, { maxTokensPerGame: 100_000 });
  const resumed = await raised.next(campaignTurn(turn, r, r.state));
  assert.equal(resumed.scene.ended, false);
  assert.equal((resumed.state as unknown as LlmState).spend.at(-1)?.turn, turn);
});

test('a failing summariser never fails a turn; it is tried again a few turns later', async () => {
  const s = await startFakeOpenAI([campaignResponder({ failingSummaries: 2 })]);
  servers.push(s);
  const narrator = campaignNarrator(s.baseURL);
  const opening = await narrator.open({ gameId: 'campaign', gameName: 'The Long Road' });
  const memoryAt: number[] = [];
  await play(narrator, opening, 1, 30, (turn) => {
    if (isMemoryRequest(s.requests.at(-2) as RecordedRequest)) memoryAt.push(turn);
  });
  // Due at turn 15 (turns 1-14 unfolded): fails; again FOLD_BACKOFF turns later: fails; then works.
  const due = KEEP_RECENT + FOLD_EVERY + 1;
  assert.deepEqual(memoryAt.slice(0, 3), [due, due + FOLD_BACKOFF, due + 2 * FOLD_BACKOFF]);
  const last = userText(s.requests.filter((r) => !isMemoryRequest(r)).at(-1));
  assert.match(last, /"name":"Bramble"/);
});

test('token counting treats special-token text in player input as plain text', async () => {
  const s = await server();
  const narrator = campaignNarrator(s.baseURL, { premise: 'A <|endoftext|> premise <|im_start|>' });
  const r = await narrator.open({ gameId: 'campaign', gameName: '<|endoftext|>' });
  const next = await narrator.next(campaignTurn(1, r, r.state));
  assert.ok(next.scene.text.length > 0);
});

test('a backend without usage is counted locally, and marked as estimated', async () => {
  const s = await startFakeOpenAI([
    (req, res) =>
      import('../helpers/fake-openai.js').then(({ reply }) =>
        reply(JSON.stringify({ scene: 'Hi.', choices: ['a', 'b'], summary: 'x', ended: false }), {
          usage: false,
        })(req, res),
      ),
  ]);
  servers.push(s);
  const narrator = campaignNarrator(s.baseURL);
  const r = await narrator.open({ gameId: 'campaign', gameName: 'G' });
  const state = r.state as unknown as LlmState;
  assert.equal(state.usage.estimated, 1);
  assert.ok(state.usage.prompt > 100);
  assert.ok(state.usage.completion > 5);
});
