// The LLM narrator as `gamegirl serve` builds it (config → narratorFactory) inside a GameHost:
// the whole premise reaches the model, and a game that reaches its token cap pauses with a
// message, keeps its presses, and resumes after a restart with a raised cap.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { loadConfig, narratorFactory } from '../../src/config.js';
import type { LlmState } from '../../src/narrator/llm-state.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { campaignResponder } from '../helpers/campaign.js';
import { type FakeOpenAI, startFakeOpenAI } from '../helpers/fake-openai.js';
import { ALICE, CH, closeWindow, rig } from '../host/_harness.js';

const servers: FakeOpenAI[] = [];
after(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

const PREMISE = `${'A lighthouse keeper finds a map drawn on whale bone. '.repeat(5)}Ending: the sea wins.`;

async function llmHost(store: MemoryStore, baseURL: string, cap: string) {
  const config = await loadConfig(
    {},
    {
      GAMEGIRL_LLM_BASE_URL: baseURL,
      GAMEGIRL_LLM_MODEL: 'fake-model',
      GAMEGIRL_LLM_MAX_TOKENS_PER_GAME: cap,
    },
  );
  return rig({ store, host: { narrators: await narratorFactory(config) } });
}

test('served LLM games get the whole premise, pause at the cap, and resume once it is raised', async () => {
  const server = await startFakeOpenAI([campaignResponder()]);
  servers.push(server);
  const store = new MemoryStore();
  const first = await llmHost(store, server.baseURL, '6000');
  const booted = await first.host.boot(CH, ALICE, { kind: 'llm', premise: PREMISE });
  assert.ok(PREMISE.length > 250 && (booted.game?.gameName.length ?? 0) < 61);
  const opening = server.requests[0]?.body.messages?.[1]?.content ?? '';
  assert.ok(opening.includes(JSON.stringify(PREMISE).slice(1, -1)), 'the whole premise is sent');

  let view = booted;
  for (let i = 0; i < 10 && view.status !== 'failed'; i++) {
    await first.host.press(CH, ALICE, view.turn, view.scene?.choices[0] ?? '');
    view = await closeWindow(first);
  }
  assert.equal(view.status, 'failed');
  assert.match(view.error ?? '', /paused at its token cap/);
  assert.match(view.error ?? '', /raise GAMEGIRL_LLM_MAX_TOKENS_PER_GAME/);
  assert.match(view.error ?? '', /no press was lost/);
  const sent = server.requests.length;
  const history = await first.host.history(CH);
  await first.host.close();

  // A restart with a raised cap: the same store, a new host; retrying the turn narrates it.
  const second = await llmHost(store, server.baseURL, '1000000');
  const resumed = await second.host.retry(CH, ALICE);
  assert.equal(resumed.status, 'playing', resumed.error ?? '');
  // The view carries the spend (the web console shows it to the booter).
  const spend = resumed.game?.spend;
  assert.ok(spend && spend.prompt > 1000 && spend.completion > 100, JSON.stringify(spend));
  assert.equal(server.requests.length, sent + 1);
  assert.equal((await second.host.history(CH)).length, history.length + 1);
  const saved = await store.loadGame(booted.game?.gameId ?? '');
  const state = saved?.extra.narratorState as unknown as LlmState;
  assert.equal(state.premise, PREMISE);
  assert.equal(state.spend.length, history.length + 2, 'the opening and every turn');
  await second.host.close();
});
