import { z } from 'zod';
import { InvalidInputError, SessionDataError } from '../core/errors.js';
import type { JsonValue } from '../core/session-state.js';
import type { SceneText } from '../core/turn-record.js';
import type { Scene } from '../narrator/port.js';
import { OUTCOMES_READ_MAX, type Outcome } from './story.js';
import type { GameSpec } from './types.js';

// The host's saved state of a game (in `session.extra`): its shape, and its JSON form.

/**
 * What the host keeps in `session.extra` (saved with the game in the same store writes), so a
 * restart or a hot-swap resumes exactly: the spec, the scene on screen, the narrator's state.
 */
export interface HostExtra {
  spec: GameSpec;
  scene: Scene;
  narratorState: JsonValue;
  /** The turn stamp of `scene`'s buttons. A session turn beyond it means a closed window whose
   *  narration has not been recorded yet (its choices are the session's `lastWindow`). */
  sceneTurn: number;
  /** User id of the player who booted the game. */
  bootedBy: string | null;
  /** user id → the last closed window (turn) they pressed in; bounded to recent turns. Stored
   *  as pairs: user ids are untrusted and must never become object keys like `__proto__`. */
  lastPressed: Map<string, number>;
  /** A failed narration: the closed window's choices (ordered pairs), kept for retry. */
  unresolved: {
    turn: number;
    choices: Array<[string, string]>;
    decided: string | null;
    error: string;
  } | null;
  /** Cluster mode, 'host' aggregation: the closed window `turn` waits for `userId` to pick one
   *  of `options` (from any process); `choice` is set once they did. Null otherwise. */
  deciding: Deciding | null;
  /** What went to the narrator for the recent closed windows (see story.ts), oldest first. */
  outcomes: Outcome[];
  /** The scene shown at boot, before turn 1 (every later scene is kept with its turn record),
   *  so the story can be re-read from its start. Null in games saved before it was kept. */
  opening: SceneText | null;
  /** The X-card: the turn whose scene was set aside and is being written again (its window's
   *  choices are void), else null. Never who set it aside. */
  aside: number | null;
  /** Recent turns whose scene was set aside, oldest first (for the X-card's limit). */
  xcards: number[];
}

export interface Deciding {
  turn: number;
  userId: string;
  options: string[];
  choice: string | null;
}

const specSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('ink'), cartridge: z.string().min(1).max(64) }),
  z.object({ kind: z.literal('llm'), premise: z.string().max(4000).optional() }),
]);

export const sceneSchema = z.object({
  text: z.string(),
  choices: z.array(z.string()),
  ended: z.boolean(),
});

const extraSchema = z.object({
  spec: specSchema,
  scene: sceneSchema,
  // Already JSON (it comes out of the store's dict); the narrator validates its own state, and
  // re-walking a large ink state here would only cost time.
  narratorState: z.unknown(),
  sceneTurn: z.number().int().min(0),
  bootedBy: z.string().nullable(),
  lastPressed: z.array(z.tuple([z.string(), z.number().int()])),
  unresolved: z
    .object({
      turn: z.number().int().min(0),
      choices: z.array(z.tuple([z.string(), z.string()])),
      decided: z.string().nullable(),
      error: z.string(),
    })
    .nullable(),
  // Absent in games saved before it existed.
  deciding: z
    .object({
      turn: z.number().int().min(0),
      userId: z.string(),
      options: z.array(z.string()),
      choice: z.string().nullable(),
    })
    .nullable()
    .default(null),
  // Absent in games saved before it existed.
  outcomes: z
    .array(
      z.object({
        turn: z.number().int().min(0),
        rule: z.enum(['all', 'plurality', 'host']),
        sent: z.array(z.string()),
        aside: z.literal(true).optional(),
      }),
    )
    .max(OUTCOMES_READ_MAX)
    .default([]),
  // Absent in games saved before it existed.
  opening: z
    .object({ text: z.string(), choices: z.array(z.string()) })
    .nullable()
    .default(null),
  // Absent in games saved before the X-card existed.
  aside: z.number().int().min(0).nullable().default(null),
  xcards: z.array(z.number().int().min(0)).max(100).default([]),
});

/** The first problem zod found, as `path: message`. */
export function issue(e: z.ZodError): string {
  const first = e.issues[0];
  return first === undefined ? 'invalid' : `${first.path.join('.') || '(root)'}: ${first.message}`;
}

/** Validates a caller's game spec (InvalidInputError naming what is wrong). */
export function parseSpec(spec: unknown): GameSpec {
  const r = specSchema.safeParse(spec);
  if (!r.success) throw new InvalidInputError('spec', issue(r.error));
  const s = r.data;
  return s.kind === 'ink'
    ? { kind: 'ink', cartridge: s.cartridge }
    : s.premise === undefined
      ? { kind: 'llm' }
      : { kind: 'llm', premise: s.premise };
}

/** Reads the host's data from a saved game; SessionDataError for a game no GameHost made. */
export function parseHostExtra(extra: unknown): HostExtra {
  const r = extraSchema.safeParse(extra);
  if (!r.success)
    throw new SessionDataError('extra', `not a GameHost game (${issue(r.error)})`, {
      cause: r.error,
    });
  const d = r.data;
  return {
    ...d,
    outcomes: d.outcomes.map((o) => (o.aside === true ? { ...o, aside: true } : o)),
    spec: parseSpec(d.spec),
    narratorState: (d.narratorState ?? null) as JsonValue,
    lastPressed: new Map(d.lastPressed),
  };
}

/** The JSON form stored in `session.extra`. */
export function encodeHostExtra(x: HostExtra): Record<string, JsonValue> {
  return {
    spec: x.spec,
    scene: { text: x.scene.text, choices: [...x.scene.choices], ended: x.scene.ended },
    narratorState: x.narratorState,
    sceneTurn: x.sceneTurn,
    bootedBy: x.bootedBy,
    lastPressed: [...x.lastPressed].map(([id, t]) => [id, t]),
    unresolved:
      x.unresolved === null
        ? null
        : {
            ...x.unresolved,
            choices: x.unresolved.choices.map(([id, c]) => [id, c]),
          },
    ...(x.deciding === null
      ? {}
      : { deciding: { ...x.deciding, options: [...x.deciding.options] } }),
    outcomes: x.outcomes.map((o) => ({
      turn: o.turn,
      rule: o.rule,
      sent: [...o.sent],
      ...(o.aside === true ? { aside: true } : {}),
    })),
    ...(x.aside === null ? {} : { aside: x.aside }),
    ...(x.xcards.length === 0 ? {} : { xcards: [...x.xcards] }),
    opening: x.opening === null ? null : { text: x.opening.text, choices: [...x.opening.choices] },
  };
}
