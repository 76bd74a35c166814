import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import {
  LlmNarrator,
  llmNarratorOptionsFromEnv,
  NarratorHttpError,
} from '../../src/narrator/llm.js';
import type { LlmState } from '../../src/narrator/llm-state.js';
import { NarratorError } from '../../src/narrator/port.js';
import {
  type FakeOpenAI,
  httpError,
  type Responder,
  reply,
  stall,
  startFakeOpenAI,
} from '../helpers/fake-openai.js';
import { freePort } from '../helpers/net.js';

const servers: FakeOpenAI[] = [];
after(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

async function fake(responders: Responder[]): Promise<FakeOpenAI> {
  const s = await startFakeOpenAI(responders);
  servers.push(s);
  return s;
}

const GOOD = JSON.stringify({
  scene: 'The backup narrator takes over.',
  choices: ['On', 'Off'],
  summary: 'Saved by the backup.',
  ended: false,
});

const label = (s: FakeOpenAI | string, model = 'm') =>
  `${model}@${new URL(typeof s === 'string' ? s : s.baseURL).host}`;

function narrator(urls: string[], timeoutMs = 3000) {
  return new LlmNarrator({
    providers: urls.map((baseURL, i) => ({ baseURL, model: i === 0 ? 'm' : `m${i}` })),
    timeoutMs,
  });
}

const providerOf = (state: unknown) => (state as LlmState).spend.at(-1)?.provider;

test('a provider that is down hands over to the next, which is recorded as the narrator', async () => {
  const down = `http://127.0.0.1:${await freePort()}/v1`;
  const good = await fake([reply(GOOD)]);
  const r = await narrator([down, good.baseURL]).open({ gameId: 'g', gameName: 'G' });
  assert.equal(r.scene.text, 'The backup narrator takes over.');
  assert.equal(providerOf(r.state), label(good, 'm1'));
  assert.equal(good.requests.length, 1);
});

test('a 429 with Retry-After hands over, and the provider is left alone until then', async () => {
  const limited = await fake([httpError(429, 'slow down', { 'retry-after': '30' })]);
  const good = await fake([reply(GOOD)]);
  const n = narrator([limited.baseURL, good.baseURL]);
  const started = Date.now();
  const r = await n.open({ gameId: 'g', gameName: 'G' });
  assert.ok(Date.now() - started < 1000, 'no wait for the Retry-After');
  assert.equal(providerOf(r.state), label(good, 'm1'));
  await n.open({ gameId: 'g2', gameName: 'G' });
  assert.equal(limited.requests.length, 1, 'still cooling down: not asked again');
  assert.equal(good.requests.length, 2);
});

test('a stalling provider gets only its share of the budget; the next narrates in time', async () => {
  const stalling = await fake([stall()]);
  const good = await fake([reply(GOOD)]);
  const deltas: string[] = [];
  const started = Date.now();
  const r = await narrator([stalling.baseURL, good.baseURL], 2000).open({
    gameId: 'g',
    gameName: 'G',
    onText: (d) => deltas.push(d),
  });
  const took = Date.now() - started;
  assert.ok(took >= 900 && took < 2000, `took ${took} ms`);
  assert.equal(r.scene.text, 'The backup narrator takes over.');
  assert.equal(providerOf(r.state), label(good, 'm1'));
  const spend = (r.state as unknown as LlmState).usage;
  assert.equal(spend.requests, 2, 'the stalled attempt is counted');
  assert.equal(spend.estimated, 1, 'its spend is estimated (no usage was reported)');
});

test('when every provider fails, the error names each and arrives within the budget', async () => {
  const a = await fake([httpError(503, 'overloaded')]);
  const b = await fake([httpError(502, 'bad gateway')]);
  const started = Date.now();
  const e = await narrator([a.baseURL, b.baseURL])
    .open({ gameId: 'g', gameName: 'G' })
    .then(
      () => assert.fail('expected a failure'),
      (err: unknown) => err,
    );
  assert.ok(e instanceof NarratorHttpError, String(e));
  assert.equal(e.status, 502);
  assert.match(e.message, /every provider failed/);
  assert.match(e.message, new RegExp(label(a)));
  assert.match(e.message, /HTTP 502/);
  assert.ok(Date.now() - started < 3000);
  // The last provider had one retry.
  assert.deepEqual([a.requests.length, b.requests.length], [1, 2]);
});

test('the only provider is retried after a Retry-After that fits the budget, not after one past it', async () => {
  const brief = await fake([
    httpError(429, 'wait a moment', { 'retry-after': '0.3' }),
    reply(GOOD),
  ]);
  const started = Date.now();
  const r = await narrator([brief.baseURL]).open({ gameId: 'g', gameName: 'G' });
  assert.ok(Date.now() - started >= 280, 'waited for the Retry-After');
  assert.equal(r.scene.text, 'The backup narrator takes over.');

  const long = await fake([httpError(429, 'come back tomorrow', { 'retry-after': '3600' })]);
  const t0 = Date.now();
  const e = await narrator([long.baseURL])
    .open({ gameId: 'g', gameName: 'G' })
    .catch((x) => x);
  assert.ok(e instanceof NarratorError && e.failure === 'http', String(e));
  assert.ok(Date.now() - t0 < 1000, 'fails at once instead of waiting past the budget');
  assert.equal(long.requests.length, 1);
});

test('a refused key (401) fails at once, without fallback: it is a setup error to show', async () => {
  const bad = await fake([httpError(401, 'bad key')]);
  const good = await fake([reply(GOOD)]);
  const e = await narrator([bad.baseURL, good.baseURL])
    .open({ gameId: 'g', gameName: 'G' })
    .catch((x) => x);
  assert.ok(e instanceof NarratorHttpError && e.status === 401, String(e));
  assert.equal(good.requests.length, 0);
});

test('a backend that refuses max_tokens is asked with max_completion_tokens instead', async () => {
  const s = await fake([
    httpError(400, "Unsupported parameter: 'max_tokens'. Use 'max_completion_tokens' instead."),
    reply(GOOD),
  ]);
  await narrator([s.baseURL]).open({ gameId: 'g', gameName: 'G' });
  assert.equal(s.requests[1]?.body.max_tokens, undefined);
  assert.equal(s.requests[1]?.body.max_completion_tokens, 1000);
});

test('GAMEGIRL_LLM_BASE_URL takes a list, with one model and key per provider or one for all', () => {
  const two = llmNarratorOptionsFromEnv({
    GAMEGIRL_LLM_BASE_URL: 'http://127.0.0.1:11434/v1, https://api.openai.com/v1',
    GAMEGIRL_LLM_MODEL: 'llama3.2, gpt-4o-mini',
    GAMEGIRL_LLM_API_KEY: ',sk-test',
    GAMEGIRL_LLM_CONTEXT_TOKENS: '8000',
    GAMEGIRL_LLM_MAX_TOKENS_PER_GAME: '500000',
  });
  assert.deepEqual(two?.providers, [
    { baseURL: 'http://127.0.0.1:11434/v1', model: 'llama3.2', apiKey: undefined },
    { baseURL: 'https://api.openai.com/v1', model: 'gpt-4o-mini', apiKey: 'sk-test' },
  ]);
  assert.equal(two?.contextTokens, 8000);
  assert.equal(two?.maxTokensPerGame, 500_000);
  const shared = llmNarratorOptionsFromEnv({
    GAMEGIRL_LLM_BASE_URL: 'http://a/v1,http://b/v1',
    GAMEGIRL_LLM_MODEL: 'same',
    GAMEGIRL_LLM_API_KEY: 'k',
  });
  assert.deepEqual(
    shared?.providers?.map((p) => [p.model, p.apiKey]),
    [
      ['same', 'k'],
      ['same', 'k'],
    ],
  );
  const base = { GAMEGIRL_LLM_BASE_URL: 'http://a/v1,http://b/v1,http://c/v1' };
  assert.throws(
    () => llmNarratorOptionsFromEnv({ ...base, GAMEGIRL_LLM_MODEL: 'x,y' }),
    /GAMEGIRL_LLM_MODEL.*2 entries for 3 base URLs/,
  );
  assert.throws(
    () => llmNarratorOptionsFromEnv({ ...base, GAMEGIRL_LLM_MODEL: 'x,,z' }),
    /GAMEGIRL_LLM_MODEL/,
  );
  assert.throws(
    () =>
      llmNarratorOptionsFromEnv({
        ...base,
        GAMEGIRL_LLM_MODEL: 'x',
        GAMEGIRL_LLM_CONTEXT_TOKENS: '100',
      }),
    /GAMEGIRL_LLM_CONTEXT_TOKENS.*at least 1500/,
  );
  assert.throws(
    () =>
      llmNarratorOptionsFromEnv({
        GAMEGIRL_LLM_BASE_URL: 'http://a/v1,ftp://b',
        GAMEGIRL_LLM_MODEL: 'x',
      }),
    /GAMEGIRL_LLM_BASE_URL/,
  );
});
