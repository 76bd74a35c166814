import { GameSessionError } from '../core/errors.js';
import type { JsonValue } from '../core/session-state.js';
import type { TurnRecord } from '../core/turn-record.js';

/** What players see: narrator text and the buttons they may press. All of it is untrusted text. */
export interface Scene {
  text: string;
  /** Button labels, in order. Empty when the story has ended. */
  choices: string[];
  /** True when the story is over (no further turns). */
  ended: boolean;
}

export interface NarrationResult {
  scene: Scene;
  /** One line saying what happened this turn; becomes the TurnRecord's narrative summary. */
  summary: string;
  /** Narrator state saved with the game (an ink story's JSON state; an LLM's running notes). */
  state: JsonValue;
}

export interface OpeningInput {
  gameId: string;
  gameName: string;
  signal?: AbortSignal | undefined;
  /** Receives scene text as it is produced (streaming narrators); optional. */
  onText?: ((delta: string) => void) | undefined;
  /** The user id of the player who booted the game, when the host knows it (ink cartridges'
   *  `# booter` choices and `gg_booter` variable use it). */
  bootedBy?: string | null | undefined;
}

export interface TurnInput extends OpeningInput {
  /** The turn that just closed (the session's turn number before the close). */
  turn: number;
  /** The scene the choices were made on. */
  scene: Scene;
  /** user id → choice, in first-press order. */
  choices: ReadonlyMap<string, string>;
  /** user id → display name. */
  playerNames: ReadonlyMap<string, string>;
  /** The synthetic user message (GameSession.formatChoicesAsInput) for text narrators. */
  input: string;
  /** The choice the host settled on (plurality or host-decides modes), or null (all choices). */
  decidedChoice: string | null;
  /** Recent turns, oldest first. */
  history: readonly TurnRecord[];
  /** The state returned by the previous call. */
  state: JsonValue;
}

/** The X-card: the players set the scene on screen aside; the narrator writes another. */
export interface RewriteInput extends OpeningInput {
  /** The turn stamp of the scene set aside. */
  turn: number;
  /** The scene set aside: its replacement steers away from what it contained. */
  scene: Scene;
  /** user id → display name. */
  playerNames: ReadonlyMap<string, string>;
  /** Recent turns, oldest first. */
  history: readonly TurnRecord[];
  /** The state saved with the scene set aside. */
  state: JsonValue;
}

/** Produces scenes. Implementations: ink cartridges (offline), OpenAI-compatible LLMs. */
export interface Narrator {
  /** The game's display name when the player gives none (an ink cartridge's title). */
  readonly title?: string;
  /** The opening scene of a new game. */
  open(input: OpeningInput): Promise<NarrationResult>;
  /** The next scene, given the choices of the turn that closed. */
  next(input: TurnInput): Promise<NarrationResult>;
  /**
   * The X-card: a scene in place of the one set aside, steering away from it (an LLM writes a
   * new one; an ink story steps back to the previous choice point). A narrator without it
   * offers no X-card.
   */
  rewrite?(input: RewriteInput): Promise<NarrationResult>;
  /** Whether the scene saved with `state` can be rewritten (an ink story keeps one step back;
   *  the opening scene has none). Absent: whenever `rewrite` exists. */
  canRewrite?(state: JsonValue): boolean;
}

export type NarratorFailure =
  | 'timeout'
  | 'aborted'
  | 'malformed'
  | 'http'
  | 'unreachable'
  | 'story'
  /** The game reached its token cap (NarratorBudgetError): paused until the cap is raised. */
  | 'budget';

/** The narrator could not produce a scene. The turn can be retried; nothing was recorded. */
export class NarratorError extends GameSessionError {
  readonly failure: NarratorFailure;
  constructor(failure: NarratorFailure, message: string, options?: { cause?: unknown }) {
    super('NARRATOR', message, options);
    this.failure = failure;
  }
}

/**
 * The most chosen option; ties go to the option first pressed. Used by the plurality mode and by
 * narrators that can follow only one branch (ink).
 */
export function pluralityChoice(choices: ReadonlyMap<string, string>): string | null {
  const counts = new Map<string, number>();
  for (const c of choices.values()) counts.set(c, (counts.get(c) ?? 0) + 1);
  let best: string | null = null;
  let bestCount = 0;
  for (const [c, n] of counts) {
    if (n > bestCount) {
      best = c;
      bestCount = n;
    }
  }
  return best;
}
