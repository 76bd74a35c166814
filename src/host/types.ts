import type { Clock } from '../core/clock.js';
import type { TitleScreen } from '../core/game-session.js';
import type { GameSummary, SessionStore } from '../core/store-port.js';
import type { TurnRecord } from '../core/turn-record.js';
import type { Narrator, Scene } from '../narrator/port.js';
import type { TurnDriver } from './turn-driver.js';

/** What to play: a built-in ink cartridge, or an OpenAI-compatible LLM with an optional premise. */
export type GameSpec = { kind: 'ink'; cartridge: string } | { kind: 'llm'; premise?: string };

/** Builds the narrator of a game from its spec (the host keeps one per running game). */
export type NarratorFactory = (spec: GameSpec) => Narrator;

/** How a closed window's choices reach the narrator. */
export type Aggregation = 'all' | 'plurality' | 'host';

export interface ChannelSettings {
  /** 'all' (the seed's way, default): every choice goes to the narrator; 'plurality': the most
   *  chosen option (ties to the earliest press); 'host': the player who booted decides. */
  aggregation: Aggregation;
  /** Close the window early once every active player has chosen. Default false. */
  closeWhenAllChosen: boolean;
  /** Anyone may exit or swap the game (otherwise only the player who booted it). Default false. */
  anyoneMayManage: boolean;
}

export interface HostUser {
  id: string;
  name: string;
  /** Platform permission to manage the channel (e.g. Discord's Manage Channels). */
  canManageChannel?: boolean;
}

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
  } | null;
  scene: Scene | null;
  /** The turn stamp for buttons: a press must name it, or it is refused as stale. */
  turn: number;
  window: { deadlineMs: number; secondsRemaining: number; chosen: ChosenEntry[] } | null;
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
  /** Streaming narrator text for the scene being written. */
  | { type: 'text'; channelId: string; delta: string }
  | { type: 'turn'; channelId: string; record: TurnRecord };

export interface GameHostOptions {
  store: SessionStore;
  narrators: NarratorFactory;
  clock?: Clock;
  titleScreen?: TitleScreen;
  countdownSeconds?: number;
  settings?: (channelId: string) => Partial<ChannelSettings>;
  /** Per-player press rate limit. Default 5 presses per 2 s. */
  pressRateLimit?: { presses: number; perMs: number };
  narratorTimeoutMs?: number;
  /** Who resolves closed windows and how events reach subscribers. Default: this process alone
   *  (LocalTurnDriver). Many processes share channels with the Redis driver
   *  (`createRedisTurnDriver` from gamegirl/redis), whose store must be the same RedisStore. */
  driver?: TurnDriver;
}

/** What GameHost.press returns. */
export interface PressResult {
  /** The press opened the countdown window. */
  isFirstChoice: boolean;
  /** Seconds left in the window. */
  secondsRemaining: number;
  view: ChannelView;
}

export type { GameSummary };
