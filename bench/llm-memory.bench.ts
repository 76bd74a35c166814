/**
 * The LLM narrator's story memory over a 750-turn campaign, against an in-process
 * OpenAI-compatible backend that answers at once (a `fetch` that returns the SSE reply, so no
 * socket time is measured).
 *
 * 1. Prompt tokens per turn at turns 10, 50, 100, 300 and 500 (counted with the same tokenizer
 *    on the text as sent), for the memory prompt vs the baseline of a naive prompt that carries
 *    the whole history verbatim. Target: the memory prompt stays under the budget.
 * 2. The narrator's own overhead per turn over turns 401-600 (centred on turn 500): its time for
 *    next() minus, right after, the bare SDK sending the same requests to the same kind of
 *    backend (the baseline, also reported). What is left is prompt assembly, token counting,
 *    folding, reply validation and state handling. Each turn is timed 9 times from its saved
 *    state, in separate passes, and the fastest kept (the machine is shared: the slower tries
 *    measure other processes); the first pass's figure is reported too. Target: p99 <= 2 ms.
 *
 * Run: node --import tsx bench/llm-memory.bench.ts      (prints one JSON line)
 */
import { countTokens } from 'gpt-tokenizer/encoding/cl100k_base';
import OpenAI from 'openai';
import { LlmNarrator } from '../src/narrator/llm.js';
import { turnLine } from '../src/narrator/llm-memory.js';
import { SYSTEM_PROMPT } from '../src/narrator/llm-prompt.js';
import type { LlmState } from '../src/narrator/llm-state.js';
import type { NarrationResult, TurnInput } from '../src/narrator/port.js';
import { campaignTurn, sceneFor } from '../test/helpers/campaign.js';
import { quantile, report, round } from './helpers.js';

const BUDGET = 3000;
const CHECKPOINTS = [10, 50, 100, 300, 500];
const MEASURE_FROM = 401;
const MEASURE_TO = 600;
const REPEATS = 9;
const TARGET_P99_MS = 2;
const PLAIN = { disallowedSpecial: new Set<string>() };

interface Body {
  messages: { role: string; content: string }[];
}

function sse(content: string, prompt: number): string {
  const chunk = (delta: Record<string, unknown>, finish: string | null) =>
    `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
  const parts: string[] = [chunk({ role: 'assistant', content: '' }, null)];
  const size = Math.ceil(content.length / 8);
  for (let i = 0; i < content.length; i += size)
    parts.push(chunk({ content: content.slice(i, i + size) }, null));
  parts.push(chunk({}, 'stop'));
  const usage = {
    prompt_tokens: prompt,
    completion_tokens: Math.ceil(content.length / 4),
    total_tokens: 0,
  };
  parts.push(
    `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [], usage })}\n\n`,
  );
  parts.push('data: [DONE]\n\n');
  return parts.join('');
}

/** An instant backend: narration replies from sceneFor, memory replies like a summariser. */
function instantBackend() {
  const prompts: string[][] = [];
  let narrations = 0;
  let folds = 0;
  const fetch: typeof globalThis.fetch = async (_url, init) => {
    const body = JSON.parse(String(init?.body)) as Body;
    const texts = body.messages.map((m) => m.content);
    prompts.push(texts);
    const memory = texts[0]?.startsWith('You keep the story memory') ?? false;
    let content: string;
    if (memory) {
      folds++;
      content = JSON.stringify({
        synopsis: `The caravan has crossed ${folds} rivers and lost its way twice.`,
        characters:
          folds === 1
            ? [{ name: 'Bramble', note: 'a fox companion', named_by: 'Ada', drop: false }]
            : [],
        places: [
          { name: `Waystation ${folds}`, note: 'passed through', named_by: '', drop: false },
        ],
        items: [],
        threads: [],
        players: [],
      });
    } else {
      content = JSON.stringify(sceneFor(narrations++));
    }
    return new Response(sse(content, 1000), { headers: { 'content-type': 'text/event-stream' } });
  };
  return { fetch, prompts };
}

const count = (texts: string[]) => texts.reduce((a, t) => a + countTokens(t, PLAIN) + 4, 3);

// ---------- the campaign ----------

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return { p50: round(quantile(s, 0.5), 3), p99: round(quantile(s, 0.99), 3) };
};

const backend = instantBackend();
const narrator = new LlmNarrator({
  baseURL: 'http://instant.invalid/v1',
  model: 'm',
  contextTokens: BUDGET,
  premise: 'A caravan crosses a drowned country where the maps lie and the rivers move.',
  fetch: backend.fetch,
});
// Baseline: the bare SDK sending the very requests the narrator sent, to the same kind of
// backend, with no narrator around it (what any OpenAI-compatible client pays).
const bare = instantBackend();
const client = new OpenAI({
  baseURL: 'http://instant.invalid/v1',
  apiKey: 'k',
  fetch: bare.fetch,
  maxRetries: 0,
});
async function bareCall(texts: string[]): Promise<void> {
  const stream = await client.chat.completions.create({
    model: 'm',
    stream: true,
    messages: [
      { role: 'system', content: texts[0] as string },
      { role: 'user', content: texts[1] as string },
    ],
  });
  let text = '';
  for await (const c of stream) text += c.choices[0]?.delta?.content ?? '';
  JSON.parse(text);
}

let r: NarrationResult = await narrator.open({ gameId: 'campaign', gameName: 'The Long Road' });
// The naive prompt: every closed turn verbatim (the same lines the memory prompt uses).
const history: string[] = [];
const tokens: Record<string, { memory: number; naive: number }> = {};
const overheadMs: number[] = [];
const narratorMs: number[] = [];
const sdkMs: number[] = [];
const rawMs: number[] = [];
const now = () => performance.now();

/** One timed try of a turn from its saved state (a JSON copy, as after a restart: read and
 *  validated), then the bare SDK sending the same requests. */
async function tryTurn(input: TurnInput): Promise<{ narrator: number; sdk: number }> {
  const sent = backend.prompts.length;
  const t0 = now();
  await narrator.next({ ...input, state: JSON.parse(input.state as string) });
  const t1 = now();
  for (const texts of backend.prompts.slice(sent)) await bareCall(texts);
  return { narrator: t1 - t0, sdk: now() - t1 };
}

const timed: TurnInput[] = [];
for (let t = 1; t <= MEASURE_TO; t++) {
  const input = campaignTurn(t, r, r.state);
  if (t >= MEASURE_FROM) timed.push({ ...input, state: JSON.stringify(input.state) });
  const sent = backend.prompts.length;
  r = await narrator.next(input);
  const requests = backend.prompts.slice(sent);
  if (CHECKPOINTS.includes(t)) {
    const naiveUser = [
      ...history,
      input.input,
      `Scene of turn ${t}: ${JSON.stringify({ text: input.scene.text, choices: input.scene.choices })}`,
    ].join('\n');
    tokens[`turn_${t}`] = {
      memory: count(requests.at(-1) as string[]),
      naive: count([SYSTEM_PROMPT, naiveUser]),
    };
  }
  const picks = [...input.choices].map(
    ([id, c]) => [input.playerNames.get(id) ?? '', c] as [string, string],
  );
  history.push(turnLine({ turn: t, scene: input.scene.text, picks, decided: null }));
}
const state = r.state as unknown as LlmState;

// Each measured turn is timed REPEATS times, in separate passes over all of them, and the fastest
// try kept: on a shared machine the slower tries measure other processes, not this one's work.
const best = timed.map(() => ({
  narrator: Number.POSITIVE_INFINITY,
  sdk: Number.POSITIVE_INFINITY,
}));
for (let pass = 0; pass < REPEATS; pass++) {
  for (const [i, input] of timed.entries()) {
    const x = await tryTurn(input);
    const b = best[i] as { narrator: number; sdk: number };
    b.narrator = Math.min(b.narrator, x.narrator);
    b.sdk = Math.min(b.sdk, x.sdk);
    if (pass === 0) rawMs.push(x.narrator - x.sdk);
  }
}
for (const b of best) {
  narratorMs.push(b.narrator);
  sdkMs.push(b.sdk);
  overheadMs.push(b.narrator - b.sdk);
}
const sorted = [...overheadMs].sort((a, b) => a - b);

const p99 = quantile(sorted, 0.99);
const maxMemory = Math.max(...Object.values(tokens).map((x) => x.memory));
report({
  bench: 'llm-memory',
  what: `prompt tokens per turn (memory vs whole-history baseline, budget ${BUDGET}) and narrator overhead per turn, turns ${MEASURE_FROM}-${MEASURE_TO}, instant backend`,
  prompt_tokens: tokens,
  summarising_requests: state.folds,
  turns: MEASURE_TO,
  overhead_ms: stats(overheadMs),
  overhead_first_try_ms: stats(rawMs),
  narrator_with_sdk_ms: stats(narratorMs),
  baseline_sdk_only_ms: stats(sdkMs),
  target_p99_ms: TARGET_P99_MS,
  met: p99 <= TARGET_P99_MS && maxMemory <= BUDGET,
  node: process.version,
});
