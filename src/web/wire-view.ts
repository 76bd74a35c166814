import type { ChannelView, Recap, Reveal, StoryPage, StoryTurn } from '../host/types.js';

// The host's ChannelView names players by their user id (Discord needs them). The web console
// never sends a user id: every player is shown by display name and an opaque per-channel handle,
// and each page learns its own handle when it joins (so it can tell "you booted this").

/** Maps a user id to its opaque handle in the channel. */
export type HandleOf = (userId: string) => string;

interface WireChosen {
  /** The player's opaque handle in this channel. */
  player: string;
  name: string;
  choice: string;
}

export interface WireView {
  channelId: string;
  status: ChannelView['status'];
  game: {
    gameId: string;
    gameName: string;
    titleScreenUrl: string;
    turnNumber: number;
    /** The booter's handle (compare with your own), or null. */
    bootedBy: string | null;
    spec: NonNullable<ChannelView['game']>['spec'];
    /** LLM games: tokens spent so far (the page shows them to the booter). */
    spend: { prompt: number; completion: number } | null;
  } | null;
  scene: ChannelView['scene'];
  turn: number;
  /** How the game's windows run (length, early close); null when no game runs. */
  rules: NonNullable<ChannelView['rules']> | null;
  window: {
    deadlineMs: number;
    secondsRemaining: number;
    lengthMs: number;
    chosen: WireChosen[];
    /** Display names of the active players who have not chosen yet. */
    waitingFor: string[];
  } | null;
  /** The last closed window's tally and what went to the narrator (names, never ids). */
  reveal: Reveal | null;
  error: string | null;
  decision: { player: string; options: string[] } | null;
  notice: string | null;
  /** Who is at the table (by handle and name), as the view's `present`. */
  present: WirePresent[];
}

/** A user at the table: their handle, display name and role ('joining': plays from the next
 *  window). */
interface WirePresent {
  player: string;
  name: string;
  role: NonNullable<ChannelView['present']>[number]['role'];
}

/** A turn of the history as the page shows it: choices in press order (by handle and name)
 *  and the window's reveal. */
export interface WireTurn {
  turn: number;
  choices: WireChosen[];
  summary: string;
  /** Unix milliseconds. */
  at: number;
  reveal: Reveal;
  /** The scene shown after the turn (null: recorded before scenes were kept). */
  scene: StoryTurn['scene'];
}

/** A page of the story so far (see StoryPage), players by handle and name. */
export interface WireStoryPage {
  gameId: string;
  gameName: string;
  opening: StoryPage['opening'];
  turns: WireTurn[];
  earlier: boolean;
}

/** "While you were away" (see Recap), players by handle and name. */
export interface WireRecap {
  gameId: string;
  gameName: string;
  last: WireTurn | null;
  missed: WireTurn[];
  missedCount: number;
}

/** Presses made in the open window since the last view or delta (new or changed entries). */
export interface ChosenDelta {
  type: 'chosen';
  gameId: string;
  turn: number;
  deadlineMs: number;
  secondsRemaining: number;
  entries: WireChosen[];
}

export function toWireView(view: ChannelView, handleOf: HandleOf): WireView {
  const g = view.game;
  return {
    channelId: view.channelId,
    status: view.status,
    game:
      g === null
        ? null
        : {
            gameId: g.gameId,
            gameName: g.gameName,
            titleScreenUrl: g.titleScreenUrl,
            turnNumber: g.turnNumber,
            bootedBy: g.bootedBy === null ? null : handleOf(g.bootedBy),
            spec: g.spec,
            spend: g.spend ?? null,
          },
    scene: view.scene,
    turn: view.turn,
    rules: view.rules === undefined ? null : { ...view.rules },
    window:
      view.window === null
        ? null
        : {
            deadlineMs: view.window.deadlineMs,
            secondsRemaining: view.window.secondsRemaining,
            lengthMs: view.window.lengthMs,
            chosen: view.window.chosen.map((c) => ({
              player: handleOf(c.userId),
              name: c.userName,
              choice: c.choice,
            })),
            waitingFor: [...view.window.waitingFor],
          },
    reveal: view.reveal ?? null,
    error: view.error,
    decision:
      view.decision == null
        ? null
        : { player: handleOf(view.decision.userId), options: [...view.decision.options] },
    notice: view.notice ?? null,
    present: (view.present ?? []).map((p) => ({
      player: handleOf(p.userId),
      name: p.userName,
      role: p.role,
    })),
  };
}

export function toWireTurn(turn: StoryTurn, handleOf: HandleOf): WireTurn {
  return {
    turn: turn.turn,
    choices: turn.choices.map((c) => ({
      player: handleOf(c.userId),
      name: c.userName,
      choice: c.choice,
    })),
    summary: turn.summary,
    at: turn.at,
    reveal: turn.reveal,
    scene: turn.scene,
  };
}

export function toWireStoryPage(page: StoryPage, handleOf: HandleOf): WireStoryPage {
  return {
    gameId: page.gameId,
    gameName: page.gameName,
    opening: page.opening,
    turns: page.turns.map((t) => toWireTurn(t, handleOf)),
    earlier: page.earlier,
  };
}

export function toWireRecap(recap: Recap, handleOf: HandleOf): WireRecap {
  return {
    gameId: recap.gameId,
    gameName: recap.gameName,
    last: recap.last === null ? null : toWireTurn(recap.last, handleOf),
    missed: recap.missed.map((t) => toWireTurn(t, handleOf)),
    missedCount: recap.missedCount,
  };
}

/** Everything of a view but its window's presses, who it waits for and its clock: equal means
 *  only presses changed (someone coming, leaving or changing role is a whole view, so the
 *  page's table line follows). */
function frame(v: WireView): string {
  const w = v.window;
  return JSON.stringify({ ...v, window: w === null ? null : [w.deadlineMs, w.lengthMs] });
}

/** `prev`'s waiting list without the names of players who chose for the first time (what the
 *  page works out from a delta), equal to `next`'s? */
function waitingFollows(prev: string[], added: WireChosen[], next: string[]): boolean {
  const left = [...prev];
  for (const a of added) {
    const at = left.indexOf(a.name);
    if (at >= 0) left.splice(at, 1);
  }
  return left.length === next.length && left.every((name, i) => name === next[i]);
}

/**
 * The presses `next` adds to `prev` when that is all that changed (same game, turn, status,
 * scene, deadline; earlier presses kept in order, some maybe changed), else null (send the view).
 * A press then costs every subscriber a few dozen bytes instead of the whole list.
 */
export function chosenDelta(prev: WireView | null, next: WireView): ChosenDelta | null {
  if (prev === null || prev.window === null || next.window === null || next.game === null)
    return null;
  const before = prev.window.chosen;
  const after = next.window.chosen;
  if (after.length < before.length) return null;
  if (frame(prev) !== frame(next)) return null;
  const entries: WireChosen[] = [];
  for (let i = 0; i < after.length; i++) {
    const a = after[i] as WireChosen;
    const b = before[i];
    if (b === undefined) entries.push(a);
    else if (b.player !== a.player) return null;
    else if (b.choice !== a.choice || b.name !== a.name) entries.push(a);
  }
  const added = after.slice(before.length);
  if (!waitingFollows(prev.window.waitingFor, added, next.window.waitingFor)) return null;
  return {
    type: 'chosen',
    gameId: next.game.gameId,
    turn: next.turn,
    deadlineMs: next.window.deadlineMs,
    secondsRemaining: next.window.secondsRemaining,
    entries,
  };
}
