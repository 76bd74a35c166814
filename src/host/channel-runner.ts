import type { Clock } from '../core/clock.js';
import {
  CountdownCancelledError,
  InvalidInputError,
  SessionInactiveError,
  StaleTurnError,
} from '../core/errors.js';
import type { GameSession, SubmitResult } from '../core/game-session.js';
import type { TurnRecord } from '../core/turn-record.js';
import {
  type NarrationResult,
  type Narrator,
  NarratorError,
  pluralityChoice,
} from '../narrator/port.js';
import { GameEndedError, NarratingError, type ResolvingPhase, WrongStateError } from './errors.js';
import { encodeHostExtra, type HostExtra } from './host-extra.js';
import { failureMessage, narrateTurn, underDeadline } from './narration.js';
import { allActiveChosen, checkDecision } from './permissions.js';
import type { ChannelSettings, ChannelView, HostEvent, HostUser } from './types.js';
import { buildView } from './view.js';

/** What a channel runner needs from its host. */
export interface HostContext {
  readonly clock: Clock;
  readonly narratorTimeoutMs: number;
  settings(channelId: string): ChannelSettings;
  emit(channelId: string, event: HostEvent): void;
  /** Cluster mode: closed windows are narrated by the scheduler, never here; this is told when
   *  a window this process watched closed. */
  readonly cluster?: { windowClosed(channelId: string, gameId: string): void };
}

/** 'ready': scene shown (window maybe open); the others: a closed window is being resolved. */
export type Phase = 'ready' | ResolvingPhase;

interface Decision {
  userId: string;
  options: string[];
  resolve(choice: string): void;
  reject(error: Error): void;
}

/**
 * One channel's running game and its turn loop: watch the window, aggregate, narrate, record.
 * Everything the loop needs to resume lives in (session, extra), so `attach` can pick a game up
 * in any state: a fresh boot, a hot-swap, or a restart in the middle of a turn.
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
  /** The resolution of the last closed window (never rejects). */
  resolving: Promise<void> | null = null;

  readonly #ctx: HostContext;
  // Bumped whenever the game is attached, detached or shut down: async work started under an
  // older epoch must not touch the channel any more.
  #epoch = 0;
  #abort: AbortController | null = null;
  #opening = new Set<AbortController>();
  #decision: Decision | null = null;
  #watchedTurn = -1;
  #ops: Promise<unknown> = Promise.resolve();

  constructor(channelId: string, ctx: HostContext) {
    this.channelId = channelId;
    this.#ctx = ctx;
  }

  /** A game is running here (booted or loaded, not exited). */
  get running(): boolean {
    return this.session?.active === true && this.extra !== null;
  }

  get ended(): boolean {
    return this.extra?.scene.ended === true;
  }

  /** Runs management operations (boot, exit, load, retry) one at a time per channel. */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#ops.then(fn, fn);
    this.#ops = run.catch(() => {});
    return run;
  }

  /** Takes over a game and resumes it exactly where its saved state says it is. */
  attach(session: GameSession, extra: HostExtra, narrator: Narrator): void {
    this.detach();
    this.session = session;
    this.extra = extra;
    this.narrator = narrator;
    this.notice = null;
    if (extra.unresolved !== null) {
      this.phase = 'failed';
      this.error = extra.unresolved.error;
      return;
    }
    if (session.turnNumber > extra.sceneTurn && this.#ctx.cluster !== undefined) {
      this.phase = 'narrating'; // the scheduler narrates it, in whichever process
      return;
    }
    if (session.turnNumber > extra.sceneTurn) {
      // A window closed but its turn was never recorded (exit, swap or crash mid-narration):
      // its choices are the session's last window; narrate it again.
      const lw = session.lastWindow;
      const choices = lw !== null && lw.turn === extra.sceneTurn ? new Map(lw.choices) : new Map();
      void this.#startResolve(extra.sceneTurn, choices, undefined);
      return;
    }
    this.ensureWatch();
  }

  /** Stops the loop's async work for the current game (the session itself is left alone). */
  detach(): void {
    this.#epoch++;
    this.#abort?.abort(new NarratorError('aborted', 'the game was exited or swapped out'));
    this.#abort = null;
    this.#decision?.reject(new CountdownCancelledError('the game was exited or swapped out'));
    this.#decision = null;
    this.#watchedTurn = -1;
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
    for (const c of this.#opening) c.abort(new NarratorError('aborted', 'the host is closing'));
    this.#opening.clear();
    this.detach();
    this.session?.dispose();
  }

  /** The opening scene of a new game, under the narrator timeout; text is streamed here. */
  async open(narrator: Narrator, gameId: string, gameName: string): Promise<NarrationResult> {
    const controller = new AbortController();
    this.#opening.add(controller);
    try {
      return await underDeadline(
        (signal) =>
          narrator.open({ gameId, gameName, signal, onText: (delta) => this.#text(delta) }),
        controller,
        this.#ctx.clock,
        this.#ctx.narratorTimeoutMs,
      );
    } finally {
      this.#opening.delete(controller);
    }
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
    const out = await s.submitChoice(user.id, user.name, choice, { turn });
    this.ensureWatch();
    this.emitView();
    if (
      this.#ctx.settings(this.channelId).closeWhenAllChosen &&
      s.windowDeadlineMs !== null &&
      allActiveChosen(x.lastPressed, s.turnNumber, s.pendingChoices)
    ) {
      // A window its timer closed meanwhile is fine: the watch resolves it either way.
      await s.closeCountdownEarly().catch(() => {});
    }
    return out;
  }

  /** Follows the open window (if any) to its close, then resolves the turn. Idempotent. */
  ensureWatch(): void {
    const s = this.session;
    if (s === null || s.windowDeadlineMs === null) return;
    const turn = s.turnNumber;
    if (this.#watchedTurn === turn) return;
    this.#watchedTurn = turn;
    const epoch = this.#epoch;
    s.waitForCountdown().then(
      (choices) => {
        if (epoch !== this.#epoch) return;
        const cluster = this.#ctx.cluster;
        if (cluster === undefined) {
          void this.#startResolve(turn, choices, undefined);
          return;
        }
        this.phase = 'narrating';
        this.emitView();
        cluster.windowClosed(this.channelId, s.gameId);
      },
      (e: unknown) => {
        if (epoch !== this.#epoch || e instanceof CountdownCancelledError) return;
        this.#watchedTurn = -1;
        this.error = `The countdown could not be closed: ${(e as Error).message}`;
        this.emitView();
      },
    );
  }

  decide(user: HostUser, choice: string, expect: { gameId?: string; turn?: number }): void {
    checkDecision(this.session, this.#decision, user, choice, expect).resolve(choice);
  }

  /** Re-runs a failed turn with its kept choices; resolves when the attempt is over. */
  retry(): Promise<void> {
    const un = this.extra?.unresolved ?? null;
    if (this.phase !== 'failed' || un === null)
      throw new WrongStateError('nothing to retry: the last turn did not fail');
    return this.#startResolve(un.turn, new Map(un.choices), un.decided);
  }

  view(): ChannelView {
    const d = this.#decision;
    // Cluster mode: a decision pending in the resolving process is stored with the game.
    const stored = this.extra?.deciding ?? null;
    const decision =
      d !== null
        ? { userId: d.userId, options: [...d.options] }
        : stored !== null && stored.choice === null && this.phase === 'narrating'
          ? { userId: stored.userId, options: [...stored.options] }
          : null;
    return buildView({
      channelId: this.channelId,
      session: this.session,
      extra: this.extra,
      phase: this.phase,
      error: this.error,
      notice: this.notice,
      decision,
      nowMs: this.#ctx.clock.now(),
    });
  }

  emitView(): void {
    this.#ctx.emit(this.channelId, { type: 'view', view: this.view() });
  }

  #text(delta: string): void {
    if (delta !== '')
      this.#ctx.emit(this.channelId, { type: 'text', channelId: this.channelId, delta });
  }

  #startResolve(
    turn: number,
    choices: Map<string, string>,
    decided: string | null | undefined,
  ): Promise<void> {
    this.phase = 'narrating';
    this.error = null;
    this.notice = null;
    this.emitView();
    const p = this.#resolve(turn, choices, decided, this.#epoch);
    this.resolving = p;
    return p;
  }

  async #resolve(
    turn: number,
    choices: Map<string, string>,
    decided: string | null | undefined,
    epoch: number,
  ): Promise<void> {
    const s = this.session;
    const x = this.extra;
    const narrator = this.narrator;
    if (s === null || x === null || narrator === null) return;
    let pick: string | null = null;
    try {
      pick = decided === undefined ? await this.#aggregate(choices, x) : decided;
      if (epoch !== this.#epoch) return;
      const controller = new AbortController();
      this.#abort = controller;
      const { next, summary } = await narrateTurn({
        narrator,
        session: s,
        extra: x,
        turn,
        choices,
        decided: pick,
        controller,
        clock: this.#ctx.clock,
        timeoutMs: this.#ctx.narratorTimeoutMs,
        onText: (delta) => {
          if (epoch === this.#epoch) this.#text(delta);
        },
      });
      if (epoch !== this.#epoch) return;
      // The new scene and narrator state are saved in the same store write as the turn.
      s.extra = encodeHostExtra(next);
      let record: TurnRecord;
      try {
        record = await s.recordTurn(choices, summary);
      } catch (e) {
        s.extra = encodeHostExtra(x);
        throw e;
      }
      if (epoch !== this.#epoch) return;
      this.extra = next;
      this.phase = 'ready';
      this.#abort = null;
      this.#ctx.emit(this.channelId, { type: 'turn', channelId: this.channelId, record });
      this.emitView();
    } catch (e) {
      if (epoch !== this.#epoch) return;
      await this.#fail(s, x, turn, choices, pick, e);
    }
  }

  async #aggregate(choices: ReadonlyMap<string, string>, x: HostExtra): Promise<string | null> {
    const mode = this.#ctx.settings(this.channelId).aggregation;
    if (mode === 'all') return null;
    if (mode === 'plurality') return pluralityChoice(choices);
    const options = [...new Set(choices.values())];
    if (options.length <= 1) return options[0] ?? null;
    const chosen = new Promise<string>((resolve, reject) => {
      this.#decision = { userId: x.bootedBy ?? '', options, resolve, reject };
    });
    this.phase = 'deciding';
    this.emitView();
    const choice = await chosen;
    this.#decision = null;
    this.phase = 'narrating';
    this.emitView();
    return choice;
  }

  async #fail(
    s: GameSession,
    x: HostExtra,
    turn: number,
    choices: Map<string, string>,
    decided: string | null,
    error: unknown,
  ): Promise<void> {
    const message = failureMessage(error);
    this.extra = { ...x, unresolved: { turn, choices: [...choices], decided, error: message } };
    s.extra = encodeHostExtra(this.extra);
    this.phase = 'failed';
    this.error = message;
    this.#abort = null;
    this.emitView();
    try {
      await s.save();
    } catch {
      // The store is unreachable: the window's choices are safe in its lastWindow, and a
      // reload of this game re-runs the turn.
    }
  }
}
