// Story memory of the LLM narrator: token counting, the data lines that carry the premise, the
// memory and recent turns, prompt assembly to a token budget, and folding older turns into the
// synopsis and sheet with the answer of a summarising request.
import { countTokens, decode, encode } from 'gpt-tokenizer/encoding/cl100k_base';
import { z } from 'zod';
import { jsonText } from '../core/format.js';
import { capLength, cleanLine } from './llm-reply.js';
import {
  type Fact,
  type LlmState,
  SHEET_KINDS,
  type SheetKind,
  type TurnNote,
} from './llm-state.js';

/** Turns always kept verbatim after a fold (when they fit the budget). */
export const KEEP_RECENT = 6;
/** After a failed summarising request, this many turns pass before the next one. */
export const FOLD_BACKOFF = 4;
/** Unfolded turns kept at most (reached only when summarising keeps failing; oldest dropped). */
export const MAX_UNFOLDED = 64;
/** A summarising request folds this many turns once KEEP_RECENT + FOLD_EVERY are waiting. */
export const FOLD_EVERY = 8;
/** The memory (synopsis + sheet) may take at most this share of the prompt budget. */
export const MEMORY_SHARE = 0.35;
/** Tokens the chat format adds per message, and once per request (OpenAI's published rule). */
const PER_MESSAGE = 4;
const PER_REQUEST = 3;

const PLAIN = { disallowedSpecial: new Set<string>() };

/**
 * Counts tokens with the cl100k_base encoding (gpt-tokenizer: bundled, no download). Special
 * tokens in player text count as plain text, never as control tokens.
 */
export class TokenCounter {
  private readonly fixed = new Map<string, number>();

  count(text: string): number {
    return text === '' ? 0 : countTokens(text, PLAIN);
  }

  /** For texts that repeat every request (system prompts, frames): counted once. */
  countFixed(text: string): number {
    let n = this.fixed.get(text);
    if (n === undefined) {
      n = this.count(text);
      if (this.fixed.size < 64) this.fixed.set(text, n);
    }
    return n;
  }

  /** The longest prefix of `text` within `max` tokens (an ellipsis marks a cut). */
  clip(text: string, max: number): string {
    const tokens = encode(text, PLAIN);
    if (tokens.length <= max) return text;
    return `${decode(tokens.slice(0, Math.max(0, max - 1)))}…`;
  }

  /** Tokens of a chat request whose messages' contents count `contents` tokens each. */
  static request(contents: readonly number[]): number {
    return contents.reduce((a, n) => a + n + PER_MESSAGE, PER_REQUEST);
  }
}

// ---------- data lines (player text, always JSON-escaped inside the nonce-delimited block) ----------

export function gameLine(gameName: string, premise: string): string {
  return jsonText(
    premise === ''
      ? { game: gameName || 'Untitled game' }
      : { game: gameName || 'Untitled game', premise },
  );
}

export function turnLine(n: Omit<TurnNote, 'tokens'>): string {
  return jsonText({
    earlier_turn: n.turn,
    scene: n.scene,
    picks: n.picks.map(([player, choice]) => ({ player, choice })),
    ...(n.decided === null ? {} : { group_decision: n.decided }),
  });
}

function factView(f: Fact): Record<string, string> {
  return f.by === ''
    ? { name: f.name, note: f.note }
    : { name: f.name, note: f.note, named_by: f.by };
}

/** The memory line, or '' while nothing is remembered. */
export function memoryLine(s: LlmState): string {
  const memory: Record<string, unknown> = {};
  if (s.synopsis !== '') memory.synopsis = s.synopsis;
  for (const kind of SHEET_KINDS) {
    const facts = s.sheet[kind];
    if (facts.length > 0) memory[kind] = facts.map(factView);
  }
  return Object.keys(memory).length === 0 ? '' : jsonText({ memory });
}

// ---------- budget ----------

export interface Line {
  text: string;
  tokens: number;
}

/** Joins lines, counting one token per newline on top of each line's own count (an upper bound:
 *  a newline can only merge into the token before it). */
export function joinLines(lines: readonly Line[]): Line {
  return {
    text: lines.map((l) => l.text).join('\n'),
    tokens: lines.reduce((a, l) => a + l.tokens, 0) + Math.max(0, lines.length - 1),
  };
}

/**
 * Which recent turns fit: the newest ones whose lines fit in `room` tokens (each line also
 * costs its newline). Returns how many of the newest turns are included.
 */
export function recentThatFit(recent: readonly TurnNote[], room: number): number {
  let used = 0;
  let n = 0;
  for (let i = recent.length - 1; i >= 0; i--) {
    const cost = (recent[i] as TurnNote).tokens + 1;
    if (used + cost > room) break;
    used += cost;
    n++;
  }
  return n;
}

/**
 * How many of the oldest recent turns the next fold should take (0 = no fold due): all but the
 * newest KEEP_RECENT once KEEP_RECENT + FOLD_EVERY wait; when some no longer fit the budget, all
 * but half of those that fit, so that the next fold is again a few turns away.
 */
export function turnsToFold(recent: readonly TurnNote[], fitting: number): number {
  if (fitting < recent.length)
    return recent.length - Math.floor(Math.min(fitting, KEEP_RECENT) / 2);
  if (recent.length >= KEEP_RECENT + FOLD_EVERY) return recent.length - KEEP_RECENT;
  return 0;
}

// ---------- the summarising reply ----------

const NAME_MAX = 60;
const NOTE_MAX = 200;
const SYNOPSIS_MAX_CHARS = 4000;

const line = (max: number) =>
  z
    .string()
    .catch('')
    .transform((s) => capLength(cleanLine(s), max));

const factReply = z.object({
  name: line(NAME_MAX),
  note: line(NOTE_MAX).optional(),
  named_by: line(NAME_MAX).optional(),
  drop: z.boolean().catch(false).optional(),
});

const listReply = z.array(z.unknown()).max(100).catch([]).optional();

const memoryReplySchema = z.object({
  synopsis: z.string(),
  characters: listReply,
  places: listReply,
  items: listReply,
  threads: listReply,
  players: listReply,
});

export interface MemoryUpdate {
  synopsis: string;
  facts: Record<SheetKind, Array<{ name: string; note: string; by: string; drop: boolean }>>;
}

/** Parses a summarising reply (untrusted): every string cleaned and capped; bad entries skipped. */
export function parseMemoryReply(text: string): MemoryUpdate | null {
  let json: unknown;
  try {
    const t = text.trim().replace(/^```(?:json)?\s*|\s*```$/g, '');
    json = JSON.parse(t.slice(t.indexOf('{'), t.lastIndexOf('}') + 1));
  } catch {
    return null;
  }
  const r = memoryReplySchema.safeParse(json);
  if (!r.success) return null;
  const synopsis = capLength(cleanLine(r.data.synopsis), SYNOPSIS_MAX_CHARS);
  const facts = {} as MemoryUpdate['facts'];
  for (const kind of SHEET_KINDS) {
    facts[kind] = [];
    for (const raw of r.data[kind] ?? []) {
      const f = factReply.safeParse(raw);
      if (!f.success || f.data.name === '') continue;
      facts[kind].push({
        name: f.data.name,
        note: f.data.note ?? '',
        by: f.data.named_by ?? '',
        drop: f.data.drop === true,
      });
    }
  }
  return { synopsis, facts };
}

/** Eviction order: facts players named and players' roles go last, then the least recently seen. */
function evictionRank(kind: SheetKind, f: Fact): number {
  return (kind === 'players' ? 2e9 : 0) + (f.by !== '' ? 1e9 : 0) + f.seen;
}

/**
 * Folds a summarising reply into the state (in place): the synopsis is replaced, facts are
 * merged by name (new ones added, changed ones updated, dropped ones removed, the rest kept), and
 * the memory is trimmed to `maxTokens` (oldest unnamed facts first, then the synopsis' start).
 */
export function applyMemory(
  s: LlmState,
  u: MemoryUpdate,
  turn: number,
  maxTokens: number,
  counter: TokenCounter,
): void {
  if (u.synopsis !== '') s.synopsis = u.synopsis;
  for (const kind of SHEET_KINDS) {
    const list = s.sheet[kind];
    for (const f of u.facts[kind]) {
      const key = f.name.toLowerCase();
      const at = list.findIndex((x) => x.name.toLowerCase() === key);
      if (f.drop) {
        if (at >= 0) list.splice(at, 1);
        continue;
      }
      if (at < 0) {
        list.push({ name: f.name, note: f.note, by: f.by, seen: turn });
      } else {
        const old = list[at] as Fact;
        list[at] = { name: old.name, note: f.note || old.note, by: old.by || f.by, seen: turn };
      }
    }
  }
  trimMemory(s, maxTokens, counter);
}

/** Trims the memory to `maxTokens` and records its size. */
function trimMemory(s: LlmState, maxTokens: number, counter: TokenCounter): void {
  // The synopsis may use at most half of the memory's share.
  const synTokens = counter.count(s.synopsis);
  if (synTokens > maxTokens / 2) {
    const tokens = encode(s.synopsis, { disallowedSpecial: new Set() });
    s.synopsis = `…${decode(tokens.slice(tokens.length - Math.floor(maxTokens / 2) + 1))}`;
  }
  let n = counter.count(memoryLine(s));
  while (n > maxTokens) {
    let worst: { kind: SheetKind; index: number; rank: number } | null = null;
    for (const kind of SHEET_KINDS) {
      s.sheet[kind].forEach((f, index) => {
        const rank = evictionRank(kind, f);
        if (worst === null || rank < worst.rank) worst = { kind, index, rank };
      });
    }
    if (worst === null) break;
    const w: { kind: SheetKind; index: number } = worst;
    s.sheet[w.kind].splice(w.index, 1);
    n = counter.count(memoryLine(s));
  }
  s.memoryTokens = n;
}

/** A closed turn as kept in the state, its prompt line counted once. */
export function makeTurnNote(n: Omit<TurnNote, 'tokens'>, counter: TokenCounter): TurnNote {
  return { ...n, tokens: counter.count(turnLine(n)) };
}
