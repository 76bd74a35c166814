// One streamed chat completion from one provider, with its spend counted (the backend's usage,
// or the tokenizer's count when it reports none), and the scene streamed as it arrives.
import type {
  ChatCompletionChunk,
  ChatCompletionCreateParamsStreaming,
  ChatCompletionMessageParam,
} from 'openai/resources/chat/completions';
import type { TokenCounter } from './llm-memory.js';
import type { MEMORY_RESPONSE_FORMAT, RESPONSE_FORMAT } from './llm-prompt.js';
import { type Attempt, adaptToRejection, MalformedReply, type Provider } from './llm-providers.js';
import { cleanScenePrefix, partialSceneText, REPLY_MAX_CHARS } from './llm-reply.js';
import type { UsageTotals } from './llm-state.js';
import { NarratorError } from './port.js';

const fmt = (n: number) => n.toLocaleString('en-US');

/** The game's next request would pass its token cap: the game pauses until the cap is raised. */
export class NarratorBudgetError extends NarratorError {
  readonly spent: number;
  readonly cap: number;
  constructor(spent: number, next: number, cap: number) {
    super(
      'budget',
      `this game has used ${fmt(spent)} tokens and the next request (about ${fmt(next)} more) ` +
        `would pass its cap of ${fmt(cap)}; to go on, raise GAMEGIRL_LLM_MAX_TOKENS_PER_GAME ` +
        '(or unset it) and restart gamegirl',
    );
    this.spent = spent;
    this.cap = cap;
  }
}

/** Forwards scene text to onText so that the deltas always concatenate to the final text. */
export class SceneStream {
  private emitted = '';
  constructor(private readonly onText: ((delta: string) => void) | undefined) {}

  partial(buf: string): void {
    if (!this.onText) return;
    const raw = partialSceneText(buf);
    if (raw !== null) this.extend(cleanScenePrefix(raw));
  }

  /** Text that does not continue what was already shown (a repaired reply) is not streamed. */
  extend(text: string): void {
    if (!this.onText || text.length <= this.emitted.length || !text.startsWith(this.emitted))
      return;
    const delta = text.slice(this.emitted.length);
    this.emitted = text;
    try {
      this.onText(delta);
    } catch {
      // A failing display callback must not fail the turn; the final scene is still returned.
    }
  }
}

export type Spend = UsageTotals;
export const noSpend = (): Spend => ({ prompt: 0, completion: 0, requests: 0, estimated: 0 });

export function addSpend(to: UsageTotals, s: Spend): void {
  to.prompt += s.prompt;
  to.completion += s.completion;
  to.requests += s.requests;
  to.estimated += s.estimated;
}

export type Format = typeof RESPONSE_FORMAT | typeof MEMORY_RESPONSE_FORMAT;

export interface CompletionRequest {
  messages: ChatCompletionMessageParam[];
  /** The prompt's tokens as counted locally (used when the backend reports no usage). */
  promptTokens: number;
  replyTokens: number;
  temperature: number | undefined;
  format: Format;
}

/** One streamed completion; returns the whole reply text. Adds what it cost to `spend`. */
export async function streamCompletion(
  p: Provider,
  attempt: Attempt,
  req: CompletionRequest,
  spend: Spend,
  stream: SceneStream | null,
  counter: TokenCounter,
): Promise<string> {
  for (;;) {
    const body: ChatCompletionCreateParamsStreaming = {
      model: p.model,
      messages: req.messages,
      stream: true,
      [p.tokenParam]: req.replyTokens,
      ...(p.streamUsage ? { stream_options: { include_usage: true } } : {}),
      ...(req.temperature !== undefined ? { temperature: req.temperature } : {}),
      ...(p.structured ? { response_format: req.format } : {}),
    };
    let completion: AsyncIterable<ChatCompletionChunk>;
    try {
      completion = await p.client.chat.completions.create(body, {
        signal: attempt.controller.signal,
        timeout: attempt.ms,
        maxRetries: 0,
      });
    } catch (e) {
      if (!attempt.failure() && adaptToRejection(p, e)) continue;
      throw e;
    }
    let text = '';
    let usage: { prompt_tokens: number; completion_tokens: number } | null = null;
    try {
      for await (const chunk of completion) {
        if (chunk.usage) usage = chunk.usage;
        const delta = chunk.choices[0]?.delta?.content;
        if (!delta) continue;
        text += delta;
        if (text.length > REPLY_MAX_CHARS)
          throw new MalformedReply(`the reply exceeded ${REPLY_MAX_CHARS} characters`);
        stream?.partial(text);
      }
    } finally {
      spend.requests++;
      if (usage !== null) {
        spend.prompt += usage.prompt_tokens;
        spend.completion += usage.completion_tokens;
      } else {
        // No usage reported (an old backend, or the stream was cut): count it ourselves.
        spend.estimated++;
        spend.prompt += req.promptTokens;
        spend.completion += counter.count(text);
      }
    }
    // The SDK ends an aborted stream quietly instead of throwing.
    const cut = attempt.failure();
    if (cut) throw cut;
    return text;
  }
}
