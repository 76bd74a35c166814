import type { Clock } from '../core/clock.js';
import {
  GameSessionError,
  InvalidInputError,
  SessionDataError,
  SessionInactiveError,
} from '../core/errors.js';
import { GameSession, type GameSessionOptions, type TitleScreen } from '../core/game-session.js';
import type { SessionRegistry } from '../core/registry.js';
import type { SessionDict } from '../core/session-state.js';
import type { SessionStore } from '../core/store-port.js';
import type { Narrator } from '../narrator/port.js';
import type { ChannelRunner } from './channel-runner.js';
import { type HostExtra, parseHostExtra } from './saved-state.js';
import type { GameSpec, HostLog, NarratorFactory } from './types.js';

export interface ChannelSessionsDeps {
  store: SessionStore;
  registry: SessionRegistry;
  narrators: NarratorFactory;
  clock: Clock;
  titleScreen: TitleScreen | undefined;
  /** Whether the owning GameHost has been closed (read at each use). */
  isClosed: () => boolean;
  log: HostLog;
}

/** Shown in a channel whose bound game cannot be read from the store. */
const DAMAGED_NOTICE =
  "This channel's game cannot be read (its saved data is damaged). Boot or load another game: the damaged one is then set aside for the operator to inspect.";

/**
 * GameHost's bookkeeping of the GameSession attached to each channel's runner: restoring it
 * from the store, reloading it, saving and unloading it, and releasing a game another channel
 * took over. Keeps the host's SessionRegistry in step with the runners.
 */
export class ChannelSessions {
  readonly #d: ChannelSessionsDeps;
  /** Channels whose bound game could not be read, and why. */
  readonly #damaged = new Map<string, string>();

  constructor(deps: ChannelSessionsDeps) {
    this.#d = deps;
  }

  /** The options every GameSession of the host is built with. */
  options(): GameSessionOptions {
    const o: GameSessionOptions = { clock: this.#d.clock, store: this.#d.store };
    if (this.#d.titleScreen !== undefined) o.titleScreen = this.#d.titleScreen;
    return o;
  }

  /** The narrator for `spec`; InvalidInputError when the factory refuses it. */
  makeNarrator(spec: GameSpec): Narrator {
    try {
      return this.#d.narrators(spec);
    } catch (e) {
      if (e instanceof GameSessionError) throw e;
      throw new InvalidInputError('spec', `no narrator for this game (${(e as Error).message})`);
    }
  }

  /**
   * The channel's bound game as stored. One whose data cannot be read (SessionDataError) is
   * reported to the operator and read as none: the channel is idle with a notice, and the next
   * boot or load sets the damaged game aside (setAsideDamaged) instead of failing on it.
   */
  async readChannel(channelId: string): Promise<SessionDict | null> {
    try {
      const saved = await this.#d.store.loadChannel(channelId);
      this.#damaged.delete(channelId);
      return saved;
    } catch (e) {
      if (!(e instanceof SessionDataError)) throw e;
      this.#damaged.set(channelId, e.message);
      this.#d.log.warn(
        { channelId, field: e.field, error: e.message },
        "the channel's game cannot be read from the store (damaged data); it is set aside at the channel's next boot or load",
      );
      return null;
    }
  }

  /** Before a game takes the channel: moves a damaged bound game aside (kept in the store for
   *  inspection, out of the list), so the new one is not refused because of it. */
  async setAsideDamaged(r: ChannelRunner): Promise<void> {
    const why = this.#damaged.get(r.channelId);
    if (why === undefined) return;
    const gameId = await this.#d.store.setAsideUnreadable(r.channelId, this.#d.clock.now());
    this.#damaged.delete(r.channelId);
    if (r.notice === DAMAGED_NOTICE) r.notice = null;
    if (gameId !== null)
      this.#d.log.warn(
        { channelId: r.channelId, gameId, error: why },
        'a damaged game was set aside (unbound from its channel, kept in the store)',
      );
  }

  /** Attaches the channel's saved active game (looked up unless `known` is given), if any. */
  async restore(r: ChannelRunner, known?: SessionDict | null): Promise<void> {
    const saved = known !== undefined ? known : await this.readChannel(r.channelId);
    if (saved === null && this.#damaged.has(r.channelId)) r.notice = DAMAGED_NOTICE;
    if (saved === null || !saved.active || r.session !== null || this.#d.isClosed()) return;
    let extra: HostExtra;
    let narrator: Narrator;
    try {
      extra = parseHostExtra(saved.extra);
      narrator = this.makeNarrator(extra.spec);
    } catch (e) {
      r.error = `This channel's game ${saved.game_id} cannot be resumed (${(e as Error).message}); boot or load another.`;
      return;
    }
    const session = GameSession.fromDict(saved, this.options());
    this.#d.registry.set(r.channelId, session);
    r.attach(session, extra, narrator);
  }

  /** Drops the runner's session (without saving) and restores it from `saved`. */
  async reload(r: ChannelRunner, saved: SessionDict | null): Promise<void> {
    r.session?.dispose();
    this.#d.registry.remove(r.channelId);
    r.clear(r.notice);
    await this.restore(r, saved);
  }

  /** Saves and exits the channel's running game (if any) and forgets it. */
  async unload(r: ChannelRunner, why: 'exit' | null): Promise<void> {
    const old = r.session;
    if (old === null) return;
    const extra = r.extra;
    const narrator = r.narrator;
    r.detach();
    let message = '';
    if (old.active) {
      try {
        message = await old.exitGame();
      } catch (e) {
        if (extra !== null && narrator !== null) r.attach(old, extra, narrator);
        // The store lost the game: there is nothing to save, and the channel is idle now.
        if (e instanceof SessionInactiveError && (await this.forgetIfGone(r))) return;
        throw e;
      }
    }
    this.#d.registry.remove(r.channelId);
    r.clear(why === 'exit' ? message : null);
  }

  /**
   * A store command for the runner's game answered SESSION_INACTIVE. When the store no longer
   * runs that game in this channel (its data was lost: FLUSHALL, a restart without
   * persistence; or it was exited elsewhere), forgets it so the channel is idle, tells the
   * players (a view with a notice) and returns true; false when the store still runs it here.
   */
  async forgetIfGone(r: ChannelRunner): Promise<boolean> {
    const session = r.session;
    if (session === null) return false;
    const gameId = session.gameId;
    const saved = await this.#d.store.loadChannel(r.channelId);
    if (saved?.active === true && saved.game_id === gameId) return false;
    if (r.session !== session) return true; // forgotten meanwhile
    const kept = saved?.game_id === gameId || (await this.#d.store.loadGame(gameId)) !== null;
    session.dispose();
    this.#d.registry.remove(r.channelId);
    r.clear(
      kept
        ? `Game ${gameId} no longer runs in this channel; boot or load a game.`
        : `The store lost game ${gameId} (its data is gone); the channel is idle: boot or load a game.`,
    );
    r.emitView();
    return true;
  }

  /** The runner is let go from memory (idle): the registry forgets its session. */
  release(r: ChannelRunner): void {
    if (this.#d.registry.get(r.channelId) === r.session) this.#d.registry.remove(r.channelId);
    this.#damaged.delete(r.channelId);
  }

  /** A game just swapped into `channelId` was running in another channel of this process. */
  releaseElsewhere(runners: Iterable<ChannelRunner>, channelId: string, gameId: string): void {
    for (const other of runners) {
      if (other.channelId === channelId || other.session?.gameId !== gameId) continue;
      other.session.dispose();
      this.#d.registry.remove(other.channelId);
      other.clear(`This game was loaded into another channel (${channelId}).`);
      other.emitView();
    }
  }
}
