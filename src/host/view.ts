import type { GameSession } from '../core/game-session.js';
import { llmSpendOf } from '../narrator/llm-state.js';
import type { ResolvingPhase } from './errors.js';
import type { ChannelStatus, ChannelView } from './events.js';
import { countedPlayers, type PresenceChange, presentUsers } from './presence.js';
import type { HostExtra } from './saved-state.js';
import { type Aggregation, type Reveal, revealOf } from './story.js';

function spendOf(narratorState: unknown): { prompt: number; completion: number } | null {
  const s = llmSpendOf(narratorState);
  return s === null ? null : { prompt: s.prompt, completion: s.completion };
}

/** 'ready': scene shown (window maybe open); the others: a closed window is being resolved. */
export type Phase = 'ready' | ResolvingPhase;

export interface ViewInput {
  channelId: string;
  session: GameSession | null;
  extra: HostExtra | null;
  phase: Phase;
  error: string | null;
  notice: string | null;
  decision: { userId: string; options: string[] } | null;
  /** The channel's aggregation rule now (a stored outcome tells the rule of a recorded turn). */
  rule: Aggregation;
  nowMs: number;
  /** The users here now (see presence.ts). */
  here: readonly PresenceChange[];
  /** The channel's settings the view shows (see ChannelView.rules). */
  closeWhenAllChosen: boolean;
  anyoneMayManage: boolean;
}

/** The last closed window's reveal: the one being narrated (or decided, or failed), else the
 *  one that led to the scene on screen; null before the first. */
function currentReveal(session: GameSession, x: HostExtra, rule: Aggregation): Reveal | null {
  const lw = session.lastWindow;
  if (lw === null) return null;
  const base = { turn: lw.turn, choices: lw.choices, players: session.players };
  if (lw.turn === x.sceneTurn) {
    // Closed, not recorded yet: a 'host' pick is known once made (or kept by a failed turn).
    const picked =
      x.deciding?.turn === lw.turn && x.deciding.choice !== null
        ? x.deciding.choice
        : x.unresolved?.turn === lw.turn
          ? x.unresolved.decided
          : null;
    const decider = x.deciding?.turn === lw.turn ? x.deciding.userId : x.bootedBy;
    const aside = x.aside === lw.turn;
    return revealOf({ ...base, rule, sent: picked === null ? null : [picked], decider, aside });
  }
  if (lw.turn !== x.sceneTurn - 1) return null;
  const o = x.outcomes.find((e) => e.turn === lw.turn);
  return revealOf({
    ...base,
    rule: o?.rule ?? rule,
    sent: o?.sent ?? null,
    decider: x.bootedBy,
    aside: o?.aside === true,
  });
}

/** Display names of the counted players who have not chosen in the open window. Names come
 *  from the game, else the table: looked up in a map, as a view is drawn on every press (a scan
 *  of the table per waiting player made each press cost O(players²)). */
function waitingFor(
  s: GameSession,
  here: readonly PresenceChange[],
  lastPressed: ReadonlyMap<string, number>,
): string[] {
  let names: Map<string, string> | null = null;
  const out: string[] = [];
  for (const userId of countedPlayers(here, lastPressed, s.turnNumber)) {
    if (s.pendingChoices.has(userId)) continue;
    let name = s.players.get(userId)?.userName;
    if (name === undefined) {
      names ??= new Map(here.map((u) => [u.userId, u.userName]));
      name = names.get(userId) ?? userId;
    }
    out.push(name);
  }
  return out;
}

/** Draws a channel: a fresh object each time, so a console may keep or change it freely. */
export function buildView(v: ViewInput): ChannelView {
  const s = v.session;
  const x = v.extra;
  if (s === null || x === null || !s.active) {
    return {
      channelId: v.channelId,
      status: 'idle',
      game: null,
      scene: null,
      turn: 0,
      window: null,
      error: v.error,
      decision: null,
      notice: v.notice,
      reveal: null,
      present: presentUsers(v.here, 0),
    };
  }
  const deadline = s.windowDeadlineMs;
  const status: ChannelStatus =
    v.phase === 'failed'
      ? 'failed'
      : // A window closed whose turn is not recorded yet: narrating, even before the loop saw it.
        v.phase !== 'ready' || s.turnNumber > x.sceneTurn
        ? 'narrating'
        : x.scene.ended
          ? 'ended'
          : deadline !== null
            ? 'counting'
            : 'playing';
  return {
    channelId: v.channelId,
    status,
    game: {
      gameId: s.gameId,
      gameName: s.gameName,
      titleScreenUrl: s.titleScreenUrl,
      turnNumber: s.turnNumber,
      bootedBy: x.bootedBy,
      spec: x.spec,
      spend: spendOf(x.narratorState),
    },
    scene: { text: x.scene.text, choices: [...x.scene.choices], ended: x.scene.ended },
    turn: s.turnNumber,
    rules: {
      countdownSeconds: s.countdownSeconds,
      closeWhenAllChosen: v.closeWhenAllChosen,
      anyoneMayManage: v.anyoneMayManage,
    },
    window:
      deadline === null || status !== 'counting'
        ? null
        : {
            deadlineMs: deadline,
            secondsRemaining: Math.max(0, deadline - v.nowMs) / 1000,
            lengthMs: s.countdownSeconds * 1000,
            chosen: [...s.pendingChoices].map(([userId, choice]) => ({
              userId,
              userName: s.players.get(userId)?.userName ?? userId,
              choice,
            })),
            waitingFor: waitingFor(s, v.here, x.lastPressed),
          },
    error: v.error,
    decision: v.decision,
    notice: v.notice,
    reveal: currentReveal(s, x, v.rule),
    present: presentUsers(v.here, s.turnNumber),
  };
}
