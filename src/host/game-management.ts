import { GameNotFoundError, SessionInactiveError } from '../core/errors.js';
import { GameSession } from '../core/game-session.js';
import { hotSwap } from '../core/games.js';
import { checkGameName } from '../core/limits.js';
import type { SessionRegistry } from '../core/registry.js';
import type { SessionStore } from '../core/store-port.js';
import type { ChannelDirectory } from './channel-directory.js';
import type { ChannelRunner } from './channel-runner.js';
import type { ChannelSessions } from './channel-sessions.js';
import { checkScene, defaultTitle } from './input-checks.js';
import {
  checkMayChangeCountdown,
  checkMayReplace,
  checkMayTake,
  chosenCountdown,
} from './permissions.js';
import { encodeHostExtra, type HostExtra, parseHostExtra } from './saved-state.js';
import { keptScene } from './story.js';
import type { ChannelSettings, ChannelView, GameSpec, HostUser } from './types.js';

export interface GameManagementDeps {
  store: SessionStore;
  /** The host's own registry of running sessions. */
  registry: SessionRegistry;
  sessions: ChannelSessions;
  channels: ChannelDirectory;
  /** GameHostOptions.countdownSeconds: the host-wide default window. */
  countdownSeconds: number | undefined;
  settings(channelId: string): ChannelSettings;
}

/**
 * What GameHost does to a channel's game as a whole: boot one, exit it, load (hot-swap) a saved
 * one, change the channel's countdown. Each runs as the channel's exclusive operation, on a
 * runner the host made ready and with arguments it checked; the rules are GameHost's (see its
 * methods of the same names).
 */
export class GameManagement {
  readonly #d: GameManagementDeps;

  constructor(deps: GameManagementDeps) {
    this.#d = deps;
  }

  async boot(
    r: ChannelRunner,
    user: HostUser,
    spec: GameSpec,
    requestedTitle: string | undefined,
  ): Promise<ChannelView> {
    const d = this.#d;
    return d.channels.exclusive(r, 'the boot', async () => {
      checkMayReplace(r, user, d.settings(r.channelId));
      const narrator = d.sessions.makeNarrator(spec);
      const title = checkGameName(requestedTitle ?? narrator.title ?? defaultTitle(spec));
      // The countdown chosen for the channel (kept apart from its games) first.
      const chosen = chosenCountdown(await d.store.channelSettings(r.channelId));
      const countdownSeconds =
        chosen ?? d.settings(r.channelId).countdownSeconds ?? d.countdownSeconds;
      const session = new GameSession(r.channelId, title, undefined, {
        ...d.sessions.options(),
        ...(countdownSeconds !== undefined ? { countdownSeconds } : {}),
      });
      const opening = await r.open(narrator, session.gameId, title, user.id);
      const scene = checkScene(opening.scene);
      const extra: HostExtra = {
        spec,
        scene,
        narratorState: opening.state ?? null,
        sceneTurn: 0,
        bootedBy: user.id,
        lastPressed: new Map(),
        unresolved: null,
        deciding: null,
        outcomes: [],
        opening: keptScene(scene),
        aside: null,
        xcards: [],
      };
      await d.sessions.setAsideDamaged(r);
      await d.sessions.unload(r, null);
      session.extra = encodeHostExtra(extra);
      await session.boot(title);
      d.registry.set(r.channelId, session);
      r.attach(session, extra, narrator);
      r.emitView();
      return r.view();
    });
  }

  async exit(r: ChannelRunner, user: HostUser): Promise<ChannelView> {
    const d = this.#d;
    return d.channels.exclusive(r, 'the exit', async () => {
      if (!r.running)
        throw new SessionInactiveError('no game is running in this channel; nothing to exit');
      checkMayReplace(r, user, d.settings(r.channelId), true);
      await d.sessions.unload(r, 'exit');
      r.emitView();
      return r.view();
    });
  }

  async load(r: ChannelRunner, user: HostUser, gameId: string): Promise<ChannelView> {
    const d = this.#d;
    return d.channels.exclusive(r, 'the swap', async () => {
      if (r.running && r.session?.gameId === gameId) return r.view();
      checkMayReplace(r, user, d.settings(r.channelId));
      const saved = await d.store.loadGame(gameId);
      if (saved === null) throw new GameNotFoundError(gameId);
      // Validate before anything changes: a game no GameHost made cannot be resumed.
      const savedExtra = parseHostExtra(saved.extra);
      checkMayTake(r.channelId, saved, savedExtra.bootedBy, user, (ch) => d.settings(ch));
      const narrator = d.sessions.makeNarrator(savedExtra.spec);
      await d.sessions.setAsideDamaged(r);
      const old = r.session;
      r.detach();
      let session: GameSession;
      try {
        session = await hotSwap(r.channelId, gameId, d.store, {
          ...d.sessions.options(),
          registry: d.registry,
        });
      } catch (e) {
        if (old !== null && r.extra !== null && r.narrator !== null)
          r.attach(old, r.extra, r.narrator);
        throw e;
      }
      d.sessions.releaseElsewhere(d.channels.all(), r.channelId, gameId);
      r.attach(session, parseHostExtra(session.extra), narrator);
      r.emitView();
      return r.view();
    });
  }

  /** `seconds`: already checked (checkChannelCountdown). */
  async setCountdown(r: ChannelRunner, user: HostUser, seconds: number): Promise<ChannelView> {
    const d = this.#d;
    return r.exclusive(async () => {
      checkMayChangeCountdown(r, user, d.settings(r.channelId));
      const s = r.running ? r.session : null;
      const kept = await d.store.channelSettings(r.channelId);
      await d.store.setChannelSettings(r.channelId, { ...kept, countdownSeconds: seconds });
      // The running game's windows, from the next one (kept with the game: every process sees it).
      if (s !== null) await s.changeCountdown(seconds);
      r.emitView();
      return r.view();
    });
  }
}
