// One simulated playthrough: what a crowd pressed each turn, and how the story answered. Shared by
// the fast direct mode (InkPlay, no saving between turns) and the GameHost mode (host-run.ts).
import type { InkPlay, InkStep } from '../narrator/ink.js';
import { InkRuntimeError, MAX_CHOICE_LABEL_LENGTH } from '../narrator/ink.js';
import { NarratorError } from '../narrator/port.js';
import type { Flow } from './source.js';

/** How the host turns a closed window into the choice ink follows. */
export type Mode = 'all' | 'plurality' | 'host';
export const MODES: readonly Mode[] = ['all', 'plurality', 'host'];

/** voter: presses one choice; fickle: may press again, changing their mind; absent: never. */
export type Persona = 'voter' | 'fickle' | 'absent';

export interface SimPlayer {
  id: string;
  name: string;
  persona: Persona;
}

export interface TurnLog {
  /** [player id, choice] in press order; a fickle player's later press replaces the first. */
  presses: [string, string][];
  /** The host's decided choice ('plurality' and 'host' modes), else null. */
  decided: string | null;
}

export type Outcome = 'ending' | 'dead-end' | 'error' | 'turn-limit';

interface Finding {
  kind: 'long-label' | 'too-many-choices';
  detail: string;
  where: string | null;
}

/** Everything needed to replay a playthrough (`--replay`), and what it found. */
export interface Playthrough {
  cartridge: string;
  run: number;
  mode: Mode;
  players: SimPlayer[];
  turns: TurnLog[];
  /** The labels the story followed, turn by turn. */
  path: string[];
  outcome: Outcome;
  /** The ending's name (`# ending: name`, else the knot it ended in). */
  ending: string | null;
  /** The knot or stitch where it ended, stopped or failed (`knot.stitch`), when known. */
  where: string | null;
  error: string | null;
  findings: Finding[];
  longestScene: { chars: number; where: string | null; start: string };
}

/** Discord shows at most this many choice buttons (src/discord/custom-id.ts). */
const DISCORD_MAX_BUTTONS = 24;

/** The flow (`knot` or `knot.stitch`) an ink path such as `knot.stitch.0.c-1` is in. */
function flowOf(path: string | null, flows: ReadonlySet<string>): string | null {
  if (path === null) return null;
  const parts = path.split('.');
  const knot = parts[0] ?? '';
  if (!flows.has(knot)) return null;
  const stitch = `${knot}.${parts[1] ?? ''}`;
  return flows.has(stitch) ? stitch : knot;
}

/** Builds a Playthrough from the steps and the failure of a run (either mode). */
export class Recorder {
  readonly result: Playthrough;
  readonly #flows: ReadonlySet<string>;

  constructor(base: Pick<Playthrough, 'cartridge' | 'run' | 'mode' | 'players'>, flows: Flow[]) {
    this.#flows = new Set(flows.map((f) => f.path));
    this.result = {
      ...base,
      turns: [],
      path: [],
      outcome: 'turn-limit',
      ending: null,
      where: null,
      error: null,
      findings: [],
      longestScene: { chars: 0, where: null, start: '' },
    };
  }

  /** The knot or stitch of the latest container in `trail` that is one (not a function). */
  flow(trail: readonly string[]): string | null {
    for (let i = trail.length - 1; i >= 0; i--) {
      const flow = flowOf(trail[i] ?? null, this.#flows);
      if (flow !== null) return flow;
    }
    return null;
  }

  /** A scene the story produced. Returns true when the playthrough is over. */
  step(step: InkStep): boolean {
    const r = this.result;
    const where = this.flow(step.trail);
    const chars = step.scene.text.length;
    if (chars > r.longestScene.chars)
      r.longestScene = { chars, where, start: step.scene.text.slice(0, 60) };
    if (step.scene.choices.length > DISCORD_MAX_BUTTONS)
      r.findings.push({
        kind: 'too-many-choices',
        detail: `${step.scene.choices.length} choices; Discord shows ${DISCORD_MAX_BUTTONS}`,
        where,
      });
    if (step.stop === 'choices') return false;
    const tag = step.tags.map(parseTag).find((t) => t.key === 'ending');
    r.where = where;
    if (step.stop === 'end' || tag !== undefined) {
      r.outcome = 'ending';
      r.ending = tag?.value || where || 'END';
    } else {
      r.outcome = 'dead-end';
    }
    return true;
  }

  /** A failed turn: an ink runtime error, an unusable choice, or ink running out of content. */
  fail(error: unknown, play: InkPlay | null): void {
    const r = this.result;
    const cause = error instanceof NarratorError ? error.cause : undefined;
    if (cause instanceof InkRuntimeError) {
      r.where = this.flow(cause.trail);
      if (cause.outOfContent) {
        r.outcome = 'dead-end';
        return;
      }
    }
    r.where ??= this.flow(play?.trail ?? []);
    r.outcome = 'error';
    r.error = error instanceof Error ? error.message : String(error);
    for (const o of play?.offered() ?? []) {
      if ([...o.label].length > MAX_CHOICE_LABEL_LENGTH)
        r.findings.push({
          kind: 'long-label',
          detail: `${[...o.label].length} characters (Discord buttons hold ${MAX_CHOICE_LABEL_LENGTH}): ${o.label}`,
          where: r.where,
        });
    }
  }
}

function parseTag(tag: string): { key: string; value: string } {
  const colon = tag.indexOf(':');
  return {
    key: (colon < 0 ? tag : tag.slice(0, colon)).trim().toLowerCase(),
    value: colon < 0 ? '' : tag.slice(colon + 1).trim(),
  };
}

/** Knots and stitches the live story has visited. */
export function visitedFlows(play: InkPlay, flows: Flow[]): string[] {
  const out: string[] = [];
  for (const f of flows) {
    try {
      if ((play.story.state.VisitCountAtPathString(f.path) ?? 0) > 0) out.push(f.path);
    } catch {
      // A name the index took for a knot that ink does not know: not a place to report.
    }
  }
  return out;
}
