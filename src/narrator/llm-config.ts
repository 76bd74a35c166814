// LLM narrator options from GAMEGIRL_LLM_* variables. No SDK import: the config loads this
// without paying for the OpenAI client.
import { z } from 'zod';
import { InvalidInputError } from '../core/errors.js';
import type { LlmProviderOptions } from './llm-providers.js';

export const DEFAULT_TIMEOUT_MS = 60_000;
/** Default prompt budget: with a 1000-token reply it fits a 4096-token context (Ollama's). */
export const DEFAULT_CONTEXT_TOKENS = 3000;
export const MIN_CONTEXT_TOKENS = 1500;
/** `max_tokens` of every request. */
export const DEFAULT_REPLY_TOKENS = 1000;

export interface LlmNarratorOptions {
  /** Tried in order: the next one narrates when one times out, answers 429/5xx or is down. */
  providers?: LlmProviderOptions[] | undefined;
  /** One provider, as a shorthand for `providers: [{ baseURL, model, apiKey }]`. */
  baseURL?: string | undefined;
  model?: string | undefined;
  apiKey?: string | undefined;
  /** Budget for one whole narration (every request, repair, summary and fallback included). */
  timeoutMs?: number | undefined;
  temperature?: number | undefined;
  /** Extra tries of the last provider on a retryable failure (within the budget); default 1. */
  maxRetries?: number | undefined;
  /** Token budget of every prompt (GAMEGIRL_LLM_CONTEXT_TOKENS). */
  contextTokens?: number | undefined;
  /** `max_tokens` sent with every request. */
  replyTokens?: number | undefined;
  /** Pause the game when its next request would pass this many tokens; null = no cap. */
  maxTokensPerGame?: number | null | undefined;
  /** The game's premise (player text, sent whole as data). Set per game by the factory. */
  premise?: string | undefined;
  fetch?: typeof globalThis.fetch | undefined;
}

const LIST_HINT = 'comma-separated, one entry for every provider or one for all';

/** A comma-separated list; blank entries are kept (an empty key means "no key"). */
function list(v: string | undefined): string[] {
  return v === undefined || v.trim() === '' ? [] : v.split(',').map((s) => s.trim());
}

const wholeNumber = (min: number, max: number, what: string) =>
  z.preprocess(
    (v) => (v === '' || v === undefined ? undefined : Number(v)),
    z
      .number({ error: `must be a number of ${what}` })
      .int(`must be a whole number of ${what}`)
      .min(min, `must be at least ${min} ${what}`)
      .max(max, `must be at most ${max} ${what}`)
      .optional(),
  );

const numbersSchema = z.object({
  GAMEGIRL_LLM_TIMEOUT_MS: wholeNumber(1000, 600_000, 'ms'),
  GAMEGIRL_LLM_CONTEXT_TOKENS: wholeNumber(MIN_CONTEXT_TOKENS, 2_000_000, 'tokens'),
  GAMEGIRL_LLM_MAX_TOKENS_PER_GAME: wholeNumber(1000, Number.MAX_SAFE_INTEGER, 'tokens'),
});

function fail(name: string, message: string): never {
  throw new InvalidInputError(name, message);
}

/** One value per provider: n values, or one for all, or none (`fallback`). */
function spread(name: string, values: string[], n: number, fallback: string | null): string[] {
  if (values.length === n) return values;
  if (values.length === 1) return Array(n).fill(values[0]);
  if (values.length === 0 && fallback !== null) return Array(n).fill(fallback);
  return fail(name, `has ${values.length} entries for ${n} base URLs (${LIST_HINT})`);
}

/**
 * LLM narrator options from GAMEGIRL_LLM_* variables; null when GAMEGIRL_LLM_BASE_URL is unset.
 * GAMEGIRL_LLM_BASE_URL, _MODEL and _API_KEY take comma-separated lists for fallback providers.
 * Throws InvalidInputError naming the offending variable.
 */
export function llmNarratorOptionsFromEnv(
  env: Readonly<Record<string, string | undefined>> = process.env,
): LlmNarratorOptions | null {
  const urls = list(env.GAMEGIRL_LLM_BASE_URL);
  if (urls.length === 0) return null;
  for (const u of urls) {
    let ok = false;
    try {
      ok = /^https?:$/.test(new URL(u).protocol);
    } catch {
      ok = false;
    }
    if (!ok)
      fail(
        'GAMEGIRL_LLM_BASE_URL',
        `must be http(s) URLs of OpenAI-compatible APIs, e.g. http://127.0.0.1:11434/v1 (got ${JSON.stringify(u.slice(0, 60))})`,
      );
  }
  const models = spread('GAMEGIRL_LLM_MODEL', list(env.GAMEGIRL_LLM_MODEL), urls.length, '');
  if (models.some((m) => m === ''))
    fail('GAMEGIRL_LLM_MODEL', 'must name the model when GAMEGIRL_LLM_BASE_URL is set');
  const keys = spread('GAMEGIRL_LLM_API_KEY', list(env.GAMEGIRL_LLM_API_KEY), urls.length, '');
  const r = numbersSchema.safeParse(env);
  if (!r.success) {
    const issue = r.error.issues[0];
    fail(String(issue?.path[0] ?? 'GAMEGIRL_LLM'), issue?.message ?? 'invalid');
  }
  const d = r.data;
  return {
    providers: urls.map((baseURL, i) => ({
      baseURL,
      model: models[i] as string,
      apiKey: keys[i] === '' ? undefined : keys[i],
    })),
    timeoutMs: d.GAMEGIRL_LLM_TIMEOUT_MS ?? DEFAULT_TIMEOUT_MS,
    contextTokens: d.GAMEGIRL_LLM_CONTEXT_TOKENS ?? DEFAULT_CONTEXT_TOKENS,
    maxTokensPerGame: d.GAMEGIRL_LLM_MAX_TOKENS_PER_GAME ?? null,
  };
}

/** The providers of some options: `providers`, else the single-provider shorthand. */
export function providersOf(o: LlmNarratorOptions): LlmProviderOptions[] {
  if (o.providers !== undefined && o.providers.length > 0) return o.providers;
  if (o.baseURL === undefined) return [];
  return [{ baseURL: o.baseURL, model: o.model ?? '', apiKey: o.apiKey }];
}
