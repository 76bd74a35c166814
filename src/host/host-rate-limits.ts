import type { Clock } from '../core/clock.js';
import {
  DEFAULT_BOOT_RATE_LIMIT,
  DEFAULT_LLM_BOOT_RATE_LIMIT,
  DEFAULT_PRESS_RATE_LIMIT,
  PressRateLimiter,
} from './rate-limit.js';
import type { GameHostOptions } from './types.js';

/** GameHost's three per-player limits, built in one place from its options (or the defaults). */
export class HostRateLimits {
  readonly #presses: PressRateLimiter;
  readonly #boots: PressRateLimiter;
  readonly #llmBoots: PressRateLimiter;

  constructor(
    options: Pick<GameHostOptions, 'pressRateLimit' | 'bootRateLimit' | 'llmBootRateLimit'>,
    clock: Clock,
  ) {
    this.#presses = new PressRateLimiter(options.pressRateLimit ?? DEFAULT_PRESS_RATE_LIMIT, clock);
    this.#boots = new PressRateLimiter(
      options.bootRateLimit ?? DEFAULT_BOOT_RATE_LIMIT,
      clock,
      'new games',
    );
    this.#llmBoots = new PressRateLimiter(
      options.llmBootRateLimit ?? DEFAULT_LLM_BOOT_RATE_LIMIT,
      clock,
      'LLM stories',
    );
  }

  /** A press or an X-card: counted per channel and player. RateLimitedError when over. */
  press(channelId: string, userId: string): void {
    this.#presses.take(`${channelId}\u0000${userId}`);
  }

  /** A boot, per player whatever the channel: LLM boots (paid completions) have their own,
   *  lower cap on top of the boot limit. RateLimitedError when over either. */
  boot(userId: string, llm: boolean): void {
    if (llm) this.#llmBoots.take(userId);
    this.#boots.take(userId);
  }
}
