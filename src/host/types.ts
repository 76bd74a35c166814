import type { Clock } from '../core/clock.js';
import type { TitleScreen } from '../core/game-session.js';
import type { GameSummary, SessionStore } from '../core/store-port.js';
import type { Narrator } from '../narrator/port.js';
import type { ChannelView, GameSpec } from './events.js';
import type { HostMetrics } from './metrics.js';
import type { Aggregation } from './story.js';
import type { TurnDriver } from './turn-driver.js';

/** Builds the narrator of a game from its spec (the host keeps one per running game). */
export type NarratorFactory = (spec: GameSpec) => Narrator;

export interface ChannelSettings {
  /** 'all' (the seed's way, default): every choice goes to the narrator; 'plurality': the most
   *  chosen option (ties to the earliest press); 'host': the player who booted decides. */
  aggregation: Aggregation;
  /** Close the window early once every active player has chosen. Default false. */
  closeWhenAllChosen: boolean;
  /** Anyone may exit or swap the game (otherwise only the player who booted it). Default false. */
  anyoneMayManage: boolean;
  /** The countdown of games booted in this channel, in seconds (e.g. longer, so that nobody is
   *  left out by a short window); null: the host's default. */
  countdownSeconds: number | null;
}

export interface HostUser {
  id: string;
  name: string;
  /** Platform permission to manage the channel (e.g. Discord's Manage Channels). */
  canManageChannel?: boolean;
}

/** Where the host tells the operator what players cannot fix (a damaged stored game). A pino
 *  Logger fits; the host depends on no logging library. */
export interface HostLog {
  warn(fields: Record<string, unknown>, message: string): void;
}

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
  /** Boots per player (`presses` counts boots). Default 10 per minute. */
  bootRateLimit?: { presses: number; perMs: number };
  /** LLM boots per player, on top of bootRateLimit (each is a paid completion). Default 3 per
   *  minute. */
  llmBootRateLimit?: { presses: number; perMs: number };
  /** Who resolves closed windows and how events reach subscribers. Default: this process alone
   *  (LocalTurnDriver). Many processes share channels with the Redis driver
   *  (`createRedisTurnDriver` from gamegirl/redis), whose store must be the same RedisStore. */
  driver?: TurnDriver;
  /** Where the host reports presses, narrations and close → scene latencies. Default: nowhere. */
  metrics?: HostMetrics;
  /** A channel unused for this long (ms) that nobody follows in this process and whose game
   *  waits for nothing (no open window, no narration) is let go from memory; its game is loaded
   *  from the store again on the next use. Default 10 minutes; Infinity keeps every channel. */
  evictIdleAfterMs?: number;
  /** Where the operator is told of damaged stored games. Default: nowhere. */
  log?: HostLog;
}

/** What GameHost.press returns. */
export interface PressResult {
  /** The press opened the countdown window. */
  isFirstChoice: boolean;
  /** Seconds left in the window. */
  secondsRemaining: number;
  view: ChannelView;
}

export type * from './events.js';
export type { PresenceChange, PresenceRole, PresentUser } from './presence.js';
export type { Aggregation, Reveal, StoryChoice, StoryTurn, TallyEntry } from './story.js';
export type { Recap, StoryPage } from './story-so-far.js';
export type { GameSummary };
