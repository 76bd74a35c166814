import { randomBytes } from 'node:crypto';
import OpenAI, {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
} from 'openai';
import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import { z } from 'zod';
import { InvalidInputError } from '../core/errors.js';
import type { JsonValue } from '../core/session-state.js';
import {
  openingPrompt,
  RESPONSE_FORMAT,
  repairPrompt,
  SYSTEM_PROMPT,
  turnPrompt,
} from './llm-prompt.js';
import {
  capLength,
  cleanLine,
  cleanScenePrefix,
  LLM_SUMMARY_MAX_LENGTH,
  parseNarratorReply,
  partialSceneText,
  REPLY_MAX_CHARS,
} from './llm-reply.js';
import {
  type NarrationResult,
  type Narrator,
  NarratorError,
  type NarratorFailure,
  type OpeningInput,
  type TurnInput,
} from './port.js';

export {
  LLM_CHOICE_MAX_LENGTH,
  LLM_SCENE_MAX_LENGTH,
  LLM_SUMMARY_MAX_LENGTH,
  type NarratorReply,
  type ParsedNarratorReply,
  parseNarratorReply,
  partialSceneText,
} from './llm-reply.js';

export interface LlmNarratorOptions {
  /** An OpenAI-compatible endpoint, usually ending in `/v1` (OpenAI, Ollama, llama.cpp, vLLM). */
  baseURL: string;
  apiKey?: string | undefined;
  model: string;
  /** Budget for one whole narration (every request, the repair and fallback included). */
  timeoutMs?: number | undefined;
  temperature?: number | undefined;
  /** How many past turn summaries go into the prompt and the saved notes. */
  maxHistory?: number | undefined;
  /** SDK retries of connection errors, 408/409/429 and 5xx answers (within the budget). */
  maxRetries?: number | undefined;
  fetch?: typeof globalThis.fetch | undefined;
}

/** An HTTP failure of the backend; `status` is undefined for an error event inside a stream. */
export class NarratorHttpError extends NarratorError {
  readonly status: number | undefined;
  constructor(status: number | undefined, message: string, options?: { cause?: unknown }) {
    super('http', message, options);
    this.status = status;
  }
}

const notesSchema = z.object({ notes: z.array(z.string()) }).catch({ notes: [] });

// ---------- deadline and streaming helpers ----------

/** One abort signal for a whole narration: the caller's signal or the time budget. */
class Deadline {
  readonly controller = new AbortController();
  private readonly end: number;
  private readonly timer: NodeJS.Timeout;
  private timedOut = false;
  private readonly onOuterAbort = () => this.controller.abort();

  constructor(
    ms: number,
    private readonly outer: AbortSignal | undefined,
  ) {
    this.end = Date.now() + ms;
    this.timer = setTimeout(() => {
      this.timedOut = true;
      this.controller.abort();
    }, ms);
    if (outer?.aborted) this.controller.abort();
    else outer?.addEventListener('abort', this.onOuterAbort, { once: true });
  }

  remaining(): number {
    return Math.max(1, this.end - Date.now());
  }

  /** The error to report if the narration was cut short, else null. */
  failure(): NarratorError | null {
    if (this.outer?.aborted) return new NarratorError('aborted', 'the narration was aborted');
    if (this.timedOut) return new NarratorError('timeout', 'the narrator did not answer in time');
    return null;
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.outer?.removeEventListener('abort', this.onOuterAbort);
  }
}

/** Forwards scene text to onText so that the deltas always concatenate to the final text. */
class SceneStream {
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

class MalformedReply extends Error {}

function isResponseFormatRejection(e: unknown): boolean {
  return (
    e instanceof APIError &&
    (e.status === 400 || e.status === 422) &&
    /response_format|json_schema|structured/i.test(e.message)
  );
}

function toNarratorError(e: unknown, deadline: Deadline): NarratorError {
  const fail = (f: NarratorFailure, m: string) => new NarratorError(f, m, { cause: e });
  const cut = deadline.failure();
  if (cut) return cut;
  if (e instanceof NarratorError) return e;
  if (e instanceof APIConnectionTimeoutError) return fail('timeout', 'the narrator timed out');
  if (e instanceof APIUserAbortError) return fail('aborted', 'the narration was aborted');
  if (e instanceof APIConnectionError) return fail('unreachable', 'the narrator is unreachable');
  if (e instanceof APIError) {
    const what = e.status === undefined ? 'reported an error' : `answered HTTP ${e.status}`;
    const detail = capLength(cleanLine(e.message), 200);
    return new NarratorHttpError(e.status, `the narrator backend ${what}: ${detail}`, { cause: e });
  }
  if (e instanceof MalformedReply || e instanceof SyntaxError) {
    return fail('malformed', `the narrator reply was unusable: ${e.message}`);
  }
  return fail('unreachable', 'the narrator backend failed');
}

// ---------- the narrator ----------

export class LlmNarrator implements Narrator {
  private readonly client: OpenAI;
  private readonly model: string;
  private readonly timeoutMs: number;
  private readonly temperature: number | undefined;
  private readonly maxHistory: number;
  private readonly maxRetries: number;
  /** Cleared after a backend rejects response_format, so later turns skip the failing request. */
  private structured = true;

  constructor(options: LlmNarratorOptions) {
    const { timeoutMs = 60_000, maxHistory = 8, maxRetries = 1 } = options;
    if (!options.model.trim()) throw new InvalidInputError('model', 'must not be empty');
    if (!Number.isFinite(timeoutMs) || timeoutMs <= 0)
      throw new InvalidInputError('timeoutMs', 'must be positive');
    if (!Number.isInteger(maxHistory) || maxHistory < 0)
      throw new InvalidInputError('maxHistory', 'must be >= 0');
    this.model = options.model;
    this.timeoutMs = timeoutMs;
    this.temperature = options.temperature;
    this.maxHistory = maxHistory;
    this.maxRetries = maxRetries;
    this.client = new OpenAI({
      baseURL: options.baseURL,
      // Local backends need no key, but the SDK insists on one (and would read OPENAI_API_KEY).
      apiKey: options.apiKey || 'no-key',
      organization: null,
      project: null,
      timeout: timeoutMs, // the SDK default (10 min) is far too long for a game turn
      maxRetries,
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });
  }

  open(input: OpeningInput): Promise<NarrationResult> {
    return this.narrate([{ role: 'user', content: openingPrompt(input) }], input, []);
  }

  next(input: TurnInput): Promise<NarrationResult> {
    const notes = notesSchema.parse(input.state).notes;
    const fromHistory = input.history.map((t) => t.narrativeSummary).filter((s) => s !== '');
    const story = (fromHistory.length > 0 ? fromHistory : notes)
      .slice(-this.maxHistory)
      .map((s) => capLength(cleanLine(s), LLM_SUMMARY_MAX_LENGTH));
    // The nonce makes the closing tag unguessable, so player text cannot forge the end of the data.
    const nonce = randomBytes(6).toString('hex');
    return this.narrate([{ role: 'user', content: turnPrompt(input, story, nonce) }], input, story);
  }

  private async narrate(
    prompt: ChatCompletionMessageParam[],
    input: OpeningInput,
    story: string[],
  ): Promise<NarrationResult> {
    const deadline = new Deadline(this.timeoutMs, input.signal);
    const stream = new SceneStream(input.onText);
    const messages: ChatCompletionMessageParam[] = [
      { role: 'system', content: SYSTEM_PROMPT },
      ...prompt,
    ];
    try {
      const first = await this.complete(messages, deadline, stream);
      let parsed = parseNarratorReply(first);
      if (!parsed.ok) {
        const repair: ChatCompletionMessageParam[] = [
          ...messages,
          { role: 'assistant', content: capLength(first, 4000) },
          { role: 'user', content: repairPrompt(parsed.error) },
        ];
        const firstError = parsed.error;
        parsed = parseNarratorReply(await this.complete(repair, deadline, stream));
        if (!parsed.ok)
          throw new MalformedReply(`invalid twice (${firstError}; then ${parsed.error})`);
      }
      const reply = parsed.value;
      stream.extend(reply.scene);
      const notes = [...story, reply.summary].slice(-this.maxHistory);
      const state: JsonValue = { notes };
      return {
        scene: { text: reply.scene, choices: reply.choices, ended: reply.ended },
        summary: reply.summary,
        state,
      };
    } catch (e) {
      throw toNarratorError(e, deadline);
    } finally {
      deadline.dispose();
    }
  }

  /** One streamed completion; returns the whole reply text. */
  private async complete(
    messages: ChatCompletionMessageParam[],
    deadline: Deadline,
    stream: SceneStream,
  ): Promise<string> {
    const structured = this.structured;
    try {
      const completion = await this.client.chat.completions.create(
        {
          model: this.model,
          messages,
          stream: true,
          ...(this.temperature !== undefined ? { temperature: this.temperature } : {}),
          ...(structured ? { response_format: RESPONSE_FORMAT } : {}),
        },
        {
          signal: deadline.controller.signal,
          timeout: deadline.remaining(),
          maxRetries: this.maxRetries,
        },
      );
      let text = '';
      for await (const chunk of completion) {
        const delta = chunk.choices[0]?.delta?.content;
        if (!delta) continue;
        text += delta;
        if (text.length > REPLY_MAX_CHARS)
          throw new MalformedReply(`the reply exceeded ${REPLY_MAX_CHARS} characters`);
        stream.partial(text);
      }
      // The SDK ends an aborted stream quietly instead of throwing.
      const cut = deadline.failure();
      if (cut) throw cut;
      return text;
    } catch (e) {
      if (structured && isResponseFormatRejection(e) && !deadline.failure()) {
        this.structured = false;
        return this.complete(messages, deadline, stream);
      }
      throw e;
    }
  }
}

// ---------- configuration from the environment ----------

const optionalText = z.preprocess((v) => (v === '' ? undefined : v), z.string().optional());

const envSchema = z.object({
  GAMEGIRL_LLM_BASE_URL: z.url({
    protocol: /^https?$/,
    error: 'must be an http(s) URL of an OpenAI-compatible API, e.g. http://127.0.0.1:11434/v1',
  }),
  GAMEGIRL_LLM_API_KEY: optionalText,
  GAMEGIRL_LLM_MODEL: z
    .string({ error: 'must name the model when GAMEGIRL_LLM_BASE_URL is set' })
    .trim()
    .min(1, 'must name the model when GAMEGIRL_LLM_BASE_URL is set'),
  GAMEGIRL_LLM_TIMEOUT_MS: z.preprocess(
    (v) => (v === '' || v === undefined ? undefined : Number(v)),
    z
      .number({ error: 'must be a number of milliseconds' })
      .int('must be a whole number of milliseconds')
      .min(1000, 'must be at least 1000 ms')
      .max(600_000, 'must be at most 600000 ms')
      .optional(),
  ),
});

/**
 * LLM narrator options from GAMEGIRL_LLM_* variables; null when GAMEGIRL_LLM_BASE_URL is unset.
 * Throws InvalidInputError naming the offending variable.
 */
export function llmNarratorOptionsFromEnv(
  env: Readonly<Record<string, string | undefined>> = process.env,
): LlmNarratorOptions | null {
  if (!env.GAMEGIRL_LLM_BASE_URL?.trim()) return null;
  const r = envSchema.safeParse({
    ...env,
    GAMEGIRL_LLM_BASE_URL: env.GAMEGIRL_LLM_BASE_URL.trim(),
  });
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new InvalidInputError(
      String(issue?.path[0] ?? 'GAMEGIRL_LLM'),
      issue?.message ?? 'invalid',
    );
  }
  const d = r.data;
  return {
    baseURL: d.GAMEGIRL_LLM_BASE_URL,
    apiKey: d.GAMEGIRL_LLM_API_KEY,
    model: d.GAMEGIRL_LLM_MODEL,
    timeoutMs: d.GAMEGIRL_LLM_TIMEOUT_MS ?? 60_000,
  };
}
