import { randomUUID } from 'node:crypto';

/** A change notice: "channel `channelId` changed; reload it from the store". */
export interface BusNotice {
  channelId: string;
  /** The process that published it. */
  origin: string;
  /** 'host': a host operation that already updated the publisher's own view (press, boot…);
   *  'worker': a change made by the scheduler (narrating, committed, failed). */
  kind: 'host' | 'worker';
}

interface PubSubClient {
  connect(): Promise<unknown>;
  publish(channel: string, message: string): Promise<unknown>;
  subscribe(channel: string, listener: (message: string) => void): Promise<unknown>;
  close(): Promise<unknown>;
  destroy(): void;
  on(event: 'error', listener: (e: unknown) => void): unknown;
}

/**
 * Cross-process fan-out over Redis pub/sub: one shared channel (default 'gg:events') carries
 * small JSON notices; every host process subscribes and reloads the channels it follows. The
 * notice carries no state (the store is the truth), so a lost notice costs only freshness until
 * the next one. Two connections: node-redis puts a subscribed connection in pub/sub mode.
 */
export class RedisEventBus {
  readonly origin = randomUUID();
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
    onNotice: (n: BusNotice) => void,
    channel = 'gg:events',
  ): Promise<RedisEventBus> {
    const { createClient } = await import('redis');
    const pub = createClient({
      url,
      RESP: 2,
      socket: { reconnectStrategy: (n: number) => Math.min(50 * 2 ** Math.min(n, 10), 1000) },
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
    const bus = new RedisEventBus(pub, sub, channel);
    await sub.subscribe(channel, (message) => {
      const n = parseNotice(message);
      if (n !== null && !bus.#closed) onNotice(n);
    });
    return bus;
  }

  /** Publishes a notice; a Redis outage is swallowed (the store calls report it anyway). */
  async publish(channelId: string, kind: BusNotice['kind']): Promise<void> {
    if (this.#closed) return;
    const n: BusNotice = { channelId, origin: this.origin, kind };
    await this.#pub.publish(this.#channel, JSON.stringify(n)).catch(() => {});
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const c of [this.#sub, this.#pub]) await c.close().catch(() => c.destroy());
  }
}

function parseNotice(message: string): BusNotice | null {
  try {
    const v: unknown = JSON.parse(message);
    if (typeof v !== 'object' || v === null) return null;
    const { channelId, origin, kind } = v as Record<string, unknown>;
    if (typeof channelId !== 'string' || typeof origin !== 'string') return null;
    if (kind !== 'host' && kind !== 'worker') return null;
    return { channelId, origin, kind };
  } catch {
    return null;
  }
}
