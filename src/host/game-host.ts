import type { TurnRecord } from '../core/turn-record.js';
import type {
  ChannelView,
  GameHostOptions,
  GameSpec,
  GameSummary,
  HostEvent,
  HostUser,
  PressResult,
} from './types.js';

export {
  GameEndedError,
  NarratingError,
  PermissionError,
  RateLimitedError,
  WrongStateError,
} from './errors.js';

/**
 * The game loop around GameSession, one game per channel: boot (title screen, opening scene) →
 * press → countdown → window closes (or early once every active player chose) → aggregate →
 * narrator → recordTurn → next scene with turn-stamped choices. Save/exit, list, hot-swap.
 *
 * Adapters (web console, Discord) own no rules: they call these methods with the platform's
 * user and draw the ChannelView pushed to `subscribe` listeners. Every refusal is a typed
 * GameSessionError subclass with a stable `code` and a message fit to show the player.
 */
export class GameHost {
  constructor(options: GameHostOptions) {
    void options;
  }

  /**
   * Boots a new game in the channel: title screen, then the opening scene from the narrator.
   * A running game is saved and exited first (hot-swap semantics; needs manage permission).
   * `title` is the game's name (default: derived from the spec). Rejects with NarratorError if
   * the opening scene cannot be produced (the running game is then left untouched).
   */
  async boot(
    channelId: string,
    user: HostUser,
    spec: GameSpec,
    options?: { title?: string },
  ): Promise<ChannelView> {
    void [channelId, user, spec, options];
    throw new Error('GameHost.boot: being implemented');
  }

  /**
   * A button press for turn `turn` (the view's turn stamp). The first press of a turn opens the
   * countdown; a player's later press replaces their earlier one. Refuses with
   * SessionInactiveError (no game), GameEndedError, NarratingError (window closed, turn being
   * resolved or failed), StaleTurnError (old button), InvalidInputError (not one of the scene's
   * choices, or bad text), RateLimitedError (too many presses; `retryAfterMs`).
   */
  async press(
    channelId: string,
    user: HostUser,
    turn: number,
    choice: string,
  ): Promise<PressResult> {
    void [channelId, user, turn, choice];
    throw new Error('GameHost.press: being implemented');
  }

  /**
   * 'host' aggregation: the booting player (or a channel manager) picks the choice the narrator
   * follows, one of `view.decision.options`. WrongStateError when no decision is pending,
   * PermissionError for anyone else.
   */
  async decide(channelId: string, user: HostUser, choice: string): Promise<ChannelView> {
    void [channelId, user, choice];
    throw new Error('GameHost.decide: being implemented');
  }

  /**
   * Re-runs a failed narration with the closed window's choices (kept with the game, so no
   * press is lost). Resolves with the view after the attempt ('playing'/'ended', or 'failed'
   * again). WrongStateError when nothing failed.
   */
  async retry(channelId: string, user: HostUser): Promise<ChannelView> {
    void [channelId, user];
    throw new Error('GameHost.retry: being implemented');
  }

  /**
   * Saves and exits the channel's game (pending choices kept; a narration in progress is
   * aborted and re-run when the game is loaded again). Allowed for the booting player, a user
   * with `canManageChannel`, or anyone when the channel's `anyoneMayManage` is set.
   */
  async exit(channelId: string, user: HostUser): Promise<ChannelView> {
    void [channelId, user];
    throw new Error('GameHost.exit: being implemented');
  }

  /**
   * Hot-swap: loads saved game `gameId` into the channel, saving and exiting the running game
   * (same permission rule as exit when a game is running). The game resumes exactly: its scene,
   * narrator state, pending choices, and an unresolved turn (re-narrated, or 'failed').
   * GameNotFoundError for unknown ids; SessionDataError for a game not made by a GameHost.
   */
  async load(channelId: string, user: HostUser, gameId: string): Promise<ChannelView> {
    void [channelId, user, gameId];
    throw new Error('GameHost.load: being implemented');
  }

  /** Every saved game, newest first. */
  async listGames(options?: { max?: number }): Promise<GameSummary[]> {
    void options;
    throw new Error('GameHost.listGames: being implemented');
  }

  /** The channel's last `count` turns (default 10), oldest first; [] when it has no game. */
  async history(channelId: string, count?: number): Promise<TurnRecord[]> {
    void [channelId, count];
    throw new Error('GameHost.history: being implemented');
  }

  /**
   * The channel's current view. On first use of a channel (e.g. after a restart) its game is
   * loaded from the store and an open countdown window is re-armed.
   */
  async view(channelId: string): Promise<ChannelView> {
    void channelId;
    throw new Error('GameHost.view: being implemented');
  }

  /**
   * Listens to a channel: 'view' on every change (press, countdown open, narrating, new scene,
   * failure, exit), 'text' deltas while the narrator streams, 'turn' when a turn is recorded.
   * Listeners are called synchronously; one that throws does not disturb the others. Returns
   * the unsubscribe function.
   */
  subscribe(channelId: string, listener: (e: HostEvent) => void): () => void {
    void [channelId, listener];
    return () => {};
  }

  /** Stops every timer and aborts narrations; the store is not closed (the caller owns it). */
  async close(): Promise<void> {}
}
