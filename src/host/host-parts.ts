import { systemClock } from '../core/clock.js';
import { InvalidInputError } from '../core/errors.js';
import { SessionRegistry } from '../core/registry.js';
import type { SessionStore } from '../core/store-port.js';
import { ChannelDirectory } from './channel-directory.js';
import type { ChannelRunner } from './channel-runner.js';
import { ChannelSessions } from './channel-sessions.js';
import { ChannelTable } from './channel-table.js';
import { GameManagement } from './game-management.js';
import type { HostContext } from './host-context.js';
import { HostRateLimits } from './host-rate-limits.js';
import { DEFAULT_EVICT_IDLE_AFTER_MS } from './idle-channels.js';
import { LocalTurnDriver } from './local-driver.js';
import { noMetrics } from './metrics.js';
import { DEFAULT_NARRATOR_TIMEOUT_MS } from './narration.js';
import { resolveSettings } from './permissions.js';
import { StoryReads } from './story-reads.js';
import { TurnActions } from './turn-actions.js';
import type { TurnDriver } from './turn-driver.js';
import type { ChannelSettings, GameHostOptions } from './types.js';

/** The parts a GameHost is made of, wired to one another. */
export interface HostParts {
  readonly store: SessionStore;
  readonly driver: TurnDriver;
  /** The host's own registry: the module default belongs to library users of GameSession. */
  readonly registry: SessionRegistry;
  readonly limits: HostRateLimits;
  readonly table: ChannelTable;
  readonly channels: ChannelDirectory;
  readonly manage: GameManagement;
  readonly reads: StoryReads;
  readonly turns: TurnActions;
  /** The channel's effective settings (the adapter's overrides on the defaults). */
  settings(channelId: string): ChannelSettings;
}

/** What the parts need from the GameHost they make up (asked at each use). */
export interface HostHooks {
  /** Whether the host has been closed. */
  isClosed(): boolean;
  /** Throws WrongStateError once the host is closed. */
  checkOpen(): void;
  /** The channel's runner, up to date (refused once the host is closed). */
  ready(channelId: string): Promise<ChannelRunner>;
}

/**
 * Builds a GameHost's parts from its options (defaults filled in) and wires them together.
 * InvalidInputError for a bad rate limit or narratorTimeoutMs.
 */
export function hostParts(options: GameHostOptions, host: HostHooks): HostParts {
  const store = options.store;
  const clock = options.clock ?? systemClock;
  const adapterSettings = options.settings ?? (() => ({}));
  const settings = (channelId: string): ChannelSettings =>
    resolveSettings(adapterSettings(channelId));
  const registry = new SessionRegistry();
  const sessions = new ChannelSessions({
    store,
    registry,
    narrators: options.narrators,
    clock,
    titleScreen: options.titleScreen,
    isClosed: () => host.isClosed(),
    log: options.log ?? { warn: () => {} },
  });
  const limits = new HostRateLimits(options, clock);
  const timeout = options.narratorTimeoutMs ?? DEFAULT_NARRATOR_TIMEOUT_MS;
  if (!Number.isFinite(timeout) || timeout <= 0)
    throw new InvalidInputError('narratorTimeoutMs', 'must be a positive number');
  const driver = options.driver ?? new LocalTurnDriver();
  const metrics = options.metrics ?? noMetrics;
  // The table and the channels need each other; each reaches the other only when used.
  const table = new ChannelTable({
    clock,
    driver,
    isClosed: () => host.isClosed(),
    ready: (channelId) => host.ready(channelId),
    markStale: (channelId) => channels.markStale(channelId),
  });
  const ctx: HostContext = {
    clock,
    narratorTimeoutMs: timeout,
    store,
    driver,
    metrics,
    settings,
    here: (channelId) => table.usersHere(channelId),
  };
  const channels = new ChannelDirectory({
    ctx,
    sessions,
    store,
    isClosed: () => host.isClosed(),
    followed: (ch) => table.followed(ch),
    evicted: (ch) => table.forget(ch),
    evictIdleAfterMs: options.evictIdleAfterMs ?? DEFAULT_EVICT_IDLE_AFTER_MS,
  });
  const manage = new GameManagement({
    store,
    registry,
    sessions,
    channels,
    countdownSeconds: options.countdownSeconds,
    settings,
  });
  const reads = new StoryReads({
    store,
    clock,
    settings,
    ready: (channelId) => host.ready(channelId),
    checkOpen: () => host.checkOpen(),
  });
  const turns = new TurnActions({
    store,
    clock,
    driver,
    metrics,
    limits,
    sessions,
    channels,
    ready: (channelId) => host.ready(channelId),
    checkOpen: () => host.checkOpen(),
  });
  return {
    store,
    driver,
    registry,
    limits,
    table,
    channels,
    manage,
    reads,
    turns,
    settings,
  };
}
