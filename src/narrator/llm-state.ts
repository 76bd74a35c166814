// The LLM narrator's saved state: the story memory (premise, running synopsis, a sheet of facts,
// recent turns verbatim) and what the game has spent. It travels as the game's narrator state,
// so a restart or a hot-swap resumes the memory exactly. No SDK import: the CLI reads it too.
import { z } from 'zod';
import type { JsonValue } from '../core/session-state.js';

export const SHEET_KINDS = ['characters', 'places', 'items', 'threads', 'players'] as const;
export type SheetKind = (typeof SHEET_KINDS)[number];

/** One thing the story must not forget: a character, place, item, open thread or player's role. */
export interface Fact {
  name: string;
  note: string;
  /** The player who named or introduced it ('' when none did). */
  by: string;
  /** The last turn whose folding mentioned it (older facts are dropped first when memory is full). */
  seen: number;
}

/** A closed turn kept verbatim until it is folded into the memory. */
export interface TurnNote {
  turn: number;
  /** The scene the players chose on. */
  scene: string;
  /** [player name, choice], in press order. */
  picks: Array<[string, string]>;
  decided: string | null;
  /** Tokens of this turn's prompt line (counted once, when the turn was added). */
  tokens: number;
}

export interface UsageTotals {
  prompt: number;
  completion: number;
  requests: number;
  /** Requests whose backend reported no usage, counted locally with the tokenizer instead. */
  estimated: number;
}

/** What one narration (turn 0 is the opening) spent, and which provider narrated it. */
interface TurnSpend {
  turn: number;
  provider: string;
  prompt: number;
  completion: number;
  requests: number;
}

export interface LlmState {
  v: 2;
  /** The whole premise the game was started with (player text). */
  premise: string;
  synopsis: string;
  sheet: Record<SheetKind, Fact[]>;
  /** Tokens of the memory's prompt line (synopsis + sheet), counted when it last changed. */
  memoryTokens: number;
  recent: TurnNote[];
  /** Summarising requests made for this game. */
  folds: number;
  /** After a failed summarising request, the turn before which none is tried again. */
  foldAfter: number;
  usage: UsageTotals;
  /** The most recent narrations' spend, oldest first (bounded by SPEND_LOG_LENGTH). */
  spend: TurnSpend[];
}

/** How many narrations' spend the state keeps (the per-game totals count them all). */
export const SPEND_LOG_LENGTH = 100;

const factSchema = z.object({
  name: z.string(),
  note: z.string(),
  by: z.string(),
  seen: z.number().int(),
});

const usageSchema = z.object({
  prompt: z.number().int().min(0),
  completion: z.number().int().min(0),
  requests: z.number().int().min(0),
  estimated: z.number().int().min(0),
});

const stateSchema = z.object({
  v: z.literal(2),
  premise: z.string(),
  synopsis: z.string(),
  sheet: z.object({
    characters: z.array(factSchema),
    places: z.array(factSchema),
    items: z.array(factSchema),
    threads: z.array(factSchema),
    players: z.array(factSchema),
  }),
  memoryTokens: z.number().int().min(0),
  recent: z.array(
    z.object({
      turn: z.number().int().min(0),
      scene: z.string(),
      picks: z.array(z.tuple([z.string(), z.string()])),
      decided: z.string().nullable(),
      tokens: z.number().int().min(0),
    }),
  ),
  folds: z.number().int().min(0),
  foldAfter: z.number().int().min(0).default(0),
  usage: usageSchema,
  spend: z.array(
    z.object({
      turn: z.number().int().min(0),
      provider: z.string(),
      prompt: z.number().int().min(0),
      completion: z.number().int().min(0),
      requests: z.number().int().min(0),
    }),
  ),
});

/** A state with nothing remembered yet. */
export function emptyState(premise: string): LlmState {
  return {
    v: 2,
    premise,
    synopsis: '',
    sheet: { characters: [], places: [], items: [], threads: [], players: [] },
    memoryTokens: 0,
    recent: [],
    folds: 0,
    foldAfter: 0,
    usage: { prompt: 0, completion: 0, requests: 0, estimated: 0 },
    spend: [],
  };
}

const legacySchema = z.object({ notes: z.array(z.string()) });

/**
 * Reads a saved state. A state saved before the memory existed ({notes}) becomes a synopsis of
 * its notes; anything unreadable starts an empty memory with the given premise (never a failure:
 * a broken memory must not stop the game).
 */
export function parseLlmState(state: unknown, premise: string): LlmState {
  const r = stateSchema.safeParse(state);
  if (r.success) return r.data;
  const legacy = legacySchema.safeParse(state);
  const s = emptyState(premise);
  if (legacy.success) s.synopsis = legacy.data.notes.join(' ');
  return s;
}

/** The JSON saved with the game (the state is plain data already). */
export function encodeLlmState(s: LlmState): JsonValue {
  return s as unknown as JsonValue;
}

/**
 * A copy that a turn may change without touching `s`: every array and object the narrator
 * mutates is copied (facts and turn notes are only ever replaced, never changed in place).
 */
export function copyState(s: LlmState): LlmState {
  return {
    ...s,
    sheet: {
      characters: [...s.sheet.characters],
      places: [...s.sheet.places],
      items: [...s.sheet.items],
      threads: [...s.sheet.threads],
      players: [...s.sheet.players],
    },
    recent: [...s.recent],
    usage: { ...s.usage },
    spend: [...s.spend],
  };
}

export interface GameSpend {
  prompt: number;
  completion: number;
  requests: number;
  /** The provider of the latest narration, or null before the first one. */
  lastProvider: string | null;
}

/** What an LLM game has spent, read from its saved narrator state; null for other narrators. */
export function llmSpendOf(narratorState: unknown): GameSpend | null {
  if (typeof narratorState !== 'object' || narratorState === null) return null;
  const v = (narratorState as { v?: unknown }).v;
  const usage = usageSchema.safeParse((narratorState as { usage?: unknown }).usage);
  if (v !== 2 || !usage.success) return null;
  const spend = (narratorState as { spend?: unknown }).spend;
  const last = Array.isArray(spend) ? (spend.at(-1) as { provider?: unknown } | undefined) : null;
  return {
    prompt: usage.data.prompt,
    completion: usage.data.completion,
    requests: usage.data.requests,
    lastProvider: typeof last?.provider === 'string' ? last.provider : null,
  };
}

/** 1234 → "1.2k", 2_500_000 → "2.5M": token counts for narrow columns. */
export function shortCount(n: number): string {
  if (n < 1000) return String(n);
  if (n < 1_000_000) return `${(n / 1000).toFixed(n < 10_000 ? 1 : 0)}k`;
  return `${(n / 1_000_000).toFixed(n < 10_000_000 ? 1 : 0)}M`;
}
