import { z } from 'zod';
import { SessionDataError } from './errors.js';
import {
  CHOICE_MAX_LENGTH,
  checkSceneText,
  checkSummary,
  checkText,
  GAME_NAME_MAX_LENGTH,
  MAX_COUNTDOWN_SECONDS,
  MIN_COUNTDOWN_SECONDS,
  SCENE_CHOICES_MAX,
  USER_ID_MAX_LENGTH,
  USER_NAME_MAX_LENGTH,
} from './limits.js';

/**
 * Schemas of the serialised (snake_case, seed-compatible) dicts. Unknown keys are tolerated
 * (newer writers), missing optional keys take the seed's defaults (older writers, including
 * the seed's Python code). Object-shaped maps are read through Object.entries, so keys such as
 * `__proto__` stay ordinary keys and come out as ordered entry lists.
 */

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Map);
}

/** A text field checked with the same rules as live input. */
const text = (max: number) =>
  z.string().superRefine((v, ctx) => {
    try {
      checkText('value', v, max);
    } catch (e) {
      ctx.addIssue({ code: 'custom', message: (e as Error).message.replace(/^value: /, '') });
    }
  });

/** An object used as a map, read into ordered [key, value] entries with each value validated. */
function entriesOf<S extends z.ZodType>(value: S) {
  return z
    .custom<Record<string, unknown>>(isPlainObject, { message: 'must be an object' })
    .transform((obj, ctx) => {
      const out: Array<[string, z.output<S>]> = [];
      for (const [k, v] of Object.entries(obj)) {
        const r = value.safeParse(v);
        if (r.success) out.push([k, r.data]);
        else
          for (const issue of r.error.issues)
            ctx.issues.push({ ...issue, path: [k, ...issue.path] } as never);
      }
      return out;
    });
}

const keyOrder = z.array(z.string()).optional();
const unixSeconds = z.number().finite().nonnegative();
const unixMillis = z.number().finite().nonnegative();
const turnNumber = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

export const playerDictSchema = z.looseObject({
  user_id: text(USER_ID_MAX_LENGTH),
  user_name: text(USER_NAME_MAX_LENGTH),
  joined_turn: turnNumber.default(0),
});

export const turnRecordDictSchema = z.looseObject({
  turn: turnNumber,
  choices: entriesOf(text(CHOICE_MAX_LENGTH)),
  narrative_summary: z
    .string()
    .default('')
    .superRefine((v, ctx) => {
      try {
        checkSummary(v);
      } catch (e) {
        ctx.addIssue({ code: 'custom', message: (e as Error).message });
      }
    }),
  timestamp: unixSeconds,
  choice_order: keyOrder,
  // Absent in records written before it existed (and in the seed's).
  scene: z
    .looseObject({
      text: z.string().superRefine((v, ctx) => {
        try {
          checkSceneText(v);
        } catch (e) {
          ctx.addIssue({ code: 'custom', message: (e as Error).message });
        }
      }),
      choices: z.array(text(CHOICE_MAX_LENGTH)).max(SCENE_CHOICES_MAX),
    })
    .optional(),
});

const closedWindowSchema = z.looseObject({
  turn: turnNumber,
  choices: entriesOf(text(CHOICE_MAX_LENGTH)),
  choice_order: keyOrder,
});

export const sessionDictSchema = z.looseObject({
  schema_version: z.number().int().positive().optional(),
  game_id: text(128),
  game_name: z.union([z.literal(''), text(GAME_NAME_MAX_LENGTH)]).default(''),
  channel_id: text(128),
  active: z.boolean().default(false),
  turn_number: turnNumber.default(0),
  title_screen_url: z.string().max(2_000_000).default(''),
  players: entriesOf(playerDictSchema).default([]),
  pending_choices: entriesOf(text(CHOICE_MAX_LENGTH)).default([]),
  pending_order: keyOrder,
  countdown_seconds: z.number().min(MIN_COUNTDOWN_SECONDS).max(MAX_COUNTDOWN_SECONDS).optional(),
  window_deadline_ms: unixMillis.nullable().optional(),
  last_window: closedWindowSchema.nullable().optional(),
  extra: z
    .custom<Record<string, unknown>>(isPlainObject, { message: 'must be an object' })
    .optional(),
  created_at_ms: unixMillis.optional(),
  updated_at_ms: unixMillis.optional(),
});

/** Parses with a schema; any failure becomes SessionDataError naming the first bad field. */
export function parseDict<S extends z.ZodType>(
  schema: S,
  input: unknown,
  what: string,
): z.output<S> {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const field = issue && issue.path.length > 0 ? issue.path.map(String).join('.') : what;
  throw new SessionDataError(field, issue?.message ?? 'is malformed', { cause: r.error });
}

/** Applies an explicit key order (written by this package) to entries read from an object. */
export function applyOrder<T>(
  entries: Array<[string, T]>,
  order: string[] | undefined,
  field: string,
): Array<[string, T]> {
  if (order === undefined) return entries;
  const byKey = new Map(entries);
  if (
    order.length !== byKey.size ||
    new Set(order).size !== order.length ||
    !order.every((k) => byKey.has(k))
  ) {
    throw new SessionDataError(field, 'does not list exactly the keys it orders');
  }
  return order.map((k) => [k, byKey.get(k) as T]);
}

/** A plain object built from entries with defineProperty, so keys such as `__proto__` stay data. */
export function objectFromEntries<V>(entries: Iterable<readonly [string, V]>): Record<string, V> {
  const out: Record<string, V> = {};
  for (const [k, v] of entries) {
    // Only `__proto__` is an accessor on a plain object; every other key assigns as data.
    if (k === '__proto__')
      Object.defineProperty(out, k, {
        value: v,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    else out[k] = v;
  }
  return out;
}

/** True when the map's insertion order would not survive a round trip through a JS object. */
export function needsExplicitOrder(keys: Iterable<string>): boolean {
  const list = [...keys];
  const roundTrip = Object.keys(objectFromEntries(list.map((k) => [k, 0] as const)));
  return roundTrip.some((k, i) => k !== list[i]);
}
