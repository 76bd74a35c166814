import type { GameSummary } from '../core/store-port.js';
import type { ChannelView, GameSpec, HostEvent, HostUser, StoryTurn } from '../host/types.js';

/**
 * What the web console needs from the host (src/host/game-host.ts implements it). Results of
 * commands are not used: every change reaches the page as a pushed view.
 */
export interface ConsoleHost {
  boot(
    channelId: string,
    user: HostUser,
    spec: GameSpec,
    options?: { title?: string },
  ): Promise<unknown>;
  press(
    channelId: string,
    user: HostUser,
    turn: number,
    choice: string,
    options?: { gameId?: string },
  ): Promise<unknown>;
  decide(
    channelId: string,
    user: HostUser,
    choice: string,
    expect?: { gameId?: string; turn?: number },
  ): Promise<unknown>;
  retry(channelId: string, user: HostUser): Promise<unknown>;
  exit(channelId: string, user: HostUser): Promise<unknown>;
  load(channelId: string, user: HostUser, gameId: string): Promise<unknown>;
  listGames(): Promise<GameSummary[]>;
  /** The channel's last `count` turns with names and reveals, oldest first. */
  story(channelId: string, count?: number): Promise<readonly StoryTurn[]>;
  view(channelId: string): ChannelView | Promise<ChannelView>;
  subscribe(channelId: string, listener: (event: HostEvent) => void): () => void;
}
