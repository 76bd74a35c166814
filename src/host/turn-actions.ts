import type { Clock } from '../core/clock.js';
import { SessionInactiveError } from '../core/errors.js';
import { checkChannelId } from '../core/limits.js';
import type { SessionStore } from '../core/store-port.js';
import type { ChannelDirectory } from './channel-directory.js';
import type { ChannelRunner } from './channel-runner.js';
import type { ChannelSessions } from './channel-sessions.js';
import { storeDecision } from './decisions.js';
import { NarratingError } from './errors.js';
import type { HostRateLimits } from './host-rate-limits.js';
import { checkUser } from './input-checks.js';
import { type HostMetrics, pressOutcome } from './metrics.js';
import type { TurnDriver } from './turn-driver.js';
import type { ChannelView, HostUser, PressResult } from './types.js';

export interface TurnActionsDeps {
  store: SessionStore;
  clock: Clock;
  driver: TurnDriver;
  metrics: HostMetrics;
  limits: HostRateLimits;
  sessions: ChannelSessions;
  channels: ChannelDirectory;
  /** Throws WrongStateError once the host is closed. */
  checkOpen(): void;
  /** The channel's runner, up to date (GameHost's: refuses once the host is closed). */
  ready(channelId: string): Promise<ChannelRunner>;
}

/**
 * What players do within a turn of the channel's game: press a choice, set the scene aside
 * (the X-card), pick the choice the narrator follows ('host decides'), retry a failed
 * narration. The documentation is on GameHost's methods of the same names.
 */
export class TurnActions {
  readonly #d: TurnActionsDeps;

  constructor(deps: TurnActionsDeps) {
    this.#d = deps;
  }

  async press(
    channelId: string,
    user: HostUser,
    turn: number,
    choice: string,
    options?: { gameId?: string },
  ): Promise<PressResult> {
    const d = this.#d;
    try {
      checkUser(user);
      checkChannelId(channelId);
      d.checkOpen();
      d.limits.press(channelId, user.id);
      let r = await d.ready(channelId);
      const attempt = (on: ChannelRunner) =>
        d.channels.guard(on.channelId, 'your press', on.press(user, turn, choice, options?.gameId));
      const out = await attempt(r).catch(async (e: unknown) => {
        if (e instanceof SessionInactiveError && (await d.sessions.forgetIfGone(r)))
          throw new SessionInactiveError(r.notice ?? e.message);
        // Another process may have committed the turn a moment before its events arrive here
        // (the player saw the new scene through that process): ask the store before refusing.
        // Not for a press that names this copy's game (another is refused STALE_TURN before
        // this) on the scene shown here: a change of mind that came after its window closed
        // (every player had chosen), refused whatever the store says, for which a reload
        // would only cost a read and a re-attach of the channel.
        const onShownScene =
          options?.gameId !== undefined && turn <= (r.extra?.sceneTurn ?? Number.NEGATIVE_INFINITY);
        if (
          e instanceof NarratingError &&
          d.driver.sharesChannels &&
          !r.resolvingHere &&
          !onShownScene
        ) {
          r = await d.channels.reread(r.channelId);
          return attempt(r);
        }
        throw e;
      });
      d.metrics.press('accepted');
      return { ...out, view: r.view() };
    } catch (e) {
      d.metrics.press(pressOutcome(e));
      throw e;
    }
  }

  async xcard(
    channelId: string,
    user: HostUser,
    turn: number,
    options?: { gameId?: string },
  ): Promise<ChannelView> {
    checkUser(user);
    checkChannelId(channelId);
    this.#d.checkOpen();
    this.#d.limits.press(channelId, user.id);
    const r = await this.#d.ready(channelId);
    await r.setAside(user, turn, options?.gameId);
    return r.view();
  }

  async decide(
    channelId: string,
    user: HostUser,
    choice: string,
    expect: { gameId?: string; turn?: number },
  ): Promise<ChannelView> {
    const d = this.#d;
    checkUser(user);
    const r = await d.ready(channelId);
    const { gameId, deciding } = await storeDecision(
      d.store,
      d.clock,
      r.channelId,
      user,
      choice,
      expect,
    );
    r.noteDecision(gameId, deciding);
    d.driver.decided(gameId, deciding.turn);
    return r.view();
  }

  async retry(channelId: string, user: HostUser): Promise<ChannelView> {
    checkUser(user);
    const r = await this.#d.ready(channelId);
    // Only the start is exclusive: an exit during the narration must not wait for it.
    const attempt = await r.exclusive(async () => ({ done: r.retry() }));
    await attempt.done;
    return r.view();
  }
}
