import type { TurnRecord } from '../core/turn-record.js';
import type { Scene } from '../narrator/port.js';
import type { PresenceChange, PresentUser } from './presence.js';
import type { Reveal, StoryTurn } from './story.js';

// What the host tells the consoles: the channel's view and the events pushed to subscribers.
// Kept apart from the host's options so that the turn-driver port can name them without a cycle.

/** What to play: a built-in ink cartridge, or an OpenAI-compatible LLM with an optional premise. */
export type GameSpec = { kind: 'ink'; cartridge: string } | { kind: 'llm'; premise?: string };

export type ChannelStatus =
  | 'idle' // no game in the channel
  | 'playing' // a scene is shown, waiting for the first press
  | 'counting' // a countdown window is open
  | 'narrating' // the window closed; the narrator is writing the next scene
  | 'failed' // the narrator failed; the turn can be retried, no press was lost
  | 'ended'; // the story reached its end

export interface ChosenEntry {
  userId: string;
  userName: string;
  choice: string;
}

/** Everything a console (web page, Discord message) needs to draw a channel. */
export interface ChannelView {
  channelId: string;
  status: ChannelStatus;
  game: {
    gameId: string;
    gameName: string;
    titleScreenUrl: string;
    turnNumber: number;
    bootedBy: string | null;
    spec: GameSpec;
    /** LLM games: the tokens the game has spent so far (consoles show it to the booter). */
    spend?: { prompt: number; completion: number } | null;
  } | null;
  scene: Scene | null;
  /** The turn stamp for buttons: a press must name it, or it is refused as stale. */
  turn: number;
  /** How the game's windows run, for consoles to show: the countdown's length (seconds, from
   *  the next window when changed during one) and whether a window closes early once every
   *  player it counts has chosen; `anyoneMayManage`: any player may change them (and exit or
   *  swap the game), not only its booter and channel managers. Absent when no game runs. */
  rules?: { countdownSeconds: number; closeWhenAllChosen: boolean; anyoneMayManage: boolean };
  window: {
    deadlineMs: number;
    secondsRemaining: number;
    /** The window's whole length, so a console that joins mid-window draws the countdown right. */
    lengthMs: number;
    chosen: ChosenEntry[];
    /** Names of the players the window counts who have not chosen yet: the players here (see
     *  `present`), or with no presence known, the recent players (see ACTIVE_TURNS). */
    waitingFor: string[];
  } | null;
  /** Who is at the table (a page connected now, a Discord user active recently), by name:
   *  players, spectators, and spectators who play from the next window ('joining'). */
  present?: PresentUser[];
  /** The last closed window: its tally and what went to the narrator. While narrating, the
   *  window that just closed; afterwards, the one that led to the scene on screen. */
  reveal?: Reveal | null;
  /** A human-readable message for 'failed' (and other notices), else null. */
  error: string | null;
  /** 'host' aggregation: the window closed and `userId` must pick one of `options` via
   *  GameHost.decide (status stays 'narrating' meanwhile). Absent or null otherwise. */
  decision?: { userId: string; options: string[] } | null;
  /** A human-readable, non-error notice (e.g. "Saved … game id …" after exit), else absent. */
  notice?: string | null;
}

export type HostEvent =
  | { type: 'view'; view: ChannelView }
  /** Streaming narrator text for the scene being written. `first`: the first piece of a
   *  narration attempt; a console drops what it streamed before (an attempt cut off when its
   *  process stopped, or a retry) instead of appending to it. */
  | { type: 'text'; channelId: string; delta: string; first?: boolean }
  /** A turn was recorded; `story` is the same turn with names and its reveal. */
  | { type: 'turn'; channelId: string; record: TurnRecord; story: StoryTurn }
  /** Someone came, refreshed their presence, changed role or left (a view follows when the
   *  table as shown changed). Every process applies it to its copy of the table. */
  | { type: 'presence'; channelId: string; change: PresenceChange };
