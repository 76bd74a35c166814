import { InvalidInputError } from '../core/errors.js';
import type { GameSession } from '../core/game-session.js';
import type { SceneText, TurnRecord } from '../core/turn-record.js';
import type { HostExtra } from './saved-state.js';
import { type Aggregation, type StoryTurn, setAside, storyTurn } from './story.js';

// The story so far, read back from the saved game: pages of turns with every scene (the opening
// scene with the game, each later one with its turn record), and a returning player's recap of
// the turns closed without them. Pure reads of the store, so every process tells the same.

/** Turns in one page of the story so far, unless asked otherwise. */
const STORY_PAGE_TURNS = 20;
/** Most turns one page holds: with every scene's text a page stays a few hundred KB. */
export const STORY_PAGE_MAX = 100;
/** Turns a recap shows at most (the newest; it counts the others, which the story holds). */
const RECAP_MAX_TURNS = 10;
/** How many records a recap looks back through for the player's last press. */
const RECAP_SCAN = 200;
/** What getTurnHistory reads at most. */
const HISTORY_READ_MAX = 1000;

export interface StoryPage {
  gameId: string;
  gameName: string;
  /** The scene shown at boot when this page reaches the story's start (its first turn is turn 1,
   *  or nothing was played yet); null otherwise and in games saved before it was kept. */
  opening: SceneText | null;
  /** Oldest first. */
  turns: StoryTurn[];
  /** Earlier turns are kept: ask again with `before` = the first turn's number. */
  earlier: boolean;
}

/** "While you were away": what a player missed since their last press. */
export interface Recap {
  gameId: string;
  gameName: string;
  /** The turn of the player's last press (their choice and how the window went), or null when
   *  they have not played in this game (a newcomer: "previously on…") or not within the last
   *  RECAP_SCAN turns. */
  last: StoryTurn | null;
  /** The newest turns closed without them since, oldest first (at most RECAP_MAX_TURNS). */
  missed: StoryTurn[];
  /** How many turns they missed in all (with `last` null: the turns played so far). */
  missedCount: number;
}

interface Game {
  session: GameSession;
  extra: HostExtra;
  rule: Aggregation;
}

function told(g: Game, records: readonly TurnRecord[]): StoryTurn[] {
  const x = g.extra;
  return records.map((r) => storyTurn(r, g.session.players, x.outcomes, g.rule, x.bootedBy));
}

/** Checks a caller's page options (InvalidInputError). */
export function checkPageOptions(o: { count?: number; before?: number }): {
  count: number;
  before: number | null;
} {
  const count = o.count ?? STORY_PAGE_TURNS;
  if (!Number.isSafeInteger(count) || count < 1 || count > STORY_PAGE_MAX)
    throw new InvalidInputError('count', `must be an integer from 1 to ${STORY_PAGE_MAX}`);
  const before = o.before ?? null;
  if (before !== null && (!Number.isSafeInteger(before) || before < 0))
    throw new InvalidInputError('before', 'must be a non-negative integer');
  return { count, before };
}

/** One page of the story: the `count` turns before turn `before` (default: the newest). */
export async function storyPage(
  g: Game,
  page: { count: number; before: number | null },
): Promise<StoryPage> {
  const s = g.session;
  const { count, before } = page;
  // The host records one turn per window, numbered up to the session's turn: the records from
  // `before` on are about `turnNumber - before + 1`, read with the page (and one more, to tell
  // whether earlier turns exist). Extra records of a library caller only make a page shorter.
  const skip = before === null ? 0 : Math.max(0, s.turnNumber - before + 1);
  const records = await s.getTurnHistory(undefined, Math.min(HISTORY_READ_MAX, count + 1 + skip));
  const eligible = before === null ? records : records.filter((r) => r.turn < before);
  const shown = eligible.slice(-count);
  const earlier = eligible.length > shown.length;
  const first = shown[0];
  const atStart = !earlier && (first === undefined || first.turn <= 1);
  return {
    gameId: s.gameId,
    gameName: s.gameName,
    opening: atStart && !setAside(g.extra.outcomes, 0) ? g.extra.opening : null,
    turns: told(g, shown),
    earlier,
  };
}

/**
 * The recap of `userId`: the turns recorded after their last recorded press (null when there
 * are none, e.g. they played the last window). A player who never pressed in this game gets the
 * last few turns ("previously on…"). Reads only as much history as it needs: the saved
 * last-press turn of a recent player tells how far back to look.
 */
export async function recapFor(g: Game, userId: string): Promise<Recap | null> {
  const s = g.session;
  if (!s.players.has(userId)) {
    const records = await s.getTurnHistory(undefined, RECAP_MAX_TURNS);
    const newest = records[records.length - 1];
    if (newest === undefined) return null;
    return recap(g, null, records, Math.max(newest.turn, records.length));
  }
  // Window `t` is recorded as turn `t + 1`: a recent player's last record is that far back.
  const window = g.extra.lastPressed.get(userId);
  const reads = window === undefined ? [20, RECAP_SCAN] : [s.turnNumber - window + 1, RECAP_SCAN];
  let records: TurnRecord[] = [];
  let at = -1;
  for (const n of reads) {
    records = await s.getTurnHistory(undefined, Math.max(1, Math.min(RECAP_SCAN, n)));
    at = records.findLastIndex((r) => r.choices.has(userId));
    if (at >= 0 || records.length < n) break;
  }
  const missed = at >= 0 ? records.slice(at + 1) : records;
  if (missed.length === 0) return null;
  return recap(g, at >= 0 ? (records[at] ?? null) : null, missed, missed.length);
}

function recap(g: Game, last: TurnRecord | null, missed: TurnRecord[], missedCount: number): Recap {
  return {
    gameId: g.session.gameId,
    gameName: g.session.gameName,
    last: last === null ? null : (told(g, [last])[0] ?? null),
    missed: told(g, missed.slice(-RECAP_MAX_TURNS)),
    missedCount,
  };
}
