import type {
  AppendTurnOptions,
  AppendTurnOutcome,
  CloseInput,
  CloseOutcome,
  GamePage,
  GamePatch,
  JsonValue,
  ListGamesOptions,
  PressInput,
  SessionDict,
  SessionStore,
  StoredPressOutcome,
  TurnRecordDict,
} from '../../src/index.js';
import { MemoryStore } from '../../src/index.js';

/**
 * A real MemoryStore behind a door the test controls, for what a MemoryStore never does on its
 * own: a window close that fails (unreachable backend), a store whose clock lags the session's
 * (Redis TIME), and a close whose answer arrives late (a slow round trip).
 */
export class FlakyStore implements SessionStore {
  readonly inner = new MemoryStore();
  /** Thrown by the next closeWindow calls, one each, before the inner store is asked. */
  readonly closeFailures: unknown[] = [];
  /** The store's clock runs this many ms behind the session's when it closes a window. */
  closeLagMs = 0;
  /** When set, closeWindow's answer (already decided by the inner store) waits for this. */
  closeAnswerGate: Promise<void> | null = null;
  /** When set, thrown instead of the answer once the gate opens (a reply lost on the way back). */
  lateCloseFailure: unknown = undefined;
  /** How many times closeWindow was called. */
  closeCalls = 0;

  bootGame(game: SessionDict): Promise<void> {
    return this.inner.bootGame(game);
  }
  loadChannel(channelId: string): Promise<SessionDict | null> {
    return this.inner.loadChannel(channelId);
  }
  loadGame(gameId: string): Promise<SessionDict | null> {
    return this.inner.loadGame(gameId);
  }
  unbindChannel(channelId: string): Promise<void> {
    return this.inner.unbindChannel(channelId);
  }
  setAsideUnreadable(channelId: string, nowMs: number): Promise<string | null> {
    return this.inner.setAsideUnreadable(channelId, nowMs);
  }
  channelSettings(channelId: string): Promise<Record<string, JsonValue>> {
    return this.inner.channelSettings(channelId);
  }
  setChannelSettings(channelId: string, settings: Record<string, JsonValue>): Promise<void> {
    return this.inner.setChannelSettings(channelId, settings);
  }
  deleteGame(gameId: string): Promise<void> {
    return this.inner.deleteGame(gameId);
  }
  listGames(options?: ListGamesOptions): Promise<GamePage> {
    return this.inner.listGames(options);
  }
  press(channelId: string, input: PressInput): Promise<StoredPressOutcome> {
    return this.inner.press(channelId, input);
  }
  async closeWindow(channelId: string, input: CloseInput): Promise<CloseOutcome> {
    this.closeCalls++;
    if (this.closeFailures.length > 0) throw this.closeFailures.shift();
    const out = await this.inner.closeWindow(channelId, {
      ...input,
      nowMs: input.nowMs - this.closeLagMs,
    });
    if (this.closeAnswerGate !== null) await this.closeAnswerGate;
    if (this.lateCloseFailure !== undefined) throw this.lateCloseFailure;
    return out;
  }
  exitGame(
    channelId: string,
    gameId: string,
    nowMs: number,
    patch?: GamePatch,
  ): Promise<SessionDict> {
    return this.inner.exitGame(channelId, gameId, nowMs, patch);
  }
  swapIn(channelId: string, gameId: string, nowMs: number): Promise<SessionDict> {
    return this.inner.swapIn(channelId, gameId, nowMs);
  }
  updateGame(gameId: string, patch: GamePatch, nowMs: number): Promise<void> {
    return this.inner.updateGame(gameId, patch, nowMs);
  }
  appendTurn(
    gameId: string,
    record: TurnRecordDict,
    patch?: GamePatch,
    options?: AppendTurnOptions,
  ): Promise<AppendTurnOutcome> {
    return this.inner.appendTurn(gameId, record, patch, options);
  }
  recentTurns(gameId: string, count: number): Promise<TurnRecordDict[]> {
    return this.inner.recentTurns(gameId, count);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

/** Lets every queued promise callback and async step run (a store call is a few of them). */
export const settle = (): Promise<void> => new Promise((r) => setImmediate(r));

/** 'pending' if `p` has not settled after the queued work ran, else its outcome. */
export async function state<T>(p: Promise<T>): Promise<'pending' | 'resolved' | 'rejected'> {
  let result: 'pending' | 'resolved' | 'rejected' = 'pending';
  p.then(
    () => {
      result = 'resolved';
    },
    () => {
      result = 'rejected';
    },
  );
  await settle();
  return result;
}
