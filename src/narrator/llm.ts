import { randomBytes } from 'node:crypto';
import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import { InvalidInputError } from '../core/errors.js';
import type { JsonValue } from '../core/session-state.js';
import {
  DEFAULT_CONTEXT_TOKENS,
  DEFAULT_REPLY_TOKENS,
  DEFAULT_TIMEOUT_MS,
  type LlmNarratorOptions,
  MIN_CONTEXT_TOKENS,
  providersOf,
} from './llm-config.js';
import {
  applyMemory,
  FOLD_BACKOFF,
  gameLine,
  joinLines,
  type Line,
  MAX_UNFOLDED,
  MEMORY_SHARE,
  makeTurnNote,
  memoryLine,
  parseMemoryReply,
  recentThatFit,
  TokenCounter,
  turnLine,
  turnsToFold,
} from './llm-memory.js';
import {
  dataClose,
  dataOpen,
  decisionLine,
  MEMORY_INSTRUCTION,
  MEMORY_RESPONSE_FORMAT,
  MEMORY_SYSTEM_PROMPT,
  OPENING_INSTRUCTION,
  RESPONSE_FORMAT,
  repairPrompt,
  SYSTEM_PROMPT,
  sceneLine,
  TURN_INSTRUCTION,
  XCARD_INSTRUCTION,
} from './llm-prompt.js';
import {
  Deadline,
  MalformedReply,
  ProviderPool,
  toNarratorError,
  withFallback,
} from './llm-providers.js';
import { capLength, parseNarratorReply } from './llm-reply.js';
import {
  addSpend,
  type CompletionRequest,
  type Format,
  NarratorBudgetError,
  noSpend,
  SceneStream,
  streamCompletion,
} from './llm-request.js';
import {
  copyState,
  emptyState,
  encodeLlmState,
  type LlmState,
  parseLlmState,
  SPEND_LOG_LENGTH,
} from './llm-state.js';
import type { NarrationResult, Narrator, OpeningInput, RewriteInput, TurnInput } from './port.js';

export { type LlmNarratorOptions, llmNarratorOptionsFromEnv, providersOf } from './llm-config.js';
export { type LlmProviderOptions, NarratorHttpError, ProviderPool } from './llm-providers.js';
export {
  LLM_CHOICE_MAX_LENGTH,
  LLM_SCENE_MAX_LENGTH,
  LLM_SUMMARY_MAX_LENGTH,
  type NarratorReply,
  type ParsedNarratorReply,
  parseNarratorReply,
  partialSceneText,
} from './llm-reply.js';
export { NarratorBudgetError } from './llm-request.js';
export { type GameSpend, type LlmState, llmSpendOf } from './llm-state.js';

/** The nonce makes the data section's closing tag unguessable, so player text cannot forge it. */
const nonce = () => randomBytes(6).toString('hex');

/**
 * A narrator backed by OpenAI-compatible chat completions, with a story memory that scales to
 * long campaigns, a token budget per prompt, spend accounting, an optional per-game cap and
 * fallback providers. Its state (see llm-state.ts) is saved with the game.
 */
export class LlmNarrator implements Narrator {
  private readonly pool: ProviderPool;
  private readonly timeoutMs: number;
  private readonly temperature: number | undefined;
  private readonly maxRetries: number;
  private readonly budget: number;
  private readonly replyTokens: number;
  private readonly cap: number | null;
  private readonly premise: string;
  private readonly counter = new TokenCounter();
  /** A failed turn's state (memory folded, tokens spent), reused when that turn is retried. */
  private carry: { gameId: string; turn: number; state: LlmState } | null = null;
  /** The state this narrator returned last (the host hands it back on the next turn). */
  private last: JsonValue | null = null;

  constructor(options: LlmNarratorOptions, pool?: ProviderPool) {
    const {
      timeoutMs = DEFAULT_TIMEOUT_MS,
      maxRetries = 1,
      contextTokens = DEFAULT_CONTEXT_TOKENS,
      replyTokens = DEFAULT_REPLY_TOKENS,
    } = options;
    const providers = providersOf(options);
    if (providers.length === 0) throw new InvalidInputError('providers', 'must not be empty');
    for (const p of providers)
      if (!p.model.trim()) throw new InvalidInputError('model', 'must not be empty');
    if (!Number.isFinite(timeoutMs) || timeoutMs <= 0)
      throw new InvalidInputError('timeoutMs', 'must be positive');
    if (!Number.isInteger(contextTokens) || contextTokens < MIN_CONTEXT_TOKENS)
      throw new InvalidInputError('contextTokens', `must be at least ${MIN_CONTEXT_TOKENS}`);
    if (!Number.isInteger(replyTokens) || replyTokens < 1)
      throw new InvalidInputError('replyTokens', 'must be a positive whole number');
    this.pool = pool ?? new ProviderPool(providers, options.fetch);
    this.timeoutMs = timeoutMs;
    this.temperature = options.temperature;
    this.maxRetries = maxRetries;
    this.budget = contextTokens;
    this.replyTokens = replyTokens;
    this.cap = options.maxTokensPerGame ?? null;
    this.premise = (options.premise ?? '').trim();
  }

  async open(input: OpeningInput): Promise<NarrationResult> {
    const state = emptyState(this.premise);
    const n = nonce();
    const user = joinLines([
      this.line(dataOpen(n)),
      this.gameLineOf(input.gameName, state.premise),
      this.line(dataClose(n)),
      this.fixedLine(OPENING_INSTRUCTION),
    ]);
    const deadline = new Deadline(this.timeoutMs, input.signal);
    try {
      return await this.narrate(state, 0, user, input, deadline);
    } catch (e) {
      throw toNarratorError(e, deadline.failure());
    } finally {
      deadline.dispose();
    }
  }

  async next(input: TurnInput): Promise<NarrationResult> {
    return this.turn(
      input,
      (n) => this.turnTail(input, n),
      (state) => {
        const picks: Array<[string, string]> = [...input.choices].map(([id, choice]) => [
          input.playerNames.get(id) ?? 'a player',
          choice,
        ]);
        state.recent.push(
          makeTurnNote(
            { turn: input.turn, scene: input.scene.text, picks, decided: input.decidedChoice },
            this.counter,
          ),
        );
        if (state.recent.length > MAX_UNFOLDED)
          state.recent.splice(0, state.recent.length - MAX_UNFOLDED);
      },
    );
  }

  /**
   * The X-card: the scene on screen is written again, with a note asking for a different scene
   * that steers away from the one set aside. The scene set aside never enters the memory.
   */
  async rewrite(input: RewriteInput): Promise<NarrationResult> {
    return this.turn(input, (n) => {
      const scene = sceneLine(input.turn, input.scene);
      return [
        this.line(dataClose(n)),
        { text: scene, tokens: this.counter.count(scene) },
        this.fixedLine(XCARD_INSTRUCTION),
      ];
    });
  }

  /** One turn's request: memory and recent turns that fit, then `tail`; `remember` records the
   *  turn in the state once narrated. */
  private async turn(
    input: TurnInput | RewriteInput,
    tailOf: (nonce: string) => Line[],
    remember?: (state: LlmState) => void,
  ): Promise<NarrationResult> {
    const state = this.restore(input);
    const n = nonce();
    const deadline = new Deadline(this.timeoutMs, input.signal);
    try {
      const tail = tailOf(n);
      let plan = this.planTurn(state, input.gameName, n, tail);
      const fold = input.turn >= state.foldAfter ? turnsToFold(state.recent, plan.fitting) : 0;
      if (fold > 0) {
        if (!(await this.fold(state, fold, input.gameName, deadline)))
          state.foldAfter = input.turn + FOLD_BACKOFF;
        plan = this.planTurn(state, input.gameName, n, tail);
      }
      const user = joinLines([
        ...plan.head,
        ...state.recent.slice(state.recent.length - plan.fitting).map((t) => ({
          text: turnLine(t),
          tokens: t.tokens,
        })),
        ...tail,
      ]);
      const result = await this.narrate(state, input.turn, user, input, deadline);
      remember?.(state);
      this.carry = null;
      return { ...result, state: this.saved(state) };
    } catch (e) {
      this.carry = { gameId: input.gameId, turn: input.turn, state };
      throw toNarratorError(e, deadline.failure());
    } finally {
      deadline.dispose();
    }
  }

  /** The state handed to the host; remembered so that the next turn need not re-read it. */
  private saved(state: LlmState): JsonValue {
    const json = encodeLlmState(state);
    this.last = json;
    return json;
  }

  /** The saved state to continue from: the failed attempt's when this turn is retried. */
  private restore(input: TurnInput | RewriteInput): LlmState {
    const c = this.carry;
    if (c !== null && c.gameId === input.gameId && c.turn === input.turn) return c.state;
    // Our own last answer needs no validation; a copy keeps it unchanged for its holder.
    if (this.last !== null && input.state === this.last)
      return copyState(input.state as unknown as LlmState);
    const s = parseLlmState(input.state, this.premise);
    if (s.premise === '') s.premise = this.premise;
    if (s.usage.requests === 0 && s.synopsis === '' && s.recent.length === 0) {
      // A game saved before the memory existed: its recorded summaries seed the synopsis.
      s.synopsis = input.history
        .map((t) => t.narrativeSummary)
        .filter((x) => x !== '')
        .join(' ');
    }
    if (s.synopsis !== '' && s.memoryTokens === 0)
      s.memoryTokens = this.counter.count(memoryLine(s));
    return s;
  }

  /** A line counted now (it changes with every request, like the nonce). */
  private line(text: string): Line {
    return { text, tokens: this.counter.count(text) };
  }

  /** A line that repeats across requests, counted once. */
  private fixedLine(text: string): Line {
    return { text, tokens: this.counter.countFixed(text) };
  }

  /** The game line; a premise longer than a quarter of the budget is cut to it. */
  private gameLineOf(gameName: string, premise: string): Line {
    const line = this.fixedLine(gameLine(gameName, premise));
    if (line.tokens <= this.budget / 4) return line;
    return this.fixedLine(
      gameLine(gameName, this.counter.clip(premise, Math.floor(this.budget / 5))),
    );
  }

  private memoryLineOf(state: LlmState): Line[] {
    const text = memoryLine(state);
    return text === '' ? [] : [{ text, tokens: state.memoryTokens }];
  }

  /** The end of a turn prompt: the players' choices, the scene they chose on, the instruction. */
  private turnTail(input: TurnInput, n: string): Line[] {
    const tail: Line[] = [{ text: input.input, tokens: this.counter.count(input.input) }];
    if (input.decidedChoice !== null) {
      const d = decisionLine(input.decidedChoice);
      tail.push({ text: d, tokens: this.counter.count(d) });
    }
    const scene = sceneLine(input.turn, input.scene);
    tail.push(
      this.line(dataClose(n)),
      { text: scene, tokens: this.counter.count(scene) },
      this.fixedLine(TURN_INSTRUCTION),
    );
    return tail;
  }

  /** The head of a turn prompt, and how many recent turns fit between it and the tail. */
  private planTurn(state: LlmState, gameName: string, n: string, tail: Line[]) {
    const head = [
      this.line(dataOpen(n)),
      this.gameLineOf(gameName, state.premise),
      ...this.memoryLineOf(state),
    ];
    const fixed = TokenCounter.request([
      this.counter.countFixed(SYSTEM_PROMPT),
      joinLines([...head, ...tail]).tokens,
    ]);
    return { head, fitting: recentThatFit(state.recent, this.budget - fixed) };
  }

  private request(
    messages: ChatCompletionMessageParam[],
    promptTokens: number,
    format: Format,
  ): CompletionRequest {
    const { replyTokens, temperature } = this;
    return { messages, promptTokens, replyTokens, temperature, format };
  }

  /** Cap check before a request of `prompt` tokens (and at most replyTokens of answer). */
  private checkCap(state: LlmState, prompt: number): void {
    if (this.cap === null) return;
    const spent = state.usage.prompt + state.usage.completion;
    const next = prompt + this.replyTokens;
    if (spent + next > this.cap) throw new NarratorBudgetError(spent, next, this.cap);
  }

  /**
   * Folds the oldest `count` recent turns (as many as fit one request) into the memory with one
   * summarising request. A failed summary is not a failed turn: the turns stay verbatim and are
   * folded later (false is returned). Only the narration's own end (time, abort) or the cap stop
   * the turn.
   */
  private async fold(
    state: LlmState,
    count: number,
    gameName: string,
    deadline: Deadline,
  ): Promise<boolean> {
    const n = nonce();
    const head = [
      this.line(dataOpen(n)),
      this.gameLineOf(gameName, state.premise),
      ...this.memoryLineOf(state),
    ];
    const tail = [this.line(dataClose(n)), this.fixedLine(MEMORY_INSTRUCTION)];
    const system = this.counter.countFixed(MEMORY_SYSTEM_PROMPT);
    let room = this.budget - TokenCounter.request([system, joinLines([...head, ...tail]).tokens]);
    const turns: Line[] = [];
    for (const t of state.recent.slice(0, count)) {
      if (t.tokens + 1 > room && turns.length > 0) break;
      const text =
        t.tokens + 1 > room
          ? turnLine({ ...t, scene: this.counter.clip(t.scene, Math.max(50, room - 100)) })
          : turnLine(t);
      const line = { text, tokens: text === turnLine(t) ? t.tokens : this.counter.count(text) };
      turns.push(line);
      room -= line.tokens + 1;
    }
    const user = joinLines([...head, ...turns, ...tail]);
    const messages: ChatCompletionMessageParam[] = [
      { role: 'system', content: MEMORY_SYSTEM_PROMPT },
      { role: 'user', content: user.text },
    ];
    const prompt = TokenCounter.request([system, user.tokens]);
    this.checkCap(state, prompt);
    const spend = noSpend();
    const last = state.recent[turns.length - 1]?.turn ?? 0;
    state.folds++;
    try {
      const { value } = await withFallback(
        this.pool,
        { deadline, maxRetries: 0, share: 0.4 },
        async (p, attempt) => {
          const text = await streamCompletion(
            p,
            attempt,
            this.request(messages, prompt, MEMORY_RESPONSE_FORMAT),
            spend,
            null,
            this.counter,
          );
          const u = parseMemoryReply(text);
          if (u === null) throw new MalformedReply('the memory reply is not the expected object');
          return u;
        },
      );
      const cap = Math.floor(this.budget * MEMORY_SHARE);
      applyMemory(state, value, last, cap, this.counter);
      state.recent.splice(0, turns.length);
      return true;
    } catch (e) {
      const cut = deadline.failure();
      if (cut) throw cut;
      if (e instanceof NarratorBudgetError) throw e;
      return false;
    } finally {
      addSpend(state.usage, spend);
    }
  }

  /** One narration (the opening or a turn) with fallback providers; records its spend. */
  private async narrate(
    state: LlmState,
    turn: number,
    user: Line,
    input: OpeningInput,
    deadline: Deadline,
  ): Promise<NarrationResult> {
    const messages: ChatCompletionMessageParam[] = [
      { role: 'system', content: SYSTEM_PROMPT },
      { role: 'user', content: user.text },
    ];
    const prompt = TokenCounter.request([this.counter.countFixed(SYSTEM_PROMPT), user.tokens]);
    this.checkCap(state, prompt);
    const spend = noSpend();
    const stream = new SceneStream(input.onText);
    try {
      const { value: reply, provider } = await withFallback(
        this.pool,
        { deadline, maxRetries: this.maxRetries },
        async (p, attempt) => {
          const req = this.request(messages, prompt, RESPONSE_FORMAT);
          const first = await streamCompletion(p, attempt, req, spend, stream, this.counter);
          let parsed = parseNarratorReply(first);
          if (parsed.ok) return parsed.value;
          const repair: ChatCompletionMessageParam[] = [
            ...messages,
            { role: 'assistant', content: capLength(first, 4000) },
            { role: 'user', content: repairPrompt(parsed.error) },
          ];
          const firstError = parsed.error;
          const again = prompt + this.counter.count(capLength(first, 4000)) + 60;
          parsed = parseNarratorReply(
            await streamCompletion(
              p,
              attempt,
              this.request(repair, again, RESPONSE_FORMAT),
              spend,
              stream,
              this.counter,
            ),
          );
          if (!parsed.ok)
            throw new MalformedReply(`invalid twice (${firstError}; then ${parsed.error})`);
          return parsed.value;
        },
      );
      stream.extend(reply.scene);
      state.spend.push({ turn, provider: provider.label, ...spend });
      if (state.spend.length > SPEND_LOG_LENGTH)
        state.spend.splice(0, state.spend.length - SPEND_LOG_LENGTH);
      addSpend(state.usage, spend);
      return {
        scene: { text: reply.scene, choices: reply.choices, ended: reply.ended },
        summary: reply.summary,
        state: this.saved(state),
      };
    } catch (e) {
      addSpend(state.usage, spend); // failed attempts cost too: a retry of the turn sees it
      throw e;
    }
  }
}
