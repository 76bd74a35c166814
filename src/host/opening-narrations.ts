import type { NarrationResult, Narrator } from '../narrator/port.js';
import { type HostContext, publishText } from './host-context.js';
import { narrationFailure } from './metrics.js';
import { underDeadline } from './narration.js';

/**
 * The opening scenes of new games being narrated in one channel (a boot's, before its game is
 * attached), each under the narrator timeout with its text streamed to the channel; host
 * shutdown aborts them all.
 */
export class OpeningNarrations {
  readonly #channelId: string;
  readonly #ctx: HostContext;
  readonly #running = new Set<AbortController>();

  constructor(channelId: string, ctx: HostContext) {
    this.#channelId = channelId;
    this.#ctx = ctx;
  }

  async open(
    narrator: Narrator,
    gameId: string,
    gameName: string,
    bootedBy: string,
  ): Promise<NarrationResult> {
    const controller = new AbortController();
    this.#running.add(controller);
    const began = this.#ctx.clock.now();
    let failure: string | null = null;
    try {
      return await underDeadline(
        (signal) =>
          narrator.open({
            gameId,
            gameName,
            bootedBy,
            signal,
            onText: (delta) => publishText(this.#ctx, this.#channelId, delta, false),
          }),
        controller,
        this.#ctx.clock,
        this.#ctx.narratorTimeoutMs,
      );
    } catch (e) {
      failure = narrationFailure(e);
      throw e;
    } finally {
      this.#running.delete(controller);
      this.#ctx.metrics.narration('opening', this.#ctx.clock.now() - began, failure);
    }
  }

  abortAll(reason: Error): void {
    for (const c of this.#running) c.abort(reason);
    this.#running.clear();
  }
}
