import { ManualClock } from '../../src/core/clock.js';
import type { SessionStore } from '../../src/core/store-port.js';
import { GameHost } from '../../src/host/game-host.js';
import type {
  ChannelSettings,
  ChannelView,
  GameHostOptions,
  HostEvent,
  HostUser,
} from '../../src/host/types.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { ScriptNarrator } from '../helpers/script-narrator.js';

export const ALICE: HostUser = { id: 'u-alice', name: 'Alice' };
export const BOB: HostUser = { id: 'u-bob', name: 'Bob' };
export const CAROL: HostUser = { id: 'u-carol', name: 'Carol' };
export const MOD: HostUser = { id: 'u-mod', name: 'Moderator', canManageChannel: true };
export const CH = 'channel-1';
export const SCRIPT = { kind: 'ink', cartridge: 'script' } as const;

export const STORES: Array<[string, () => SessionStore]> = [
  ['MemoryStore', () => new MemoryStore()],
  ['SqliteStore', () => new SqliteStore(':memory:')],
];

export interface Rig {
  host: GameHost;
  clock: ManualClock;
  store: SessionStore;
  narrator: ScriptNarrator;
  events: HostEvent[];
  settings: Partial<ChannelSettings>;
}

export function rig(
  options: {
    store?: SessionStore;
    clock?: ManualClock;
    narrator?: ScriptNarrator;
    settings?: Partial<ChannelSettings>;
    host?: Partial<GameHostOptions>;
  } = {},
): Rig {
  const clock = options.clock ?? new ManualClock();
  const store = options.store ?? new MemoryStore();
  const narrator = options.narrator ?? new ScriptNarrator();
  const settings = options.settings ?? {};
  const host = new GameHost({
    store,
    clock,
    narrators: () => narrator,
    titleScreen: ({ gameName }) => `/title/${encodeURIComponent(gameName)}.png`,
    countdownSeconds: 10,
    settings: () => settings,
    ...options.host,
  });
  const events: HostEvent[] = [];
  host.subscribe(CH, (e) => events.push(e));
  return { host, clock, store, narrator, events, settings };
}

/** Resolves with the channel's first view (current or pushed) that satisfies `pred`. */
export async function waitForView(
  host: GameHost,
  channelId: string,
  pred: (v: ChannelView) => boolean,
  timeoutMs = 3000,
): Promise<ChannelView> {
  let unsubscribe = (): void => {};
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await new Promise<ChannelView>((resolve, reject) => {
      let last: ChannelView | null = null;
      unsubscribe = host.subscribe(channelId, (e) => {
        if (e.type !== 'view') return;
        last = e.view;
        if (pred(e.view)) resolve(e.view);
      });
      const seen = (): string =>
        last === null ? 'no view event' : `last view: ${last.status}, turn ${last.turn}`;
      timer = setTimeout(
        () => reject(new Error(`timed out waiting for a view (${seen()})`)),
        timeoutMs,
      );
      host.view(channelId).then((v) => {
        last ??= v;
        if (pred(v)) resolve(v);
      }, reject);
    });
  } finally {
    unsubscribe();
    clearTimeout(timer);
  }
}

/** Closes the open window by letting its countdown run out, then waits for the next scene. */
export async function closeWindow(r: Rig, channelId = CH): Promise<ChannelView> {
  const before = await r.host.view(channelId);
  r.clock.advance(10_000);
  return waitForView(
    r.host,
    channelId,
    (v) => v.status !== 'counting' && v.status !== 'narrating' && v.turn > before.turn,
  );
}

/** Lets pending promise callbacks (store writes, the loop's continuations) run. */
export async function flush(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}
