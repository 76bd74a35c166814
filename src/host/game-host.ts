import { InvalidInputError } from '../core/errors.js';
import {
  checkChannelCountdown,
  checkChannelId,
  checkGameId,
  checkGameName,
} from '../core/limits.js';
import type { GamePage } from '../core/store-port.js';
import type { TurnRecord } from '../core/turn-record.js';
import type { AdapterHost, GameExport } from './adapter-host.js';
import type { ChannelRunner } from './channel-runner.js';
import { WrongStateError } from './errors.js';
import { type HostParts, hostParts } from './host-parts.js';
import { checkUser } from './input-checks.js';
import { CONNECTED_TTL_MS, type PresenceRole } from './presence.js';
import { parseSpec } from './saved-state.js';
import type { StoryTurn } from './story.js';
import type { Recap, StoryPage } from './story-so-far.js';
import type { ClosedTurn, TurnLease, TurnOutcome } from './turn-driver.js';
import type {
  ChannelSettings,
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
export class GameHost implements AdapterHost {
  readonly #p: HostParts;
  /** Settles once the driver runs (rejects if it cannot start). */
  readonly #started: Promise<void>;
  #closed = false;

  constructor(options: GameHostOptions) {
    this.#p = hostParts(options, {
      isClosed: () => this.#closed,
      checkOpen: () => this.#open(),
      ready: (channelId) => this.#ready(channelId),
    });
    this.#started = this.#p.driver.start({
      resolve: (closed, lease) => this.#resolveTurn(closed, lease),
      deliver: (channelId, event, remote) => this.#p.table.deliver(channelId, event, remote),
      rollCall: (channelId) => this.#p.table.rollCall(channelId),
    });
    this.#started.catch(() => {}); // reported by start() and by every host call
  }

  /** Resolves once the turn driver runs (Redis: its scheduler and pub/sub; rejects if they
   *  cannot start). Calls wait for it by themselves; this only fails fast. */
  async start(): Promise<void> {
    await this.#started;
  }

  /** The channel's effective settings (the adapter's overrides on the defaults). */
  settings(channelId: string): ChannelSettings {
    return this.#p.settings(channelId);
  }

  /**
   * Boots a new game in the channel: title screen, then the opening scene from the narrator.
   * A running game is saved and exited first (hot-swap semantics; needs manage permission
   * unless its story has ended). `title` is the game's name (default: the narrator's title, e.g.
   * the cartridge's, else derived from the spec). NarratorError if no narrator can play the spec
   * (unknown cartridge, no LLM configured) or the opening scene cannot be produced; the running
   * game is left as is.
   */
  async boot(
    channelId: string,
    user: HostUser,
    spec: GameSpec,
    options?: { title?: string },
  ): Promise<ChannelView> {
    checkUser(user);
    const parsed = parseSpec(spec);
    if (options?.title !== undefined) checkGameName(options.title);
    this.#open();
    this.#p.limits.boot(user.id, parsed.kind === 'llm');
    const r = await this.#ready(channelId);
    return this.#p.manage.boot(r, user, parsed, options?.title);
  }

  /**
   * A button press for turn `turn` (the view's turn stamp). The first press of a turn opens the
   * countdown; a player's later press replaces their earlier one. Refuses with
   * SessionInactiveError (no game), GameEndedError, NarratingError (window closed, turn being
   * resolved or failed), StaleTurnError (old button), InvalidInputError (not one of the scene's
   * choices, or bad text), RateLimitedError (too many presses; `retryAfterMs`).
   * `options.gameId`: the game the button was drawn for; a button that outlived its game (the
   * channel swapped to another since) is refused as stale even if the turn numbers agree.
   */
  async press(
    channelId: string,
    user: HostUser,
    turn: number,
    choice: string,
    options?: { gameId?: string },
  ): Promise<PressResult> {
    return this.#p.turns.press(channelId, user, turn, choice, options);
  }

  /** Channels this process holds in memory now (idle ones are let go: evictIdleAfterMs). */
  channelsInMemory(): number {
    return this.#p.channels.size;
  }

  /**
   * The X-card: `user` (a player, not a spectator) sets the scene of turn `turn` aside,
   * anonymously; the narrator writes another in its place (an LLM with a note to steer away
   * from it, an ink story steps back to the previous choice point). The window's choices, if
   * one is open, are void and the view's reveal tells their players to choose again. Nobody
   * learns who: the host stores, shows and publishes no trace of the user. Refuses with
   * XCardError (XCARD_UNAVAILABLE: the narrator cannot write this scene again; XCARD_LIMIT:
   * XCARD_MAX scenes set aside within XCARD_TURNS turns), SpectatingError, NarratingError,
   * StaleTurnError, SessionInactiveError, RateLimitedError (counted with presses).
   */
  async xcard(
    channelId: string,
    user: HostUser,
    turn: number,
    options?: { gameId?: string },
  ): Promise<ChannelView> {
    return this.#p.turns.xcard(channelId, user, turn, options);
  }

  /**
   * A longer (or shorter) window for the channel: the running game's countdown from its next
   * window on, kept with the game (so every process and every reload has it) and carried to the
   * games booted in the channel afterwards. Allowed to whoever may manage the game (its booter,
   * a channel manager, anyone when `anyoneMayManage`). InvalidInputError outside whole seconds
   * MIN_CHANNEL_COUNTDOWN_SECONDS..MAX_CHANNEL_COUNTDOWN_SECONDS; PermissionError;
   * with no game running, only a channel manager (or anyone when `anyoneMayManage`) may set
   * it for the games to come.
   */
  async setCountdown(channelId: string, user: HostUser, seconds: number): Promise<ChannelView> {
    checkUser(user);
    const v = checkChannelCountdown(seconds);
    const r = await this.#ready(channelId);
    return this.#p.manage.setCountdown(r, user, v);
  }

  /** Countdown windows open in this process right now. */
  openWindows(): number {
    let n = 0;
    for (const r of this.#p.channels.all()) if (r.session?.secondsRemaining != null) n++;
    return n;
  }

  /** Ready to take players: the driver runs (Redis: scheduler and pub/sub connected) and the
   *  store answers. Never rejects. */
  async ready(): Promise<boolean> {
    if (this.#closed) return false;
    try {
      await this.#started;
      if (!(await this.#p.driver.ready())) return false;
      await this.#p.store.listGames({ limit: 1 });
      return true;
    } catch {
      return false;
    }
  }

  /**
   * 'host' aggregation: the booting player (or a channel manager) picks the choice the narrator
   * follows, one of `view.decision.options`. WrongStateError when no decision is pending,
   * PermissionError for anyone else. Resolves with the view as narration starts.
   * `expect`: the game and turn stamp of the view the decision was drawn on; a mismatch is
   * refused with StaleTurnError.
   */
  async decide(
    channelId: string,
    user: HostUser,
    choice: string,
    expect: { gameId?: string; turn?: number } = {},
  ): Promise<ChannelView> {
    return this.#p.turns.decide(channelId, user, choice, expect);
  }

  /**
   * Re-runs a failed narration with the closed window's choices (kept with the game, so no
   * press is lost). Any player may retry. Resolves with the view after the attempt
   * ('playing'/'ended', or 'failed' again). WrongStateError when nothing failed.
   */
  async retry(channelId: string, user: HostUser): Promise<ChannelView> {
    return this.#p.turns.retry(channelId, user);
  }

  /**
   * Saves and exits the channel's game (pending choices kept; a narration in progress is
   * aborted and re-run when the game is loaded again). Allowed for the booting player, a user
   * with `canManageChannel`, or anyone when the channel's `anyoneMayManage` is set.
   */
  async exit(channelId: string, user: HostUser): Promise<ChannelView> {
    checkUser(user);
    return this.#p.manage.exit(await this.#ready(channelId), user);
  }

  /**
   * Hot-swap: loads saved game `gameId` into the channel, saving and exiting the running game
   * (same permission rule as exit when a game is running). The game resumes exactly: its scene,
   * narrator state, pending choices, and an unresolved turn (re-narrated, or 'failed').
   * GameNotFoundError for unknown ids; SessionDataError for a game not made by a GameHost.
   */
  async load(channelId: string, user: HostUser, gameId: string): Promise<ChannelView> {
    checkUser(user);
    checkGameId(gameId);
    return this.#p.manage.load(await this.#ready(channelId), user, gameId);
  }

  /**
   * Says `user` is at the channel's table for `ttlMs` (default CONNECTED_TTL_MS; an adapter
   * refreshes it: a web page while connected, Discord on each interaction). `role`: 'spectator'
   * to watch (presses refused, not waited for), 'player' to play — a spectator plays from the
   * next window. Without it, a newcomer plays and anyone else keeps their role. Every process
   * learns of it (through the turn driver); the view follows when the table as shown changed.
   */
  async here(
    channelId: string,
    user: HostUser,
    options: { role?: PresenceRole; ttlMs?: number } = {},
  ): Promise<ChannelView> {
    checkUser(user);
    const ttl = options.ttlMs ?? CONNECTED_TTL_MS;
    if (!Number.isFinite(ttl) || ttl <= 0)
      throw new InvalidInputError('ttlMs', 'must be a positive number');
    const r = await this.#ready(channelId);
    this.#p.table.markHere(r, user, options.role, ttl);
    return r.view();
  }

  /** `userId` left the channel (a page closed): no longer at its table. */
  async leave(channelId: string, userId: string): Promise<void> {
    this.#p.table.markLeft(await this.#ready(channelId), userId);
  }

  /** One page of the games a player of `channelId` may load (saved ones and the channel's own),
   *  newest first; pass `nextCursor` back for the next page. */
  async loadableGames(
    channelId: string,
    options?: { cursor?: string | null; limit?: number },
  ): Promise<GamePage> {
    return this.#p.reads.loadableGames(channelId, options);
  }

  /** Every saved game, newest first. */
  async listGames(options?: { max?: number }): Promise<GameSummary[]> {
    return this.#p.reads.listGames(options);
  }

  /** The channel's last `count` turns (default 10), oldest first; [] when it has no game. */
  async history(channelId: string, count = 10): Promise<TurnRecord[]> {
    return this.#p.reads.history(channelId, count);
  }

  /**
   * The channel's last `count` turns (default 10, at most 1000), oldest first, with the players'
   * names and each window's reveal (tally, what went to the narrator); [] when it has no game.
   */
  async story(channelId: string, count = 10): Promise<StoryTurn[]> {
    return this.#p.reads.story(channelId, count);
  }

  /** The channel's running game as an archive (saved game, whole history) and the channel's
   *  aggregation rule (to tell old turns' reveals), or null when no game runs there. */
  async exportGame(channelId: string): Promise<GameExport | null> {
    return this.#p.reads.exportGame(channelId);
  }

  /**
   * A page of the story so far of the channel's game (null when it has none): the `count`
   * turns (default 20, at most 100) before turn `before` (default: the newest), oldest first,
   * each with the scene shown after it, names and its reveal; the opening scene when the page
   * reaches the start. InvalidInputError for a bad count or turn.
   */
  async storyPage(
    channelId: string,
    options: { count?: number; before?: number } = {},
  ): Promise<StoryPage | null> {
    return this.#p.reads.storyPage(channelId, options);
  }

  /**
   * "While you were away": the turns of the channel's game recorded since `userId`'s last
   * press (the newest RECAP_MAX_TURNS of them, and their count), with their last turn; for a
   * player who never pressed in it, the last few turns. Null when they missed nothing or there
   * is no game.
   */
  async recap(channelId: string, userId: string): Promise<Recap | null> {
    return this.#p.reads.recap(channelId, userId);
  }

  /**
   * The channel's current view. On first use of a channel (e.g. after a restart) its game is
   * loaded from the store and an open countdown window is re-armed.
   */
  async view(channelId: string): Promise<ChannelView> {
    return (await this.#ready(channelId)).view();
  }

  /** Resolves once the channel's current turn resolution (if any) is over. */
  async settled(channelId: string): Promise<void> {
    const r = this.#p.channels.get(checkChannelId(channelId));
    await r?.resolving;
  }

  /**
   * Listens to a channel: 'view' on every change (press, countdown open, narrating, new scene,
   * failure, exit), 'text' deltas while the narrator streams, 'turn' when a turn is recorded.
   * Listeners are called synchronously; one that throws does not disturb the others. Returns
   * the unsubscribe function.
   */
  subscribe(channelId: string, listener: (e: HostEvent) => void): () => void {
    return this.#p.table.subscribe(checkChannelId(channelId), listener);
  }

  /**
   * The first step of a graceful stop: waits (at most `maxMs`) for the narrations running in
   * this process to finish and commit their turns, so their players see the scene. What is
   * still running when `close` follows is interrupted safely: the closed window's choices are
   * in the store and the turn is resolved again on the next start (Redis: by another process).
   */
  async drain(maxMs: number): Promise<void> {
    const running: Promise<void>[] = [];
    for (const r of this.#p.channels.all()) if (r.resolving !== null) running.push(r.resolving);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      // The finished turns' last events, too, reach this process' players before it closes.
      Promise.allSettled(running).then(() => this.#p.driver.delivered()),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, maxMs);
      }),
    ]).finally(() => clearTimeout(timer));
  }

  /** Stops every timer and aborts narrations; the store is not closed (the caller owns it). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const pending: Promise<void>[] = [];
    for (const r of this.#p.channels.all()) {
      const resolving = r.resolving;
      r.shutdown();
      if (resolving !== null) pending.push(resolving);
    }
    this.#p.channels.close();
    this.#p.registry.clear();
    this.#p.table.clear();
    // The aborted narrations settle at once (their epoch is over); wait so nothing runs after.
    await Promise.all(pending);
    await this.#p.driver.close();
  }

  #open(): void {
    if (this.#closed) throw new WrongStateError('the game host is closed');
  }

  /** The channel's runner, up to date (see ChannelDirectory.ready). */
  async #ready(channelId: string): Promise<ChannelRunner> {
    checkChannelId(channelId);
    this.#open();
    await this.#started;
    return this.#p.channels.ready(channelId);
  }

  /** The driver's call into the loop. */
  async #resolveTurn(closed: ClosedTurn, lease: TurnLease): Promise<TurnOutcome> {
    if (this.#closed) return 'interrupted';
    await this.#started;
    return this.#p.channels.resolveTurn(closed, lease);
  }
}
