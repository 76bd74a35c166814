// Multiplayer building blocks for ink authors: what the story can read about the group before each
// continue (ink variables and external functions), and the choice tags that depend on the group.
// Documented for authors in docs/cartridges.md.
import type { Story } from 'inkjs/engine/Story';
import { type OpeningInput, pluralityChoice, type TurnInput } from './port.js';

/** A player who pressed in one of the last ACTIVE_WINDOWS closed windows counts as active (the
 *  host's early-close rule uses the same span). */
export const ACTIVE_WINDOWS = 3;

/** What the story knows about the group when it continues. */
export interface Crowd {
  /** Display names of the active players: this window's voters first (first-press order). */
  players: string[];
  /** user id → choice in the window that just closed, first-press order; empty at the opening. */
  presses: ReadonlyMap<string, string>;
  /** user id → display name. */
  names: ReadonlyMap<string, string>;
  /** The choice the story follows; '' at the opening. */
  chosen: string;
  /** The user id of the player who booted the game, when the host passes it. */
  bootedBy: string | null;
}

/** The ink variables the narrator sets before each continue, when the story declares them. */
const CROWD_VARIABLES = [
  'gg_players',
  'gg_voters',
  'gg_votes',
  'gg_unanimous',
  'gg_chosen',
  'gg_choosers',
  'gg_others',
  'gg_booter',
] as const;

/** "Alice", "Alice and Bob", "Alice, Bob and Carol"; '' for nobody. */
export function nameList(names: readonly string[]): string {
  if (names.length <= 1) return names[0] ?? '';
  return `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}

/** The crowd of a new game: nobody has pressed yet (the story sees one player, the booter). */
export function openingCrowd(input: OpeningInput): Crowd {
  return {
    players: [],
    presses: new Map(),
    names: new Map(),
    chosen: '',
    bootedBy: input.bootedBy ?? null,
  };
}

/** What turnCrowd reads of a TurnInput (the cartridge test builds it without a session). */
export type CrowdInput = Pick<TurnInput, 'turn' | 'choices' | 'playerNames' | 'bootedBy'> & {
  history: readonly { turn: number; choices: ReadonlyMap<string, string> }[];
};

/** The crowd after a closed window: active players from this window and the recent history. */
export function turnCrowd(input: CrowdInput, chosen: string): Crowd {
  const ids: string[] = [...input.choices.keys()];
  const seen = new Set(ids);
  // History is oldest first: walk it newest first so recent voters come earlier.
  for (let i = input.history.length - 1; i >= 0; i--) {
    const record = input.history[i];
    if (record === undefined || record.turn < input.turn - ACTIVE_WINDOWS) continue;
    for (const id of record.choices.keys()) {
      if (!seen.has(id)) {
        seen.add(id);
        ids.push(id);
      }
    }
  }
  return {
    players: ids.map((id) => input.playerNames.get(id) ?? id),
    presses: input.choices,
    names: input.playerNames,
    chosen,
    bootedBy: input.bootedBy ?? null,
  };
}

/** How many players the story sees: the active ones, and never fewer than one (the booter). */
export function playerCount(crowd: Crowd): number {
  return Math.max(1, crowd.players.length);
}

function namesWho(crowd: Crowd, pred: (choice: string) => boolean): string[] {
  const out: string[] = [];
  for (const [id, choice] of crowd.presses) if (pred(choice)) out.push(crowd.names.get(id) ?? id);
  return out;
}

/** Sets every crowd variable the story declares (undeclared ones are left alone). */
export function setCrowdVariables(story: Story, crowd: Crowd): void {
  const vars = story.variablesState;
  const votes = namesWho(crowd, (c) => c === crowd.chosen);
  const values: Record<(typeof CROWD_VARIABLES)[number], string | number | boolean> = {
    gg_players: playerCount(crowd),
    gg_voters: crowd.presses.size,
    gg_votes: votes.length,
    gg_unanimous: crowd.presses.size > 0 && votes.length === crowd.presses.size,
    gg_chosen: crowd.chosen,
    gg_choosers: nameList(votes),
    gg_others: nameList(namesWho(crowd, (c) => c !== crowd.chosen)),
    gg_booter:
      crowd.bootedBy === null ? '' : (crowd.names.get(crowd.bootedBy) ?? crowd.players[0] ?? ''),
  };
  for (const name of CROWD_VARIABLES) {
    if (vars.GlobalVariableExistsWithName(name)) vars.$(name, values[name]);
  }
}

/** Binds the crowd functions; `current` is read on every call, so one binding serves all turns. */
export function bindCrowdFunctions(story: Story, current: () => Crowd): void {
  story.BindExternalFunction(
    'votes',
    (label: unknown) => namesWho(current(), (c) => c === String(label)).length,
    true,
  );
  story.BindExternalFunction(
    'choice_of',
    (name: unknown) => {
      const crowd = current();
      for (const [id, choice] of crowd.presses)
        if ((crowd.names.get(id) ?? id) === String(name)) return choice;
      return '';
    },
    true,
  );
  story.BindExternalFunction(
    'player',
    (n: unknown) => current().players[Math.trunc(Number(n)) - 1] ?? '',
    true,
  );
}

/** What a choice's tags ask of the group. */
export interface ChoiceRule {
  /** `# min_players: N`: shown only when at least N players are active (1 = always). */
  minPlayers: number;
  /** `# booter`: only the press of the player who booted the game counts for it. */
  booterOnly: boolean;
}

/** Reads a choice's tags; unknown tags are ignored (they may be for the author's own tools). */
export function choiceRule(tags: readonly string[] | null | undefined): ChoiceRule {
  const rule: ChoiceRule = { minPlayers: 1, booterOnly: false };
  for (const tag of tags ?? []) {
    const colon = tag.indexOf(':');
    const key = (colon < 0 ? tag : tag.slice(0, colon)).trim().toLowerCase();
    const value = colon < 0 ? '' : tag.slice(colon + 1).trim();
    if (key === 'booter') rule.booterOnly = true;
    if (key === 'min_players' && /^\d+$/.test(value)) rule.minPlayers = Number(value);
  }
  return rule;
}

/**
 * The choice the story follows after a closed window. Presses of a booter-only choice by other
 * players do not count (when the host says who booted). The host's decided choice stands unless
 * it is such a press; otherwise the plurality of the presses that count; with none, the first
 * offered choice that is not booter-only.
 */
export function followedChoice(
  input: Pick<TurnInput, 'choices' | 'decidedChoice' | 'bootedBy'>,
  offered: readonly { label: string; rule: ChoiceRule }[],
): string | null {
  const booterOnly = new Set(offered.filter((o) => o.rule.booterOnly).map((o) => o.label));
  const bootedBy = input.bootedBy ?? null;
  if (bootedBy === null || booterOnly.size === 0)
    return input.decidedChoice ?? pluralityChoice(input.choices);
  const counted = new Map<string, string>();
  for (const [id, choice] of input.choices)
    if (!booterOnly.has(choice) || id === bootedBy) counted.set(id, choice);
  const decided = input.decidedChoice;
  if (decided !== null && (!booterOnly.has(decided) || counted.get(bootedBy) === decided))
    return decided;
  return pluralityChoice(counted) ?? offered.find((o) => !o.rule.booterOnly)?.label ?? decided;
}
