// The GameHost mode of `gamegirl cartridge test`: the real host (countdown windows on an injected
// clock, aggregation modes, 'host decides', the narrator saved and restored every turn).
import { ManualClock } from '../core/clock.js';
import { GameHost } from '../host/game-host.js';
import type { ChannelView, HostUser } from '../host/types.js';
import type { CompiledCartridge, InkPlay } from '../narrator/ink.js';
import { InkNarrator } from '../narrator/ink.js';
import { followedChoice } from '../narrator/ink-crowd.js';
import type { Narrator } from '../narrator/port.js';
import { MemoryStore } from '../store/memory-store.js';
import { crowdWindow, type Random } from './crowd.js';
import {
  type Mode,
  type Playthrough,
  Recorder,
  type SimPlayer,
  visitedFlows,
} from './playthrough.js';
import type { Flow } from './source.js';

const CHANNEL = 'cartridge-test';
const COUNTDOWN_SECONDS = 10;
/** Real time to wait for the host to settle a window (its work is in memory: milliseconds). */
const SETTLE_MS = 10_000;

function settled(host: GameHost, pred: (v: ChannelView) => boolean): Promise<ChannelView> {
  return new Promise<ChannelView>((resolve, reject) => {
    let done = false;
    const finish = (v: ChannelView | Error) => {
      if (done) return;
      done = true;
      unsubscribe();
      clearTimeout(timer);
      if (v instanceof Error) reject(v);
      else resolve(v);
    };
    const unsubscribe = host.subscribe(CHANNEL, (e) => {
      if (e.type === 'view' && pred(e.view)) finish(e.view);
    });
    const timer = setTimeout(
      () => finish(new Error('the host did not settle the window')),
      SETTLE_MS,
    );
    host.view(CHANNEL).then((v) => pred(v) && finish(v), finish);
  });
}

export interface HostRun {
  cartridge: CompiledCartridge;
  flows: Flow[];
  run: number;
  mode: Mode;
  players: SimPlayer[];
  random: Random;
  maxTurns: number;
}

/** Plays one game through a GameHost with the crowd pressing buttons as players would. */
export async function playThroughHost(
  r: HostRun,
): Promise<{ playthrough: Playthrough; visited: string[] }> {
  const rec = new Recorder(
    { cartridge: r.cartridge.id, run: r.run, mode: r.mode, players: r.players },
    r.flows,
  );
  let play: InkPlay | null = null;
  let failure: unknown = null;
  let over = false;
  const ink = new InkNarrator(r.cartridge, undefined, {
    trace: true,
    observe: (step, p) => {
      play = p;
      over = rec.step(step);
    },
  });
  const caught = <T>(p: Promise<T>): Promise<T> =>
    p.catch((error: unknown) => {
      failure = error;
      throw error;
    });
  const narrator: Narrator = {
    title: ink.title,
    open: (input) => caught(ink.open(input)),
    next: (input) => caught(ink.next(input)),
  };
  const store = new MemoryStore();
  const clock = new ManualClock();
  const host = new GameHost({
    store,
    clock,
    narrators: () => narrator,
    countdownSeconds: COUNTDOWN_SECONDS,
    settings: () => ({ aggregation: r.mode }),
    pressRateLimit: { presses: 1000, perMs: 1 },
  });
  const users = new Map<string, HostUser>(r.players.map((p) => [p.id, { id: p.id, name: p.name }]));
  const booter = users.get(r.players[0]?.id ?? '') as HostUser;
  try {
    let v = await host.boot(CHANNEL, booter, { kind: 'ink', cartridge: r.cartridge.id });
    for (let turn = 0; turn < r.maxTurns && !over; turn++) {
      const log = crowdWindow(r.random, r.players, v.scene?.choices ?? [], r.mode);
      rec.result.turns.push({ presses: log.presses, decided: log.decided });
      // The live story sits at this scene's choices: the label ink will follow, by the
      // narrator's own rule (also when the turn then fails).
      const offered = (play as InkPlay | null)?.offered() ?? [];
      const followed = followedChoice(
        { choices: new Map(log.presses), decidedChoice: log.decided },
        offered,
      );
      if (followed !== null) rec.result.path.push(followed);
      for (const [id, choice] of log.sequence)
        await host.press(CHANNEL, users.get(id) as HostUser, v.turn, choice);
      const before = v.turn;
      clock.advance(COUNTDOWN_SECONDS * 1000);
      v = await settled(
        host,
        (x) =>
          x.decision != null ||
          (x.status !== 'counting' && x.status !== 'narrating' && x.turn > before),
      );
      if (v.decision != null && log.decided !== null) {
        await host.decide(CHANNEL, booter, log.decided, { turn: v.turn });
        v = await settled(
          host,
          (x) => x.status !== 'counting' && x.status !== 'narrating' && x.turn > before,
        );
      }
      if (v.status === 'failed') break;
    }
  } catch (error) {
    failure ??= error;
  } finally {
    await host.close();
    await store.close();
  }
  if (failure !== null && !over) rec.fail(failure, play);
  return { playthrough: rec.result, visited: play === null ? [] : visitedFlows(play, r.flows) };
}
