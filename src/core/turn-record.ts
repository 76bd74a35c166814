import { InvalidInputError } from './errors.js';
import {
  checkChoice,
  checkSceneText,
  checkSummary,
  checkUserId,
  SCENE_CHOICES_MAX,
} from './limits.js';
import {
  applyOrder,
  needsExplicitOrder,
  objectFromEntries,
  parseDict,
  turnRecordDictSchema,
} from './schema.js';

/** Choices as callers may pass them: a Map, or a plain object of user id → choice. */
export type ChoicesInput = ReadonlyMap<string, string> | Readonly<Record<string, string>>;

/** The serialised form of a turn (the seed's field names; `timestamp` in Unix seconds). */
export interface TurnRecordDict {
  turn: number;
  choices: Record<string, string>;
  narrative_summary: string;
  timestamp: number;
  /** Written only when the choices' order would not survive a JSON object (integer-like ids). */
  choice_order?: string[];
  /** The scene the narrator showed after this turn, so the story can be re-read. Absent in
   *  records written before it existed and by callers that pass none (the seed's format). */
  scene?: { text: string; choices: string[] };
}

/** A scene's text and choices, as a turn record keeps it (the story's re-readable part). */
export interface SceneText {
  text: string;
  choices: string[];
}

/** Validates a caller's scene (InvalidInputError naming the bad field); returns a copy. */
function toSceneText(scene: unknown): SceneText {
  if (typeof scene !== 'object' || scene === null)
    throw new InvalidInputError('scene', 'must be an object with text and choices');
  const { text, choices } = scene as { text?: unknown; choices?: unknown };
  if (!Array.isArray(choices)) throw new InvalidInputError('scene.choices', 'must be an array');
  if (choices.length > SCENE_CHOICES_MAX)
    throw new InvalidInputError('scene.choices', `must hold at most ${SCENE_CHOICES_MAX} choices`);
  return { text: checkSceneText(text), choices: choices.map((c) => checkChoice(c)) };
}

/** Reads and validates caller-supplied choices into an ordered Map (a copy). */
export function toChoiceMap(choices: ChoicesInput): Map<string, string> {
  const entries =
    choices instanceof Map
      ? [...choices.entries()]
      : typeof choices === 'object' && choices !== null
        ? Object.entries(choices)
        : null;
  if (entries === null) throw new InvalidInputError('choices', 'must be a Map or an object');
  const out = new Map<string, string>();
  for (const [k, v] of entries) out.set(checkUserId(k), checkChoice(v));
  return out;
}

/** Serialises an ordered choice map as `{choices, order?}` for a dict. */
export function choicesToDict(m: ReadonlyMap<string, string>): {
  choices: Record<string, string>;
  order?: string[];
} {
  const choices = objectFromEntries(m.entries());
  return needsExplicitOrder(m.keys()) ? { choices, order: [...m.keys()] } : { choices };
}

/** A single turn in the game history. */
export class TurnRecord {
  readonly turn: number;
  readonly choices: Map<string, string>;
  readonly narrativeSummary: string;
  /** Unix time in seconds (a float), as in the seed. */
  readonly timestamp: number;
  /** The scene shown after this turn, or null (not kept: an older record, or none was given). */
  readonly scene: SceneText | null;

  constructor(
    turn: number,
    choices: ChoicesInput,
    narrativeSummary = '',
    timestamp = Date.now() / 1000,
    scene: SceneText | null = null,
  ) {
    if (!Number.isSafeInteger(turn) || turn < 0)
      throw new InvalidInputError('turn', 'must be a non-negative integer');
    if (!Number.isFinite(timestamp) || timestamp < 0) {
      throw new InvalidInputError('timestamp', 'must be a non-negative number of seconds');
    }
    this.turn = turn;
    this.choices = toChoiceMap(choices);
    this.narrativeSummary = checkSummary(narrativeSummary);
    this.timestamp = timestamp;
    this.scene = scene === null ? null : toSceneText(scene);
  }

  toDict(): TurnRecordDict {
    const { choices, order } = choicesToDict(this.choices);
    const d: TurnRecordDict = {
      turn: this.turn,
      choices,
      narrative_summary: this.narrativeSummary,
      timestamp: this.timestamp,
    };
    if (order) d.choice_order = order;
    if (this.scene !== null) d.scene = { text: this.scene.text, choices: [...this.scene.choices] };
    return d;
  }

  /** Validates `d`; throws SessionDataError naming the bad field. */
  static fromDict(d: unknown): TurnRecord {
    const t = parseDict(turnRecordDictSchema, d, 'turnRecord');
    const entries = applyOrder(t.choices, t.choice_order, 'choice_order');
    return new TurnRecord(
      t.turn,
      new Map(entries),
      t.narrative_summary,
      t.timestamp,
      t.scene ?? null,
    );
  }
}
