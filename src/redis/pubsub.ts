import { reconnectDelay } from './conn.js';

interface PubSubClient {
  connect(): Promise<unknown>;
  publish(channel: string, message: string): Promise<unknown>;
  subscribe(channel: string, listener: (message: string) => void): Promise<unknown>;
  close(): Promise<unknown>;
  destroy(): void;
  readonly isReady: boolean;
  on(event: 'error', listener: (e: unknown) => void): unknown;
}

/**
 * One Redis pub/sub channel of JSON messages between the processes of a deployment. Two
 * connections, since node-redis puts a subscribed connection in pub/sub mode. Messages from one
 * publishing connection arrive in the order they were published. Pub/sub is at-most-once: what
 * must not be lost (turns, choices, decisions) is in the store; a lost message costs freshness.
 */
export class RedisPubSub {
  readonly #pub: PubSubClient;
  readonly #sub: PubSubClient;
  readonly #channel: string;
  #closed = false;

  private constructor(pub: PubSubClient, sub: PubSubClient, channel: string) {
    this.#pub = pub;
    this.#sub = sub;
    this.#channel = channel;
  }

  static async connect(
    url: string,
    channel: string,
    onMessage: (message: unknown) => void,
  ): Promise<RedisPubSub> {
    const { createClient } = await import('redis');
    const pub = createClient({
      url,
      RESP: 2,
      socket: { reconnectStrategy: (n: number) => reconnectDelay(n) },
    }) as unknown as PubSubClient;
    const sub = (pub as unknown as { duplicate(): PubSubClient }).duplicate();
    pub.on('error', () => {});
    sub.on('error', () => {});
    try {
      await pub.connect();
      await sub.connect();
    } catch (e) {
      pub.destroy();
      sub.destroy();
      throw e;
    }
    const bus = new RedisPubSub(pub, sub, channel);
    await sub.subscribe(channel, (raw) => {
      if (bus.#closed) return;
      let message: unknown;
      try {
        message = JSON.parse(raw);
      } catch {
        return; // not ours
      }
      onMessage(message);
    });
    return bus;
  }

  /** Publishes a message; a Redis outage is swallowed (store calls report it to players). */
  async publish(message: object): Promise<void> {
    if (this.#closed) return;
    await this.#pub.publish(this.#channel, JSON.stringify(message)).catch(() => {});
  }

  /** Both connections are up (a lost connection reconnects by itself). */
  connected(): boolean {
    return !this.#closed && this.#pub.isReady && this.#sub.isReady;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const c of [this.#sub, this.#pub]) await c.close().catch(() => c.destroy());
  }
}
