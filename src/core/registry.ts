import { InvalidInputError } from './errors.js';
import type { GameSession } from './game-session.js';
import { checkChannelId } from './limits.js';

/** The sessions running in this process, one per channel. */
export class SessionRegistry {
  readonly #sessions = new Map<string, GameSession>();

  get(channelId: string): GameSession | undefined {
    return this.#sessions.get(channelId);
  }

  /** Registers `session` for `channelId` (its own channel), replacing any previous one. */
  set(channelId: string, session: GameSession): void {
    checkChannelId(channelId);
    if (session.channelId !== channelId) {
      throw new InvalidInputError(
        'channelId',
        `the session belongs to channel ${JSON.stringify(session.channelId)}`,
      );
    }
    this.#sessions.set(channelId, session);
  }

  /** Unregisters and returns the channel's session, or undefined. */
  remove(channelId: string): GameSession | undefined {
    const s = this.#sessions.get(channelId);
    this.#sessions.delete(channelId);
    return s;
  }

  has(channelId: string): boolean {
    return this.#sessions.has(channelId);
  }

  get size(): number {
    return this.#sessions.size;
  }

  channels(): string[] {
    return [...this.#sessions.keys()];
  }

  /** Disposes every session's timers and empties the registry (process shutdown). */
  clear(): void {
    for (const s of this.#sessions.values()) s.dispose();
    this.#sessions.clear();
  }
}

/** The registry behind the seed's module-level functions. */
export const defaultRegistry = new SessionRegistry();

/** Get the active game session for a channel, if any. */
export function getSession(channelId: string): GameSession | undefined {
  return defaultRegistry.get(channelId);
}

/** Register a game session for a channel. */
export function setSession(channelId: string, session: GameSession): void {
  defaultRegistry.set(channelId, session);
}

/** Unregister and return the session for a channel. */
export function removeSession(channelId: string): GameSession | undefined {
  return defaultRegistry.remove(channelId);
}
