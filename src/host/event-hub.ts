import type { HostEvent } from './types.js';

type Listener = (e: HostEvent) => void;

/** Per-channel listeners. Delivery is synchronous; a listener that throws is skipped. */
export class EventHub {
  readonly #listeners = new Map<string, Set<Listener>>();

  subscribe(channelId: string, listener: Listener): () => void {
    let set = this.#listeners.get(channelId);
    if (set === undefined) {
      set = new Set();
      this.#listeners.set(channelId, set);
    }
    // A wrapper per subscription, so the same function may be subscribed twice.
    const entry: Listener = (e) => listener(e);
    set.add(entry);
    return () => {
      const current = this.#listeners.get(channelId);
      current?.delete(entry);
      if (current?.size === 0) this.#listeners.delete(channelId);
    };
  }

  emit(channelId: string, event: HostEvent): void {
    const set = this.#listeners.get(channelId);
    if (set === undefined) return;
    for (const listener of [...set]) {
      try {
        listener(event);
      } catch {
        // A broken console must not stop the game for everyone else.
      }
    }
  }

  /** Someone listens to the channel. */
  has(channelId: string): boolean {
    return this.#listeners.has(channelId);
  }

  clear(): void {
    this.#listeners.clear();
  }
}
