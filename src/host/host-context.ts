import type { Clock } from '../core/clock.js';
import type { SessionStore } from '../core/store-port.js';
import type { HostMetrics } from './metrics.js';
import type { PresenceChange } from './presence.js';
import type { TurnDriver } from './turn-driver.js';
import type { ChannelSettings } from './types.js';

/** What a channel runner (and the parts of its turn loop) needs from its host. */
export interface HostContext {
  readonly clock: Clock;
  readonly narratorTimeoutMs: number;
  /** Where a 'host decides' pick made in any process is read back from. */
  readonly store: SessionStore;
  readonly driver: TurnDriver;
  readonly metrics: HostMetrics;
  settings(channelId: string): ChannelSettings;
  /** The users here now in the channel (presence.ts). */
  here(channelId: string): PresenceChange[];
}

/** Publishes a narrator's text delta to the channel's subscribers (`first`: a new text). */
export function publishText(
  ctx: HostContext,
  channelId: string,
  delta: string,
  first: boolean,
): void {
  if (delta === '') return;
  const event = { type: 'text', channelId, delta } as const;
  ctx.driver.publish(channelId, first ? { ...event, first } : event);
}
