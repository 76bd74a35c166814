import type { GameArchive } from '../core/archive.js';
import type { GamePage } from '../core/store-port.js';
import type { TurnRecord } from '../core/turn-record.js';
import type { ChannelView, GameSpec, HostEvent } from './events.js';
import type { Aggregation } from './story.js';
import type {
  ChannelSettings,
  GameSummary,
  HostUser,
  PresenceRole,
  PressResult,
  Recap,
  StoryPage,
  StoryTurn,
} from './types.js';

/** A running game as exported: the archive, and the channel's rule for its reveals. */
export interface GameExport {
  archive: GameArchive;
  rule: Aggregation;
}

/**
 * What a platform adapter (the web console, the Discord bot) may ask of the host, and nothing
 * else: the adapters depend on this interface, GameHost implements it. Every refusal is a typed
 * GameSessionError subclass with a stable `code` and a message fit to show the player; every
 * change also reaches `subscribe` listeners as a pushed view.
 */
export interface AdapterHost {
  boot(
    channelId: string,
    user: HostUser,
    spec: GameSpec,
    options?: { title?: string },
  ): Promise<ChannelView>;
  press(
    channelId: string,
    user: HostUser,
    turn: number,
    choice: string,
    options?: { gameId?: string },
  ): Promise<PressResult>;
  /** The X-card: `user` anonymously sets the scene of `turn` aside (see GameHost.xcard). */
  xcard(
    channelId: string,
    user: HostUser,
    turn: number,
    options?: { gameId?: string },
  ): Promise<ChannelView>;
  /** The channel's countdown (whole seconds, from the next window), for whoever may manage
   *  its game (see GameHost.setCountdown). */
  setCountdown(channelId: string, user: HostUser, seconds: number): Promise<ChannelView>;
  decide(
    channelId: string,
    user: HostUser,
    choice: string,
    expect?: { gameId?: string; turn?: number },
  ): Promise<ChannelView>;
  retry(channelId: string, user: HostUser): Promise<ChannelView>;
  exit(channelId: string, user: HostUser): Promise<ChannelView>;
  load(channelId: string, user: HostUser, gameId: string): Promise<ChannelView>;
  listGames(options?: { max?: number }): Promise<GameSummary[]>;
  /** A page of the games a player in `channelId` may load: saved games and the channel's own
   *  (a game running elsewhere is left out), newest first. */
  loadableGames(
    channelId: string,
    options?: { cursor?: string | null; limit?: number },
  ): Promise<GamePage>;
  history(channelId: string, count?: number): Promise<TurnRecord[]>;
  /** The channel's last `count` turns with names and reveals, oldest first. */
  story(channelId: string, count?: number): Promise<StoryTurn[]>;
  /** A page of the story so far (every scene, names, choices, reveals), or null: no game. */
  storyPage(
    channelId: string,
    options?: { count?: number; before?: number },
  ): Promise<StoryPage | null>;
  /** What `userId` missed since their last press, or null (nothing missed, no game). */
  recap(channelId: string, userId: string): Promise<Recap | null>;
  view(channelId: string): Promise<ChannelView>;
  /** The channel's running game with its whole history, for a download (null: none runs). */
  exportGame(channelId: string): Promise<GameExport | null>;
  subscribe(channelId: string, listener: (event: HostEvent) => void): () => void;
  /** `user` is at the channel's table for `ttlMs` (a page while connected, a Discord user
   *  recently active); `role` to watch or to play (from the next window). */
  here(
    channelId: string,
    user: HostUser,
    options?: { role?: PresenceRole; ttlMs?: number },
  ): Promise<ChannelView>;
  /** `userId` left the channel's table. */
  leave(channelId: string, userId: string): Promise<void>;
  /** The channel's settings (who may manage it, how windows close). */
  settings(channelId: string): ChannelSettings;
}
