// Parsing and sanitising of LLM narrator replies: model output is untrusted, so every string is
// cleaned and capped and the reply is validated locally even when the backend promised a schema.
import { z } from 'zod';

export const LLM_SCENE_MAX_LENGTH = 4000;
export const LLM_CHOICE_MAX_LENGTH = 80;
export const LLM_SUMMARY_MAX_LENGTH = 300;
const MIN_CHOICES = 2;
const MAX_CHOICES = 6;
// A reply longer than this is a runaway generation: stop reading and treat it as malformed.
export const REPLY_MAX_CHARS = 32_000;

// ---------- text hygiene (model output is untrusted) ----------

// Zero-width, bidi and other format characters, private-use and unassigned code points, and
// fillers that render as blank. Emoji ZWJ sequences fall apart into their parts; acceptable.
const INVISIBLE = /[\p{Cf}\p{Co}\p{Cn}\u115F\u1160\u3164\uFFA0\u2800]/gu;

function cleanMultiline(s: string): string {
  return s
    .toWellFormed()
    .replace(/\r\n?|[\u2028\u2029]/g, '\n')
    .replace(INVISIBLE, '')
    .replace(/\t/g, ' ')
    .replace(/[^\P{Cc}\n]/gu, '')
    .replace(/\n{3,}/g, '\n\n');
}

export function cleanLine(s: string): string {
  return s
    .toWellFormed()
    .replace(INVISIBLE, '')
    .replace(/\p{Cc}|[\u2028\u2029]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

export function capLength(s: string, max: number): string {
  if (s.length <= max) return s;
  const cps = Array.from(s);
  return cps.length <= max ? s : `${cps.slice(0, max - 1).join('')}…`;
}

/** The final scene text: cleaned, trimmed, capped with an ellipsis. */
function cleanScene(raw: string): string {
  return capLength(cleanMultiline(raw).trim(), LLM_SCENE_MAX_LENGTH);
}

/**
 * A streamed prefix of the scene, shaped so that it is always a prefix of `cleanScene(full)`:
 * trailing whitespace is held back and the cap stops one short of the ellipsis.
 */
export function cleanScenePrefix(raw: string): string {
  const s = cleanMultiline(raw).trim();
  // A string has no more code points than UTF-16 units: short ones need no cut (every chunk).
  if (s.length < LLM_SCENE_MAX_LENGTH) return s;
  return Array.from(s)
    .slice(0, LLM_SCENE_MAX_LENGTH - 1)
    .join('');
}

// ---------- reply parsing ----------

const JSON_ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', b: '\b', f: '\f' };

/** Decodes the growing string value of the "scene" key from an unfinished JSON reply. */
export function partialSceneText(buf: string): string | null {
  const m = /"scene"\s*:\s*"/.exec(buf);
  if (!m) return null;
  let out = '';
  let i = m.index + m[0].length;
  while (i < buf.length && out.length <= LLM_SCENE_MAX_LENGTH * 2) {
    const c = buf[i] as string;
    if (c === '"') break;
    if (c !== '\\') {
      out += c;
      i++;
      continue;
    }
    const e = buf[i + 1];
    if (e === undefined) break;
    if (e === 'u') {
      const hex = buf.slice(i + 2, i + 6);
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) break; // escape still arriving
      out += String.fromCharCode(Number.parseInt(hex, 16));
      i += 6;
    } else {
      out += JSON_ESCAPES[e] ?? e;
      i += 2;
    }
  }
  // A high surrogate whose pair has not arrived yet would turn into U+FFFD when cleaned.
  return /[\uD800-\uDBFF]$/.test(out) ? out.slice(0, -1) : out;
}

const choiceSchema = z
  .string()
  .transform((s) => capLength(cleanLine(s), LLM_CHOICE_MAX_LENGTH))
  .pipe(z.string().min(1, 'each choice must be a non-empty string'));

const replySchema = z
  .object({
    scene: z.string().transform(cleanScene).pipe(z.string().min(1, 'must not be empty')),
    choices: z.array(choiceSchema).max(20).optional(),
    summary: z.string().optional(),
    ended: z.boolean().nullish(),
  })
  .superRefine((r, ctx) => {
    if (r.ended === true) return;
    const n = r.choices?.length ?? 0;
    if (n < MIN_CHOICES || n > MAX_CHOICES) {
      const message = `must hold ${MIN_CHOICES} to ${MAX_CHOICES} choices unless "ended" is true (got ${n})`;
      ctx.addIssue({ code: 'custom', path: ['choices'], message });
    }
    const seen = new Set((r.choices ?? []).map((c) => c.toLowerCase()));
    if (seen.size !== n)
      ctx.addIssue({ code: 'custom', path: ['choices'], message: 'choices must differ' });
  });

export interface NarratorReply {
  scene: string;
  choices: string[];
  summary: string;
  ended: boolean;
}

export type ParsedNarratorReply = { ok: true; value: NarratorReply } | { ok: false; error: string };

/** Finds the JSON object in a reply: bare, inside a ``` fence, or amid stray prose. */
function parseJsonObject(text: string): unknown {
  const t = text.trim().replace(/^```(?:json)?\s*|\s*```$/g, '');
  try {
    return JSON.parse(t);
  } catch (e) {
    const a = t.indexOf('{');
    const b = t.lastIndexOf('}');
    if (a >= 0 && b > a) return JSON.parse(t.slice(a, b + 1));
    throw e;
  }
}

export function parseNarratorReply(text: string): ParsedNarratorReply {
  let json: unknown;
  try {
    json = parseJsonObject(text);
  } catch {
    return { ok: false, error: 'the reply is not a JSON object' };
  }
  const r = replySchema.safeParse(json);
  if (!r.success) {
    const error = r.error.issues
      .map((i) => `${i.path.join('.') || 'reply'}: ${i.message}`)
      .join('; ');
    return { ok: false, error };
  }
  const { scene, choices = [], summary = '', ended } = r.data;
  const done = ended === true;
  const line = cleanLine(summary) || cleanLine(scene);
  return {
    ok: true,
    value: {
      scene,
      choices: done ? [] : choices,
      summary: capLength(line, LLM_SUMMARY_MAX_LENGTH),
      ended: done,
    },
  };
}
