import { FencedCommitError, GameNotFoundError } from '../core/errors.js';
import type { GameSession } from '../core/game-session.js';
import type { TurnRecord } from '../core/turn-record.js';
import { type Narrator, pluralityChoice } from '../narrator/port.js';
import { type HostContext, publishText } from './host-context.js';
import { narrationFailure } from './metrics.js';
import { failureMessage, narrateTurn } from './narration.js';
import { encodeHostExtra, type HostExtra, parseHostExtra } from './saved-state.js';
import { keptScene, storyTurn, withOutcome } from './story.js';
import type { ClosedTurn, TurnLease, TurnOutcome } from './turn-driver.js';
import type { Phase } from './view.js';

/** The channel whose turns a TurnResolver resolves (its ChannelRunner). */
export interface ResolvingChannel {
  readonly channelId: string;
  readonly session: GameSession | null;
  extra: HostExtra | null;
  readonly narrator: Narrator | null;
  phase: Phase;
  error: string | null;
  notice: string | null;
  /** Bumped whenever the game is attached, detached or shut down: work started under an older
   *  epoch must not touch the channel any more. */
  readonly epoch: number;
  /** Whether the channel's game is the one of `closed`, on the turn right after its window
   *  (then it has a game: session, extra and narrator). */
  holds(closed: ClosedTurn): this is HeldChannel;
  emitView(): void;
}

/** A ResolvingChannel whose game is running (`holds` says which turn it is on). */
interface HeldChannel {
  readonly session: GameSession;
  extra: HostExtra;
  readonly narrator: Narrator;
}

/**
 * The turn loop's resolution step for one channel, the one path from a closed window to the next
 * scene in every mode: aggregate the window's choices → narrate → commit with the new scene →
 * emit, or fail (kept with the game for a retry). Owns what only a resolution in progress needs:
 * its abort controller and when the window closed here (for the close → scene latency).
 */
export class TurnResolver {
  readonly #c: ResolvingChannel;
  readonly #ctx: HostContext;
  #abort: AbortController | null = null;
  #resolvingHere = 0;
  #resolvedHere = 0;
  readonly #closedAt = new Map<number, number>();

  constructor(channel: ResolvingChannel, ctx: HostContext) {
    this.#c = channel;
    this.#ctx = ctx;
  }

  /** This process holds a lease on the channel's turn and is resolving it. */
  get resolvingHere(): boolean {
    return this.#resolvingHere > 0;
  }

  /** How many resolutions have ended here: a store read that began before one ended may
   *  predate its commit. */
  get resolvedHere(): number {
    return this.#resolvedHere;
  }

  /** Aborts the narration in progress (the game was detached). */
  abort(reason: Error): void {
    this.#abort?.abort(reason);
    this.#abort = null;
  }

  /** A window closed in this process now (one entry per open turn). */
  windowClosed(turn: number): void {
    this.#closedAt.clear();
    this.#closedAt.set(turn, this.#ctx.clock.now());
  }

  /**
   * Called by the driver under the turn's lease. A turn that failed before is narrated again
   * only when a player asked (`lease.retry`). Resolves when the turn is committed, failed, or
   * given up.
   */
  async resolve(closed: ClosedTurn, lease: TurnLease): Promise<TurnOutcome> {
    const c = this.#c;
    // The one place that decides a closed turn is not this channel's to resolve now.
    if (!c.holds(closed)) return 'skipped';
    const s = c.session;
    const narrator = c.narrator;
    let x = c.extra;
    if (x.unresolved !== null && !lease.retry) return 'skipped';
    const epoch = c.epoch;
    const controller = new AbortController();
    const onLost = (): void => controller.abort(lease.signal.reason);
    lease.signal.addEventListener('abort', onLost, { once: true });
    this.#abort = controller;
    this.#resolvingHere++;
    const kept = x.unresolved?.turn === closed.turn ? x.unresolved.decided : undefined;
    const took = this.#ctx.clock.now();
    let pick: string | null = null;
    try {
      // Usually already shown when the window closed; a retry or a takeover shows it here.
      const shown = c.phase === 'narrating' && x.unresolved === null;
      c.phase = 'narrating';
      c.error = null;
      c.notice = null;
      if (x.unresolved !== null) {
        x = { ...x, unresolved: null };
        c.extra = x;
        s.extra = encodeHostExtra(x);
        await s.save(); // a channel reloaded anywhere now shows 'narrating', not 'failed'
      }
      if (!shown) c.emitView();
      // A scene set aside (the X-card): its window's choices are void, nothing to aggregate.
      const aside = x.aside === closed.turn;
      pick = aside
        ? null
        : kept !== undefined
          ? kept
          : await this.#aggregate(closed, s, x, controller.signal);
      if (epoch !== c.epoch) return 'interrupted';
      x = c.extra ?? x;
      const began = this.#ctx.clock.now();
      let first = true;
      const narrated = await narrateTurn({
        narrator,
        session: s,
        extra: x,
        turn: closed.turn,
        choices: closed.choices,
        decided: pick,
        controller,
        clock: this.#ctx.clock,
        timeoutMs: this.#ctx.narratorTimeoutMs,
        onText: (delta) => {
          if (epoch !== c.epoch || delta === '') return;
          publishText(this.#ctx, c.channelId, delta, first);
          first = false;
        },
      }).catch((e: unknown) => {
        if (epoch === c.epoch && !lease.signal.aborted)
          this.#ctx.metrics.narration('turn', this.#ctx.clock.now() - began, narrationFailure(e));
        throw e;
      });
      this.#ctx.metrics.narration('turn', this.#ctx.clock.now() - began, null);
      if (epoch !== c.epoch) return 'interrupted';
      const { summary } = narrated;
      const rule = this.#ctx.settings(c.channelId).aggregation;
      const sent = aside ? [] : pick === null ? [...new Set(closed.choices.values())] : [pick];
      const next: HostExtra = {
        ...narrated.next,
        outcomes: withOutcome(narrated.next.outcomes, {
          turn: closed.turn,
          rule,
          sent,
          ...(aside ? { aside: true as const } : {}),
        }),
      };
      // A void window's choices are not part of the story: its record has none.
      const recorded = aside ? new Map<string, string>() : closed.choices;
      // The new scene, narrator state and outcome are saved in the same store write as the turn.
      s.extra = encodeHostExtra(next);
      let record: TurnRecord;
      try {
        record = await lease.commit(s, recorded, summary, keptScene(next.scene));
      } catch (e) {
        s.extra = encodeHostExtra(x);
        throw e;
      }
      if (epoch !== c.epoch) return 'committed';
      c.extra = next;
      c.phase = 'ready';
      this.#ctx.driver.publish(c.channelId, {
        type: 'turn',
        channelId: c.channelId,
        record,
        story: storyTurn(record, s.players, next.outcomes, rule, next.bootedBy),
      });
      c.emitView();
      this.#ctx.metrics.sceneShown(
        this.#ctx.clock.now() - (this.#closedAt.get(closed.turn) ?? took),
      );
      this.#closedAt.delete(closed.turn);
      return 'committed';
    } catch (e) {
      // Lost lease: the turn is another process' now, and its events will say how it went.
      if (epoch !== c.epoch || lease.signal.aborted || e instanceof FencedCommitError)
        return 'interrupted';
      await this.#fail(s, c.extra ?? x, closed, pick, e);
      return 'failed';
    } finally {
      lease.signal.removeEventListener('abort', onLost);
      if (this.#abort === controller) this.#abort = null;
      this.#resolvingHere--;
      this.#resolvedHere++;
    }
  }

  /**
   * How the closed window's choices reach the narrator: every choice ('all'), the most chosen
   * ('plurality'), or the booting player's pick among them ('host'). A pending pick is stored
   * with the game, so every process shows it, `decide` may arrive at any of them, and a
   * resolver that dies leaves it for the next one.
   */
  async #aggregate(
    closed: ClosedTurn,
    s: GameSession,
    x: HostExtra,
    signal: AbortSignal,
  ): Promise<string | null> {
    const c = this.#c;
    const mode = this.#ctx.settings(c.channelId).aggregation;
    if (mode === 'all') return null;
    if (mode === 'plurality') return pluralityChoice(closed.choices);
    const options = [...new Set(closed.choices.values())];
    if (options.length <= 1) return options[0] ?? null;
    if (x.deciding?.turn !== closed.turn) {
      const deciding = { turn: closed.turn, userId: x.bootedBy ?? '', options, choice: null };
      c.extra = { ...x, deciding };
      s.extra = encodeHostExtra(c.extra);
      await s.save();
    }
    c.phase = 'deciding';
    c.emitView();
    for (;;) {
      const saved = await this.#ctx.store.loadGame(closed.gameId);
      if (saved === null) throw new GameNotFoundError(closed.gameId);
      const d = parseHostExtra(saved.extra).deciding;
      if (d !== null && d.turn === closed.turn && d.choice !== null) {
        if (c.extra !== null) c.extra = { ...c.extra, deciding: null };
        c.phase = 'narrating';
        c.emitView();
        return d.choice;
      }
      await this.#ctx.driver.awaitDecision(closed.gameId, closed.turn, signal);
    }
  }

  async #fail(
    s: GameSession,
    x: HostExtra,
    closed: ClosedTurn,
    decided: string | null,
    error: unknown,
  ): Promise<void> {
    const c = this.#c;
    const message = failureMessage(error);
    const unresolved = { turn: closed.turn, choices: [...closed.choices], decided, error: message };
    c.extra = { ...x, deciding: null, unresolved };
    s.extra = encodeHostExtra(c.extra);
    c.phase = 'failed';
    c.error = message;
    try {
      await s.save();
    } catch {
      // The store is unreachable: the window's choices are safe in its lastWindow, and a
      // reload of this game re-runs the turn.
    }
    // Shown once stored: a process that reloads the channel on seeing it must read the failure,
    // or it would take the turn for one nobody narrated yet and run it again unasked.
    c.emitView();
  }
}
