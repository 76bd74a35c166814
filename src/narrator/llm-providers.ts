// Several OpenAI-compatible providers tried in order inside one narration's time budget: each
// attempt gets a share of what is left, a provider that times out, is rate limited (429), fails
// (5xx) or cannot be reached hands over to the next, and a Retry-After keeps it aside until then.
import OpenAI, {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
} from 'openai';
import { capLength, cleanLine } from './llm-reply.js';
import { NarratorError, type NarratorFailure } from './port.js';

export interface LlmProviderOptions {
  /** An OpenAI-compatible endpoint, usually ending in `/v1` (OpenAI, Ollama, llama.cpp, vLLM). */
  baseURL: string;
  model: string;
  apiKey?: string | undefined;
}

/** One configured endpoint; `structured` and `coolUntil` are learned while the process runs. */
export interface Provider {
  /** `model@host`: what the turn's spend records as its narrator (never a key or a path). */
  readonly label: string;
  readonly model: string;
  readonly client: OpenAI;
  /** Cleared after the backend rejects response_format, so later requests skip it. */
  structured: boolean;
  /** Cleared after the backend rejects stream_options (usage is then counted locally). */
  streamUsage: boolean;
  /** Which parameter carries the reply cap; newer OpenAI models refuse `max_tokens`. */
  tokenParam: 'max_tokens' | 'max_completion_tokens';
  /** Unix ms before which the provider asked not to be called (Retry-After). */
  coolUntil: number;
}

/** An HTTP failure of the backend; `status` is undefined for an error event inside a stream. */
export class NarratorHttpError extends NarratorError {
  readonly status: number | undefined;
  constructor(status: number | undefined, message: string, options?: { cause?: unknown }) {
    super('http', message, options);
    this.status = status;
  }
}

/** A reply that cannot be used (after its repair). */
export class MalformedReply extends Error {}

function providerLabel(p: LlmProviderOptions): string {
  let host = '?';
  try {
    host = new URL(p.baseURL).host;
  } catch {
    // validated by the config; a label is only informative
  }
  return `${p.model}@${host}`;
}

/**
 * The providers of one configuration, shared by every game's narrator (so a rate-limited provider
 * is set aside for all of them). Created by whoever builds the narrators, never module-level.
 */
export class ProviderPool {
  readonly providers: Provider[];

  constructor(list: readonly LlmProviderOptions[], fetch?: typeof globalThis.fetch) {
    this.providers = list.map((p) => ({
      label: providerLabel(p),
      model: p.model,
      structured: true,
      streamUsage: true,
      tokenParam: 'max_tokens' as const,
      coolUntil: 0,
      client: new OpenAI({
        baseURL: p.baseURL,
        // Local backends need no key, but the SDK insists on one (and would read OPENAI_API_KEY).
        apiKey: p.apiKey || 'no-key',
        organization: null,
        project: null,
        timeout: 60_000,
        maxRetries: 0, // retries and fallbacks are decided by withFallback, inside the budget
        ...(fetch ? { fetch } : {}),
      }),
    }));
  }

  /** Providers in the configured order, those cooling down after the rest (soonest first). */
  order(now: number): Provider[] {
    const ready = this.providers.filter((p) => p.coolUntil <= now);
    const cooling = this.providers
      .filter((p) => p.coolUntil > now)
      .sort((a, b) => a.coolUntil - b.coolUntil);
    return [...ready, ...cooling];
  }
}

// ---------- time ----------

/** One abort signal for a whole narration: the caller's signal or the time budget. */
export class Deadline {
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

  /** Waits `ms` unless the narration is cut short first. */
  sleep(ms: number): Promise<void> {
    const signal = this.controller.signal;
    return new Promise((resolve) => {
      if (signal.aborted) return resolve();
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        signal.removeEventListener('abort', done);
        resolve();
      }
      signal.addEventListener('abort', done, { once: true });
    });
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.outer?.removeEventListener('abort', this.onOuterAbort);
  }
}

/** One request's share of a Deadline: aborts when the share runs out or the narration ends. */
export class Attempt {
  readonly controller = new AbortController();
  readonly ms: number;
  private readonly timer: NodeJS.Timeout;
  private expiredFlag = false;
  private readonly onParentAbort = () => this.controller.abort();

  constructor(
    private readonly parent: Deadline,
    ms: number,
  ) {
    this.ms = Math.max(1, Math.floor(ms));
    this.timer = setTimeout(() => {
      this.expiredFlag = true;
      this.controller.abort();
    }, this.ms);
    const ps = parent.controller.signal;
    if (ps.aborted) this.controller.abort();
    else ps.addEventListener('abort', this.onParentAbort, { once: true });
  }

  /** True when this attempt's share ran out (the narration itself may go on). */
  expired(): boolean {
    return this.expiredFlag && this.parent.failure() === null;
  }

  /** The error if the attempt or the narration was cut short, else null. */
  failure(): NarratorError | null {
    const cut = this.parent.failure();
    if (cut) return cut;
    return this.expiredFlag ? new NarratorError('timeout', `no answer within ${this.ms} ms`) : null;
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.parent.controller.signal.removeEventListener('abort', this.onParentAbort);
  }
}

// ---------- errors ----------

/**
 * When a backend rejects an optional request parameter (400/422 naming it), stops sending it to
 * that provider and returns true: the request is repeated at once, and later ones skip it.
 */
export function adaptToRejection(p: Provider, e: unknown): boolean {
  if (!(e instanceof APIError) || (e.status !== 400 && e.status !== 422)) return false;
  if (p.structured && /response_format|json_schema|structured/i.test(e.message)) {
    p.structured = false;
    return true;
  }
  if (p.streamUsage && /stream_options|include_usage/i.test(e.message)) {
    p.streamUsage = false;
    return true;
  }
  if (p.tokenParam === 'max_tokens' && /max_tokens/i.test(e.message)) {
    p.tokenParam = 'max_completion_tokens';
    return true;
  }
  return false;
}

/** Maps any failure of a request to a NarratorError (the narration's cut wins). */
export function toNarratorError(e: unknown, cut: NarratorError | null): NarratorError {
  const fail = (f: NarratorFailure, m: string) => new NarratorError(f, m, { cause: e });
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

/** Whether the next provider (or a retry) may succeed where this one failed. */
function handsOver(e: NarratorError): boolean {
  if (e instanceof NarratorHttpError) {
    const s = e.status;
    return s === undefined || s === 408 || s === 409 || s === 429 || s >= 500;
  }
  return e.failure === 'timeout' || e.failure === 'unreachable' || e.failure === 'malformed';
}

/** Milliseconds a response asked to wait (Retry-After / retry-after-ms), or null. */
function retryAfterMs(e: unknown, now = Date.now()): number | null {
  if (!(e instanceof APIError) || !e.headers) return null;
  const ms = Number(e.headers.get('retry-after-ms'));
  if (e.headers.get('retry-after-ms') !== null && Number.isFinite(ms) && ms >= 0) return ms;
  const ra = e.headers.get('retry-after');
  if (ra === null) return null;
  const s = Number(ra);
  if (ra.trim() !== '' && Number.isFinite(s)) return Math.max(0, s * 1000);
  const at = Date.parse(ra);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

// ---------- the fallback loop ----------

export interface Fallback {
  deadline: Deadline;
  /** Extra tries of the last provider in the order (0 = none). */
  maxRetries: number;
  /** Fraction of the remaining budget this call may use (memory requests take less). */
  share?: number | undefined;
}

/**
 * Runs `request` with each provider in order until one succeeds. Each attempt gets an equal share
 * of the time left among the providers still to try; the last one may be retried (after its
 * Retry-After, else a short backoff) while the budget allows. Other 4xx answers and aborts fail
 * at once. Throws the last failure, naming every provider's when several were tried.
 */
export async function withFallback<T>(
  pool: ProviderPool,
  f: Fallback,
  request: (p: Provider, attempt: Attempt) => Promise<T>,
): Promise<{ value: T; provider: Provider }> {
  const { deadline } = f;
  const end = Date.now() + deadline.remaining() * (f.share ?? 1);
  const left = () => Math.max(1, Math.min(deadline.remaining(), end - Date.now()));
  const order = pool.order(Date.now());
  const failures: string[] = [];
  let last: NarratorError | null = null;
  for (let i = 0; i < order.length; i++) {
    const p = order[i] as Provider;
    const tries = i === order.length - 1 ? f.maxRetries + 1 : 1;
    for (let k = 0; k < tries; k++) {
      const wait = p.coolUntil - Date.now();
      if (wait > 0) {
        if (wait >= left()) {
          // Asked to wait past the budget: skip it.
          if (failures.length === 0)
            last = new NarratorHttpError(429, `${p.label} is rate limited for ${wait} ms more`);
          break;
        }
        await deadline.sleep(wait);
      }
      const cut = deadline.failure();
      if (cut) throw cut;
      const attempt = new Attempt(deadline, left() / (order.length - i));
      try {
        return { value: await request(p, attempt), provider: p };
      } catch (e) {
        const cutNow = deadline.failure();
        if (cutNow) throw cutNow;
        last = attempt.expired()
          ? new NarratorError('timeout', `${p.label} did not answer within ${attempt.ms} ms`, {
              cause: e,
            })
          : toNarratorError(e, null);
        if (!handsOver(last)) throw last;
        failures.push(`${p.label}: ${last.message}`);
        const ra = retryAfterMs(e);
        if (ra !== null) p.coolUntil = Date.now() + ra;
        if (last.failure === 'malformed') break; // it had its repair: only another model may do better
        if (k + 1 < tries && ra === null) {
          const backoff = 250 * 2 ** k;
          if (backoff >= left()) break;
          await deadline.sleep(backoff);
        }
      } finally {
        attempt.dispose();
      }
    }
    if (Date.now() >= end) break;
  }
  if (last === null) throw new NarratorError('unreachable', 'no provider could be asked in time');
  if (order.length > 1 && failures.length > 1) {
    const message = `every provider failed (${capLength(failures.join('; '), 600)})`;
    throw last instanceof NarratorHttpError
      ? new NarratorHttpError(last.status, message, { cause: last })
      : new NarratorError(last.failure, message, { cause: last });
  }
  throw last;
}
