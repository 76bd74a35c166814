import type { Clock } from '../core/clock.js';
import { underDeadline as withDeadline } from '../core/deadline.js';
import { GameSessionError, StoreError } from '../core/errors.js';
import type { GameSession } from '../core/game-session.js';
import { cleanSummary } from '../core/limits.js';
import { type Narrator, NarratorError } from '../narrator/port.js';
import { checkScene } from './input-checks.js';
import { updateLastPressed } from './permissions.js';
import type { HostExtra } from './saved-state.js';

export const DEFAULT_NARRATOR_TIMEOUT_MS = 60_000;

/**
 * Runs one narrator call under `controller`: rejects with NarratorError('timeout') after
 * `timeoutMs` (on the injected clock) and with NarratorError('aborted') as soon as the
 * controller aborts, even if the narrator ignores its signal.
 */
export function underDeadline<T>(
  call: (signal: AbortSignal) => Promise<T>,
  controller: AbortController,
  clock: Clock,
  timeoutMs: number,
): Promise<T> {
  return withDeadline(call, {
    controller,
    clock,
    timeoutMs,
    timeoutError: () =>
      new NarratorError(
        'timeout',
        `the narrator did not answer within ${Math.round(timeoutMs / 100) / 10} s`,
      ),
    abortError: (reason) =>
      reason instanceof NarratorError
        ? reason
        : new NarratorError('aborted', 'the narration was aborted', { cause: reason }),
  });
}

/** The message a channel shows when a turn's narration failed. */
export function failureMessage(error: unknown): string {
  const clip = (m: string): string => m.replace(/[.\s]+$/u, '');
  const tail = ' Retry the turn: no press was lost.';
  if (error instanceof NarratorError) {
    const what: Record<string, string> = {
      timeout: 'The narrator took too long',
      aborted: 'The narration was interrupted',
      malformed: 'The narrator answered with something unusable',
      http: 'The narrator service returned an error',
      unreachable: 'The narrator service could not be reached',
      story: 'The story cartridge hit an error',
      budget: 'The game is paused at its token cap',
    };
    return `${what[error.failure] ?? 'The narrator failed'}: ${clip(error.message)}.${tail}`;
  }
  if (error instanceof StoreError)
    return `The turn could not be saved (${clip(error.message)}).${tail}`;
  if (error instanceof GameSessionError)
    return `The turn could not be completed: ${clip(error.message)}.${tail}`;
  const msg = error instanceof Error ? error.message : String(error);
  return `The narrator failed unexpectedly: ${clip(msg)}.${tail}`;
}

/** One closed window to narrate (the session is already on the next turn). */
export interface TurnNarration {
  narrator: Narrator;
  session: GameSession;
  extra: HostExtra;
  /** The turn whose window closed. */
  turn: number;
  choices: Map<string, string>;
  /** The aggregated choice the narrator follows, or null for every choice. */
  decided: string | null;
  controller: AbortController;
  clock: Clock;
  timeoutMs: number;
  onText(delta: string): void;
}

/**
 * Narrates a closed window, the one code path of the single-process host and of the cluster's
 * scheduler: the narrator's next scene under the deadline, checked, and the host data to store
 * with the turn's record (scene stamped with the session's turn, narrator state, active players).
 */
export async function narrateTurn(t: TurnNarration): Promise<{ next: HostExtra; summary: string }> {
  const s = t.session;
  const x = t.extra;
  const history = await s.getTurnHistory();
  const playerNames = new Map<string, string>();
  for (const [id, p] of s.players) playerNames.set(id, p.userName);
  const aside = t.extra.aside === t.turn;
  // The X-card: the scene on screen is written again; the window's choices are void.
  const rewrite = aside ? t.narrator.rewrite?.bind(t.narrator) : undefined;
  if (aside && rewrite === undefined)
    throw new NarratorError('story', 'this narrator cannot write a scene again');
  const result = await underDeadline(
    (signal) =>
      rewrite !== undefined
        ? rewrite({
            gameId: s.gameId,
            gameName: s.gameName,
            signal,
            onText: t.onText,
            turn: t.turn,
            scene: x.scene,
            playerNames,
            history,
            state: x.narratorState,
            bootedBy: x.bootedBy,
          })
        : t.narrator.next({
            gameId: s.gameId,
            gameName: s.gameName,
            signal,
            onText: t.onText,
            turn: t.turn,
            scene: x.scene,
            choices: t.choices,
            playerNames,
            input: s.formatChoicesAsInput(t.choices),
            decidedChoice: t.decided,
            history,
            state: x.narratorState,
            bootedBy: x.bootedBy,
          }),
    t.controller,
    t.clock,
    t.timeoutMs,
  );
  const scene = checkScene(result.scene);
  const summary = cleanSummary(result.summary);
  const next: HostExtra = {
    ...x,
    scene,
    narratorState: result.state ?? null,
    sceneTurn: s.turnNumber,
    lastPressed: aside ? x.lastPressed : updateLastPressed(x.lastPressed, t.turn, t.choices),
    unresolved: null,
    aside: null,
  };
  return { next, summary };
}
