// The two TurnDrivers the host contract suite runs against: one process (LocalTurnDriver, a
// ManualClock, MemoryStore), and two host processes sharing channels through a real
// redis-server (RedisTurnDriver, separate connections each, real time with short countdowns).

import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { ManualClock } from '../../src/core/clock.js';
import type { SessionStore } from '../../src/core/store-port.js';
import { GameHost } from '../../src/host/game-host.js';
import type {
  ChannelSettings,
  ChannelView,
  GameHostOptions,
  HostEvent,
  HostUser,
  StoryTurn,
} from '../../src/host/types.js';
import { RedisStore } from '../../src/redis/store.js';
import { RedisTurnDriver } from '../../src/redis/turn-driver.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { type RedisNode, startRedis, stopAllRedis } from '../helpers/redis-server.js';
import type { ScriptNarrator } from '../helpers/script-narrator.js';
import { CH, waitForView } from './_harness.js';

/** What one subscriber of the channel saw, in order, in a comparable form. */
class Seen {
  readonly events: string[] = [];
  readonly views: ChannelView[] = [];
  readonly stories: StoryTurn[] = [];
  text = '';
  record(e: HostEvent): void {
    if (e.type === 'text') {
      this.text += e.delta; // coalesced across processes: compare the text, not the pieces
      return;
    }
    if (e.type === 'turn') {
      this.stories.push(e.story);
      this.events.push(`turn:${e.record.turn}:${e.record.narrativeSummary}:${e.story.reveal.text}`);
      return;
    }
    if (e.type === 'presence') {
      const c = e.change;
      this.events.push(`presence:${c.userName}:${c.role}:${c.playsFrom}:${c.until > 0}`);
      return;
    }
    this.views.push(e.view);
    const w = e.view.window?.chosen.map((c) => `${c.userName}=${c.choice}`).join(',') ?? '-';
    const d = e.view.decision?.options.join('|') ?? '-';
    this.events.push(`view:${e.view.status}:${e.view.turn}:${w}:${d}`);
  }
}

export interface Deployment {
  /** Two hosts sharing the channel: the same host twice in one process, or two processes. */
  readonly hosts: [GameHost, GameHost];
  /** One subscriber per host, subscribed before anything happened. */
  readonly seen: [Seen, Seen];
  /** Lets the open window's countdown run out (local: advances the clock; Redis: real time). */
  expire(): Promise<void>;
  /** Lets the open window's countdown run out; resolves with the next scene's view on host 0,
   *  once every host shows it. */
  closeWindow(): Promise<ChannelView>;
  /** Stops host `i` as a crash or restart would (nothing exited) and starts it again. */
  restart(i: 0 | 1): Promise<void>;
  stop(): Promise<void>;
}

export interface DriverFixture {
  name: string;
  deploy(
    narrator: ScriptNarrator,
    settings?: Partial<ChannelSettings>,
    host?: Partial<GameHostOptions>,
  ): Promise<Deployment>;
}

function subscribe(host: GameHost, seen: Seen): void {
  host.subscribe(CH, (e) => seen.record(e));
}

const nextScene = (host: GameHost, turn: number): Promise<ChannelView> =>
  waitForView(host, CH, (v) => v.turn > turn && v.status !== 'narrating', 8000);

export const localDriver: DriverFixture = {
  name: 'local driver (one process)',
  async deploy(narrator, settings = {}, extra = {}) {
    const clock = new ManualClock();
    const store: SessionStore = new MemoryStore();
    const make = (): GameHost =>
      new GameHost({
        store,
        clock,
        narrators: () => narrator,
        countdownSeconds: 10,
        settings: () => settings,
        ...extra,
      });
    let host = make();
    const seen: [Seen, Seen] = [new Seen(), new Seen()];
    subscribe(host, seen[0]);
    subscribe(host, seen[1]);
    const d: Deployment = {
      get hosts(): [GameHost, GameHost] {
        return [host, host];
      },
      seen,
      async expire() {
        clock.advance(10_000);
      },
      async closeWindow() {
        const turn = (await host.view(CH)).turn;
        clock.advance(10_000);
        return nextScene(host, turn);
      },
      async restart() {
        await host.close();
        host = make();
        subscribe(host, seen[0]);
        subscribe(host, seen[1]);
      },
      async stop() {
        await host.close();
      },
    };
    return d;
  },
};

let deployments = 0;
/** Long enough that an early close is told apart from the countdown on a loaded machine. */
const COUNTDOWN_S = 1;

function redisDriver(node: () => RedisNode): DriverFixture {
  return {
    name: 'Redis driver (two processes)',
    async deploy(narrator, settings = {}, extra = {}) {
      const ns = `hc${process.pid}-${++deployments}`;
      const url = node().url;
      const start = async (name: string) => {
        const store = await RedisStore.connect(url, { prefix: ns, returnPending: true });
        const host = new GameHost({
          store,
          narrators: () => narrator,
          countdownSeconds: COUNTDOWN_S,
          settings: () => settings,
          driver: new RedisTurnDriver({
            store,
            connection: url,
            eventChannel: `${ns}:events`,
            queueName: `${ns}-q`,
            workerId: name,
            leaseMs: 1000,
            sweepIntervalMs: 200,
          }),
          ...extra,
        });
        await host.start();
        return { host, store };
      };
      const procs = [await start('A'), await start('B')];
      const seen: [Seen, Seen] = [new Seen(), new Seen()];
      subscribe(procs[0]?.host as GameHost, seen[0]);
      subscribe(procs[1]?.host as GameHost, seen[1]);
      const stopOne = async (i: number) => {
        const p = procs[i];
        if (p === undefined) return;
        await p.host.close();
        await p.store.close();
      };
      return {
        get hosts(): [GameHost, GameHost] {
          return [procs[0]?.host as GameHost, procs[1]?.host as GameHost];
        },
        seen,
        async expire() {
          await new Promise((r) => setTimeout(r, COUNTDOWN_S * 1000));
        },
        async closeWindow() {
          // Once both processes show the next scene: a press through the other process right
          // after would otherwise meet its 'narrating' view (refused NARRATING, as it should).
          const [a, b] = [procs[0]?.host as GameHost, procs[1]?.host as GameHost];
          const turn = (await a.view(CH)).turn;
          const [view] = await Promise.all([nextScene(a, turn), nextScene(b, turn)]);
          return view;
        },
        async restart(i) {
          await stopOne(i);
          const p = await start(i === 0 ? 'A2' : 'B2');
          procs[i] = p;
          subscribe(p.host, seen[i]);
        },
        async stop() {
          await stopOne(0);
          await stopOne(1);
        },
      };
    },
  };
}

/** Both hosts show a view that satisfies `pred`. */
export const both = (d: Deployment, pred: (v: ChannelView) => boolean): Promise<ChannelView[]> =>
  Promise.all(d.hosts.map((h) => waitForView(h, CH, pred, 8000)));

/** Both subscribers saw the same events, in the same order, and the same streamed text. */
export async function sameEvents(d: Deployment): Promise<void> {
  // Redis: the last event may still be on its way to one of them.
  for (let i = 0; i < 100 && d.seen[0].events.length !== d.seen[1].events.length; i++)
    await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(d.seen[0].events, d.seen[1].events);
  assert.equal(d.seen[0].text, d.seen[1].text);
}

export async function deploy(
  f: DriverFixture,
  narrator: ScriptNarrator,
  settings?: Partial<ChannelSettings>,
  host?: Partial<GameHostOptions>,
): Promise<Deployment> {
  const d = await f.deploy(narrator, settings, host);
  await Promise.all(d.hosts.map((h) => h.view(CH))); // both processes follow the channel
  return d;
}

export async function press(
  d: Deployment,
  i: 0 | 1,
  user: HostUser,
  choice: string,
): Promise<void> {
  const turn = (await d.hosts[i].view(CH)).turn;
  await d.hosts[i].press(CH, user, turn, choice);
}

/**
 * The drivers a contract suite runs against: both, with a redis-server started for the suite and
 * stopped after it; or, with HOST_DRIVERS=local, the local driver alone and no redis-server (the
 * fast tests of `npm run mutate`, which must not need Redis).
 */
export function contractFixtures(): DriverFixture[] {
  if (process.env.HOST_DRIVERS === 'local') return [localDriver];
  let node: RedisNode | null = null;
  before(async () => {
    node = await startRedis();
  });
  after(async () => {
    if (node !== null) await stopAllRedis([node]);
  });
  return [localDriver, redisDriver(() => node as RedisNode)];
}
