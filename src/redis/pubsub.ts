import { reconnectDelay } from './conn.js';

interface PubSubClient {
  connect(): Promise<unknown>;
  publish(channel: string, message: string): Promise<unknown>;
  subscribe(
    channel: string,
    listener: (message: string, channel: string) => void,
  ): Promise<unknown>;
  unsubscribe(
    channel: string,
    listener: (message: string, channel: string) => void,
  ): Promise<unknown>;
  close(): Promise<unknown>;
  destroy(): void;
  readonly isReady: boolean;
  on(event: 'error', listener: (e: unknown) => void): unknown;
}

/**
 * Redis pub/sub channels ("topics") of JSON messages between the processes of a deployment: one
 * every process listens to, and others a process listens to while it needs them (`listen`). Two
 * connections, since node-redis puts a subscribed connection in pub/sub mode. Messages from one
 * publishing connection arrive in the order they were published, across topics too (one
 * subscriber connection). Pub/sub is at-most-once: what must not be lost (turns, choices,
 * decisions) is in the store; a lost message costs freshness.
 */
export class RedisPubSub {
  readonly #pub: PubSubClient;
  readonly #sub: PubSubClient;
  readonly #onMessage: (message: unknown, topic: string) => void;
  /** Topics listened to, beyond the one every process listens to (node-redis resubscribes
   *  them after a reconnection). */
  readonly #topics = new Set<string>();
  #closed = false;

  private constructor(
    pub: PubSubClient,
    sub: PubSubClient,
    onMessage: (message: unknown, topic: string) => void,
  ) {
    this.#pub = pub;
    this.#sub = sub;
    this.#onMessage = onMessage;
  }

  static async connect(
    url: string,
    topic: string,
    onMessage: (message: unknown, topic: string) => void,
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
    const bus = new RedisPubSub(pub, sub, onMessage);
    await sub.subscribe(topic, bus.#receive);
    return bus;
  }

  readonly #receive = (raw: string, topic: string): void => {
    if (this.#closed) return;
    let message: unknown;
    try {
      message = JSON.parse(raw);
    } catch {
      return; // not ours
    }
    this.#onMessage(message, topic);
  };

  /** Starts listening to `topic`; settles once Redis has it (or it failed: the connection
   *  subscribes again by itself once it is back). Never rejects. */
  async listen(topic: string): Promise<void> {
    if (this.#closed || this.#topics.has(topic)) return;
    this.#topics.add(topic);
    await this.#sub.subscribe(topic, this.#receive).catch(() => {});
  }

  /** Stops listening to `topic`. */
  unlisten(topic: string): void {
    if (this.#closed || !this.#topics.delete(topic)) return;
    void this.#sub.unsubscribe(topic, this.#receive).catch(() => {});
  }

  /** Publishes a message; a Redis outage is swallowed (store calls report it to players). */
  async publish(topic: string, message: object): Promise<void> {
    if (this.#closed) return;
    await this.#pub.publish(topic, JSON.stringify(message)).catch(() => {});
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
