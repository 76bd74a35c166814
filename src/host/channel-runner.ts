import {
  CountdownCancelledError,
  InvalidInputError,
  SessionInactiveError,
  StaleTurnError,
} from '../core/errors.js';
import type { GameSession, SubmitResult } from '../core/game-session.js';
import { type NarrationResult, type Narrator, NarratorError } from '../narrator/port.js';
import { GameEndedError, NarratingError, WrongStateError } from './errors.js';
import type { HostContext } from './host-context.js';
import { OpeningNarrations } from './opening-narrations.js';
import { allActiveChosen } from './permissions.js';
import { checkMayPress, countedPlayers } from './presence.js';
import { type Deciding, encodeHostExtra, type HostExtra } from './saved-state.js';
import { OverdueWindow, STORE_UNREACHABLE_NOTICE } from './store-faults.js';
import type { ClosedTurn, TurnLease, TurnOutcome } from './turn-driver.js';
import { TurnResolver } from './turn-resolution.js';
import type { ChannelView, HostUser } from './types.js';
import { buildView, type Phase } from './view.js';
import { checkXCard, withXCard } from './xcard.js';

/** A runner with a game (see `holds`). */
type HeldRunner = ChannelRunner & {
  session: GameSession;
  extra: HostExtra;
  narrator: Narrator;
};

/**
 * One channel's running game and its turn loop: watch the window; when it closes, hand the turn
 * to the driver, which grants a lease (here or in another process) and calls `resolve`
 * (TurnResolver): aggregate → narrate → commit → emit, or fail (kept for retry). Everything the
 * loop needs to resume lives in (session, extra), so `attach` can pick a game up in any state:
 * a fresh boot, a hot-swap, a restart in the middle of a turn, or a turn another process left
 * half done.
 */
export class ChannelRunner {
  readonly channelId: string;
  session: GameSession | null = null;
  extra: HostExtra | null = null;
  narrator: Narrator | null = null;
  phase: Phase = 'ready';
  error: string | null = null;
  notice: string | null = null;
  /** Settles once the channel's game was looked up in the store (first use in this process). */
  loaded: Promise<void> | null = null;
  /** Another process changed the channel since it was loaded here: reload before the next use. */
  stale = false;
  /** This process' part in the last closed window's resolution (never rejects). */
  resolving: Promise<void> | null = null;

  readonly #ctx: HostContext;
  // Bumped whenever the game is attached, detached or shut down: async work started under an
  // older epoch must not touch the channel any more.
  #epoch = 0;
  #watchedTurn = -1;
  #ops: Promise<unknown> = Promise.resolve();
  #busy = 0;
  readonly #overdue: OverdueWindow;
  readonly #resolver: TurnResolver;
  readonly #openings: OpeningNarrations;

  constructor(channelId: string, ctx: HostContext) {
    this.channelId = channelId;
    this.#ctx = ctx;
    this.#overdue = new OverdueWindow(ctx.clock, () => this.#windowOverdue());
    this.#resolver = new TurnResolver(this, ctx);
    this.#openings = new OpeningNarrations(channelId, ctx);
  }

  /** Bumped whenever the game is attached, detached or shut down (see #epoch). */
  get epoch(): number {
    return this.#epoch;
  }

  /** A game is running here (booted or loaded, not exited). */
  get running(): boolean {
    return this.session?.active === true && this.extra !== null;
  }

  get ended(): boolean {
    return this.extra?.scene.ended === true;
  }

  /** This process holds a lease on the channel's turn and is resolving it (its state is the
   *  truth for that turn: a reload now would only abort it). */
  get resolvingHere(): boolean {
    return this.#resolver.resolvingHere;
  }

  /** How many of the channel's turn resolutions have ended in this process (see reloads). */
  get resolvedHere(): number {
    return this.#resolver.resolvedHere;
  }

  /** Runs management operations (boot, exit, load, retry) one at a time per channel. */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    this.#busy++;
    const run = this.#ops.then(fn); // #ops never rejects: a failed operation does not stop the next
    this.#ops = run.catch(() => {}).finally(() => this.#busy--);
    return run;
  }

  /** A management operation is queued or running. */
  get busy(): boolean {
    return this.#busy > 0;
  }

  /** Takes over a game and resumes it exactly where its saved state says it is. */
  attach(session: GameSession, extra: HostExtra, narrator: Narrator): void {
    this.detach();
    this.session = session;
    this.extra = extra;
    this.narrator = narrator;
    this.notice = null;
    this.stale = false;
    if (extra.unresolved !== null) {
      this.phase = 'failed';
      this.error = extra.unresolved.error;
      return;
    }
    if (session.turnNumber > extra.sceneTurn) {
      // A window closed but its turn was never recorded (exit, swap or crash mid-narration, or
      // another process is on it): its choices are the session's last window.
      const lw = session.lastWindow;
      const choices = lw !== null && lw.turn === extra.sceneTurn ? new Map(lw.choices) : new Map();
      // Not announced: whoever attached shows the view (a reload after another process'
      // event must not echo it back to every process).
      this.#windowClosed(extra.sceneTurn, choices, false);
      return;
    }
    this.ensureWatch();
  }

  /** Whether this runner's game is the one of `closed`, on the turn right after its window
   *  (then session, extra and narrator are set: attach sets all three, clear none). */
  holds(closed: ClosedTurn): this is HeldRunner {
    const s = this.session;
    return (
      s?.active === true &&
      s.gameId === closed.gameId &&
      s.turnNumber === closed.turn + 1 &&
      this.extra?.sceneTurn === closed.turn &&
      this.narrator !== null
    );
  }

  /** Stops the loop's async work for the current game (the session itself is left alone). */
  detach(): void {
    this.#epoch++;
    this.#resolver.abort(new NarratorError('aborted', 'the game was exited or swapped out'));
    this.#watchedTurn = -1;
    this.#overdue.stop();
    this.phase = 'ready';
    this.error = null;
    this.resolving = null;
  }

  /** Forgets the game (after exit or swap-out elsewhere); `notice` is shown in the idle view. */
  clear(notice: string | null): void {
    this.detach();
    this.session = null;
    this.extra = null;
    this.narrator = null;
    this.notice = notice;
  }

  /** Host shutdown: stops everything, openings included, and disposes the session's timers. */
  shutdown(): void {
    this.#openings.abortAll(new NarratorError('aborted', 'the host is closing'));
    this.detach();
    this.session?.dispose();
  }

  /** The opening scene of a new game, under the narrator timeout; text is streamed here. */
  open(
    narrator: Narrator,
    gameId: string,
    gameName: string,
    bootedBy: string,
  ): Promise<NarrationResult> {
    return this.#openings.open(narrator, gameId, gameName, bootedBy);
  }

  async press(
    user: HostUser,
    turn: number,
    choice: string,
    gameId: string | undefined,
  ): Promise<SubmitResult> {
    const s = this.session;
    const x = this.extra;
    if (s === null || x === null || !s.active)
      throw new SessionInactiveError('no game is running in this channel; boot or load one');
    // A button of a game swapped out since: stale, whatever turn the new game is on.
    if (gameId !== undefined && gameId !== s.gameId) throw new StaleTurnError(turn, s.turnNumber);
    if (this.phase !== 'ready') throw new NarratingError(this.phase);
    if (x.scene.ended) throw new GameEndedError();
    if (turn !== s.turnNumber) throw new StaleTurnError(turn, s.turnNumber);
    if (!x.scene.choices.includes(choice))
      throw new InvalidInputError('choice', "is not one of this scene's choices");
    const here = this.#ctx.here(this.channelId);
    checkMayPress(here.find((u) => u.userId === user.id) ?? null, turn);
    // Also after a refused press: one past the deadline has the session close the window (its
    // timer's close may have failed), and the turn must follow that close.
    const out = await s.submitChoice(user.id, user.name, choice, { turn }).finally(() => {
      this.ensureWatch();
    });
    this.emitView();
    await this.closeIfAllChosen();
    return out;
  }

  /**
   * The X-card on the scene of `turn`: the turn closes now (its window's choices, if any, are
   * void) and the loop has the narrator write the scene again. Marked with the game before the
   * close, so whichever process resolves the turn rewrites it. A second X-card on a scene
   * already set aside changes nothing. Nothing records who asked.
   */
  async setAside(user: HostUser, turn: number, gameId: string | undefined): Promise<void> {
    const s = this.session;
    const x = this.extra;
    const narrator = this.narrator;
    if (s === null || x === null || narrator === null || !s.active)
      throw new SessionInactiveError('no game is running in this channel');
    if (gameId !== undefined && gameId !== s.gameId) throw new StaleTurnError(turn, s.turnNumber);
    if (x.aside === turn && s.turnNumber === turn + 1) return;
    if (this.phase !== 'ready' || s.turnNumber > x.sceneTurn)
      throw new NarratingError(this.phase === 'ready' ? 'narrating' : this.phase);
    if (turn !== s.turnNumber) throw new StaleTurnError(turn, s.turnNumber);
    checkMayPress(this.#ctx.here(this.channelId).find((u) => u.userId === user.id) ?? null, turn);
    checkXCard(x, turn, narrator);
    const marked: HostExtra = { ...x, aside: turn, xcards: withXCard(x.xcards, turn) };
    // No press is taken here from now on: the scene is on its way out.
    this.phase = 'narrating';
    this.extra = marked;
    s.extra = encodeHostExtra(marked);
    const watched = this.#watchedTurn === turn;
    this.#watchedTurn = turn;
    let choices: Map<string, string>;
    try {
      await s.save();
      choices = await s.setSceneAside();
    } catch (e) {
      if (s.turnNumber === turn) {
        this.phase = 'ready';
        this.extra = x;
        s.extra = encodeHostExtra(x);
        if (!watched) this.#watchedTurn = -1;
        // The turn did not close: a mark already stored must not void its window later.
        await s.save().catch(() => {});
      }
      throw e;
    }
    // An open window watched here resolves through its watch; otherwise the turn starts here.
    if (!watched) this.#windowClosed(turn, choices, true);
  }

  /** Closes the open window early when the channel asks for it and every player it counts has
   *  chosen (after a press, or when someone left or started watching). */
  async closeIfAllChosen(): Promise<void> {
    const s = this.session;
    const x = this.extra;
    if (
      s !== null &&
      x !== null &&
      this.phase === 'ready' &&
      this.#ctx.settings(this.channelId).closeWhenAllChosen &&
      s.windowDeadlineMs !== null &&
      allActiveChosen(
        countedPlayers(this.#ctx.here(this.channelId), x.lastPressed, s.turnNumber),
        s.pendingChoices,
      )
    ) {
      // A window its timer closed meanwhile is fine: the watch resolves it either way.
      await s.closeCountdownEarly().catch(() => {});
    }
  }

  /** Follows the open window (if any) to its close, then has its turn resolved. Idempotent. */
  ensureWatch(): void {
    const s = this.session;
    if (s === null || s.windowDeadlineMs === null) return;
    const turn = s.turnNumber;
    if (this.#watchedTurn === turn) return;
    this.#watchedTurn = turn;
    this.#overdue.watch(s.windowDeadlineMs);
    const epoch = this.#epoch;
    s.waitForCountdown().then(
      (choices) => {
        if (epoch === this.#epoch) this.#windowClosed(turn, choices, true);
      },
      (e: unknown) => {
        if (epoch !== this.#epoch || e instanceof CountdownCancelledError) return;
        this.#overdue.stop();
        this.#watchedTurn = -1;
        this.error = `The countdown could not be closed: ${(e as Error).message}`;
        this.emitView();
      },
    );
  }

  /** Re-runs a failed turn with its kept choices; resolves when the attempt is over. */
  retry(): Promise<void> {
    // A failure kept with the game is what 'failed' means: attach and the loop set both together.
    const un = this.extra?.unresolved ?? null;
    if (un === null) throw new WrongStateError('nothing to retry: the last turn did not fail');
    const p = this.#ctx.driver.retry(this.#closed(un.turn, new Map(un.choices)));
    this.resolving = p;
    return p;
  }

  view(): ChannelView {
    const d = this.extra?.deciding ?? null;
    const decision =
      d !== null && d.choice === null && (this.phase === 'deciding' || this.phase === 'narrating')
        ? { userId: d.userId, options: [...d.options] }
        : null;
    const settings = this.#ctx.settings(this.channelId);
    return buildView({
      channelId: this.channelId,
      session: this.session,
      extra: this.extra,
      phase: this.phase,
      error: this.error,
      notice: this.notice,
      decision,
      rule: settings.aggregation,
      closeWhenAllChosen: settings.closeWhenAllChosen,
      anyoneMayManage: settings.anyoneMayManage,
      nowMs: this.#ctx.clock.now(),
      here: this.#ctx.here(this.channelId),
    });
  }

  emitView(): void {
    this.#ctx.driver.publish(this.channelId, { type: 'view', view: this.view() });
  }

  /** A 'host decides' pick was stored with the game (from this process or another). */
  noteDecision(gameId: string, deciding: Deciding): void {
    const s = this.session;
    if (s === null || this.extra === null || s.gameId !== gameId) return;
    this.extra = { ...this.extra, deciding };
    s.extra = encodeHostExtra(this.extra);
  }

  /**
   * The turn loop, the one path from a closed window to the next scene in every mode: called by
   * the driver under the turn's lease (see TurnResolver).
   */
  resolve(closed: ClosedTurn, lease: TurnLease): Promise<TurnOutcome> {
    return this.#resolver.resolve(closed, lease);
  }

  #closed(turn: number, choices: Map<string, string>): ClosedTurn {
    return { channelId: this.channelId, gameId: this.session?.gameId ?? '', turn, choices };
  }

  /** The open window is well past its deadline: tell the players if the store is why. */
  #windowOverdue(): void {
    const s = this.session;
    if (this.phase !== 'ready' || s === null || s.windowDeadlineMs === null) return;
    if (!s.windowCloseFailing) {
      this.#overdue.watch(this.#ctx.clock.now()); // still closing: look again later
      return;
    }
    this.notice = STORE_UNREACHABLE_NOTICE;
    this.emitView();
  }

  /** A window closed: show 'narrating' and have the driver resolve its turn. */
  #windowClosed(turn: number, choices: Map<string, string>, announce: boolean): void {
    this.#overdue.stop();
    this.phase = 'narrating';
    this.error = null;
    this.notice = null;
    if (announce) this.emitView();
    // When the window closed here, for the close → scene latency (one entry per open turn).
    this.#resolver.windowClosed(turn);
    this.resolving = this.#ctx.driver.windowClosed(this.#closed(turn, choices));
  }
}
