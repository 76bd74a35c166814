import { InvalidInputError } from './errors.js';
import { checkChoice, checkSummary, checkUserId } from './limits.js';
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

  constructor(
    turn: number,
    choices: ChoicesInput,
    narrativeSummary = '',
    timestamp = Date.now() / 1000,
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
    return d;
  }

  /** Validates `d`; throws SessionDataError naming the bad field. */
  static fromDict(d: unknown): TurnRecord {
    const t = parseDict(turnRecordDictSchema, d, 'turnRecord');
    const entries = applyOrder(t.choices, t.choice_order, 'choice_order');
    return new TurnRecord(t.turn, new Map(entries), t.narrative_summary, t.timestamp);
  }
}
