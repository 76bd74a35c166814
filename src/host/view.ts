import type { GameSession } from '../core/game-session.js';
import { llmSpendOf } from '../narrator/llm-state.js';
import type { ResolvingPhase } from './errors.js';
import type { ChannelStatus, ChannelView } from './events.js';
import type { HostExtra } from './saved-state.js';

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
  nowMs: number;
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
    };
  }
  const deadline = s.windowDeadlineMs;
  const status: ChannelStatus =
    v.phase === 'failed'
      ? 'failed'
      : v.phase !== 'ready'
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
    window:
      deadline === null || status !== 'counting'
        ? null
        : {
            deadlineMs: deadline,
            secondsRemaining: Math.max(0, deadline - v.nowMs) / 1000,
            chosen: [...s.pendingChoices].map(([userId, choice]) => ({
              userId,
              userName: s.players.get(userId)?.userName ?? userId,
              choice,
            })),
          },
    error: v.error,
    decision: v.decision,
    notice: v.notice,
  };
}
