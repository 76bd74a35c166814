import { cleanSceneText } from '../core/limits.js';
import type { PlayerState } from '../core/player-state.js';
import type { SceneText, TurnRecord } from '../core/turn-record.js';
import { pluralityChoice, type Scene } from '../narrator/port.js';

// What the group decided and what happened: the reveal of a closed window (the tally, the
// choice(s) that went to the narrator and how a tie was settled) and the turns of the story
// with players' names, as every console shows them. Pure functions of the saved game, so a
// reload, a late join or another process draws the same.

/** How a closed window's choices reach the narrator (a channel setting, see ChannelSettings). */
export type Aggregation = 'all' | 'plurality' | 'host';

export interface TallyEntry {
  choice: string;
  count: number;
  /** Who chose it, in press order. */
  names: string[];
}

/** A closed window as everyone sees it. */
export interface Reveal {
  /** The window's turn stamp (its history record is numbered `turn + 1`). */
  turn: number;
  rule: Aggregation;
  /** Most chosen first; equal counts in the order of their first press. */
  tally: TallyEntry[];
  /** The choice(s) the narrator follows; null while the host has not decided yet. */
  sent: string[] | null;
  /** The X-card set the window's scene aside: its choices (if any) were void, nothing went to
   *  the narrator, and the narrator wrote the scene again. Absent otherwise. */
  aside?: true;
  /** One sentence saying all of it, for a screen reader, a Discord message or a transcript. */
  text: string;
}

export interface StoryChoice {
  userId: string;
  userName: string;
  choice: string;
}

/** One recorded turn of the story, with names: what the consoles show as history. */
export interface StoryTurn {
  /** The record's number (the window's turn stamp + 1). */
  turn: number;
  choices: StoryChoice[];
  summary: string;
  /** Unix milliseconds. */
  at: number;
  reveal: Reveal;
  /** The scene the narrator showed after this turn; null for turns recorded before scenes
   *  were kept. */
  scene: SceneText | null;
}

/** What was sent to the narrator for one closed window, stored with the game (bounded). */
export interface Outcome {
  turn: number;
  rule: Aggregation;
  sent: string[];
  /** The scene of this window was set aside (the X-card). */
  aside?: true;
}

/** Outcomes kept with a game: enough for every turn a console shows (the web's history menu
 *  shows 50 turns, Discord's /history at most 25); older turns are told by the channel's current
 *  rule. No more: they live in the game's saved state, which a store reads and writes whole on
 *  every press and every turn (200 made a turn cost ~0.3 ms more: bench/host-overhead). */
const OUTCOMES_KEPT = 50;
/** Games saved when 200 were kept still load (the oldest are dropped on the next turn). */
export const OUTCOMES_READ_MAX = 200;

type Players = ReadonlyMap<string, Pick<PlayerState, 'userName'>>;

const nameOf = (players: Players, userId: string): string =>
  players.get(userId)?.userName ?? userId;

function tallyOf(choices: ReadonlyMap<string, string>, players: Players): TallyEntry[] {
  const byChoice = new Map<string, TallyEntry>();
  for (const [userId, choice] of choices) {
    const entry = byChoice.get(choice) ?? { choice, count: 0, names: [] };
    entry.count++;
    entry.names.push(nameOf(players, userId));
    byChoice.set(choice, entry);
  }
  // A stable sort keeps first-press order among equal counts.
  return [...byChoice.values()].sort((a, b) => b.count - a.count);
}

/** What the narrator follows for `rule` when no host pick is needed (null: the host decides). */
function sentFor(rule: Aggregation, choices: ReadonlyMap<string, string>): string[] | null {
  const distinct = [...new Set(choices.values())];
  if (rule === 'all' || distinct.length <= 1) return distinct;
  if (rule === 'plurality') {
    const pick = pluralityChoice(choices);
    return pick === null ? [] : [pick];
  }
  return null;
}

const q = (s: string): string => `“${s}”`;
const list = (items: string[]): string =>
  items.length <= 1
    ? (items[0] ?? '')
    : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;

function describe(
  rule: Aggregation,
  tally: TallyEntry[],
  sent: string[] | null,
  decider: string,
): string {
  const total = tally.reduce((n, t) => n + t.count, 0);
  const first = tally[0];
  if (first === undefined) return 'Nobody chose; the story goes on.';
  if (tally.length === 1) return `The group chose ${q(first.choice)}, ${total} of ${total}.`;
  const counts = tally.map((t) => `${q(t.choice)} ${t.count}`).join(', ');
  if (sent !== null && sent.length === 0) return `The choices: ${counts}.`;
  if (rule === 'all') return `Every choice went to the narrator: ${counts}.`;
  if (rule === 'plurality') {
    const top = tally.filter((t) => t.count === first.count);
    const pick = sent?.[0] ?? first.choice;
    return top.length > 1
      ? `A tie (${counts}): the earliest press, ${q(pick)}, went to the narrator.`
      : `The group chose ${q(pick)}, ${first.count} of ${total} (${counts}).`;
  }
  return sent === null
    ? `Waiting for ${decider} to pick one of ${list(tally.map((t) => q(t.choice)))}.`
    : `${decider} picked ${q(sent[0] ?? '')} (${counts}).`;
}

export interface RevealInput {
  turn: number;
  rule: Aggregation;
  choices: ReadonlyMap<string, string>;
  players: Players;
  /** The stored outcome, or the host's pick; null when not known yet. */
  sent: string[] | null;
  /** The user id who picks under 'host'. */
  decider: string | null;
  /** The scene was set aside (the X-card): `choices` are the ones made void. */
  aside?: boolean;
}

/** The reveal of a window whose scene was set aside: nobody learns who did it; the players
 *  whose choices were void are told to choose again. */
function asideReveal(r: RevealInput): Reveal {
  const voided = [...r.choices].map(([id, c]) => `${nameOf(r.players, id)}: ${q(c)}`);
  const text =
    voided.length === 0
      ? 'The scene was set aside with the X-card; the narrator wrote another in its place.'
      : `The scene was set aside with the X-card; the narrator wrote another in its place. The choices made on it (${voided.join(', ')}) were void: choose again.`;
  return { turn: r.turn, rule: r.rule, tally: [], sent: [], aside: true, text };
}

export function revealOf(r: RevealInput): Reveal {
  if (r.aside === true) return asideReveal(r);
  const tally = tallyOf(r.choices, r.players);
  const sent = r.sent ?? sentFor(r.rule, r.choices);
  const decider = r.decider === null ? 'the host' : nameOf(r.players, r.decider);
  return { turn: r.turn, rule: r.rule, tally, sent, text: describe(r.rule, tally, sent, decider) };
}

/** What the story keeps of a scene shown: its text, cleaned as a turn record takes it (an
 *  invisible or control character dropped), and its choices (checked when it was shown). */
export function keptScene(scene: Scene): SceneText {
  return { text: cleanSceneText(scene.text), choices: [...scene.choices] };
}

/** The outcomes with `o` added (replacing one of the same turn), the oldest dropped past
 *  OUTCOMES_KEPT. */
export function withOutcome(outcomes: readonly Outcome[], o: Outcome): Outcome[] {
  const out = outcomes.filter((x) => x.turn !== o.turn);
  out.push({ turn: o.turn, rule: o.rule, sent: [...o.sent], ...(o.aside ? { aside: true } : {}) });
  return out.slice(-OUTCOMES_KEPT);
}

/** Whether the scene of turn `turn` (shown after window `turn - 1`) was set aside with the
 *  X-card: the story does not tell it again. */
export function setAside(outcomes: readonly Outcome[], turn: number): boolean {
  return outcomes.some((o) => o.turn === turn && o.aside === true);
}

/** A recorded turn with names and its reveal; `rule` tells turns older than the kept outcomes. */
export function storyTurn(
  record: TurnRecord,
  players: Players,
  outcomes: readonly Outcome[],
  rule: Aggregation,
  decider: string | null,
): StoryTurn {
  const windowTurn = record.turn - 1;
  const o = outcomes.find((x) => x.turn === windowTurn);
  return {
    turn: record.turn,
    choices: [...record.choices].map(([userId, choice]) => ({
      userId,
      userName: nameOf(players, userId),
      choice,
    })),
    summary: record.narrativeSummary,
    at: Math.round(record.timestamp * 1000),
    // A scene set aside later (the X-card on it) is not told again.
    scene:
      record.scene === null || setAside(outcomes, record.turn)
        ? null
        : { text: record.scene.text, choices: [...record.scene.choices] },
    reveal: revealOf({
      turn: windowTurn,
      rule: o?.rule ?? rule,
      choices: record.choices,
      players,
      // A 'host' pick older than the kept outcomes is not known any more: told as a tally.
      sent: o?.sent ?? sentFor(rule, record.choices) ?? [],
      decider,
      aside: o?.aside === true,
    }),
  };
}
