/**
 * The GameHost's own overhead per turn: from the moment the countdown window closes to the next
 * scene pushed to subscribers, with an instant narrator (so the narrator is excluded). Measured
 * over many turns, p50/p99, for SqliteStore(':memory:') (the embedded default) and MemoryStore.
 *
 * Baseline, in the same run with rounds interleaved: the same turns driven directly on a
 * GameSession without the host (close → waitForCountdown → history → narrator → recordTurn).
 * The difference is what the host adds (events, views, extra encoding, checks).
 *
 * Time is a ManualClock: `advance` fires the window's timer at once, so no test ever sleeps and
 * the figures hold only CPU and store work.
 *
 * Run: node --import tsx bench/host-overhead.bench.ts      (prints one JSON line)
 */
import { ManualClock } from '../src/core/clock.js';
import { GameSession } from '../src/core/game-session.js';
import type { SessionStore } from '../src/core/store-port.js';
import { GameHost } from '../src/host/game-host.js';
import type { HostUser } from '../src/host/types.js';
import type { NarrationResult, Narrator, Scene } from '../src/narrator/port.js';
import { MemoryStore } from '../src/store/memory-store.js';
import { SqliteStore } from '../src/store/sqlite-store.js';

const TURNS_PER_ROUND = 500;
const ROUNDS = 6;
const WARMUP_TURNS = 300;
const PLAYERS: HostUser[] = Array.from({ length: 4 }, (_, i) => ({
  id: `user-${i}`,
  name: `Player ${i}`,
}));
const CHOICES = ['Open the hatch', 'Follow the tracks', 'Wait for the train'];
const TARGET_P99_MS = 20;

/** Answers at once; the state counts turns so it changes every turn like a real narrator's. */
class InstantNarrator implements Narrator {
  async open(): Promise<NarrationResult> {
    return this.#scene(0);
  }
  async next(input: { state: unknown }): Promise<NarrationResult> {
    const step = typeof input.state === 'number' ? input.state + 1 : 1;
    return this.#scene(step);
  }
  #scene(step: number): NarrationResult {
    const scene: Scene = {
      text: `Scene ${step}: the tunnel hums. A draught carries the smell of rain and machine oil.`,
      choices: CHOICES,
      ended: false,
    };
    return { scene, summary: `turn ${step} happened`, state: step };
  }
}

function quantile(sorted: number[], q: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i] ?? Number.NaN;
}

function stats(samples: number[]): { p50: number; p99: number; mean: number; max: number } {
  const s = [...samples].sort((a, b) => a - b);
  const r = (x: number): number => Math.round(x * 1000) / 1000;
  const mean = s.reduce((a, b) => a + b, 0) / s.length;
  return {
    p50: r(quantile(s, 0.5)),
    p99: r(quantile(s, 0.99)),
    mean: r(mean),
    max: r(s.at(-1) ?? 0),
  };
}

const nowMs = (): number => Number(process.hrtime.bigint()) / 1e6;

/** One host game: every turn, all players press, then the window closes. */
async function hostRig(store: SessionStore) {
  const clock = new ManualClock();
  const host = new GameHost({
    store,
    clock,
    narrators: () => new InstantNarrator(),
    titleScreen: () => '/title.png',
    pressRateLimit: { presses: 1_000_000, perMs: 1 },
  });
  const channel = `bench-${Math.random().toString(36).slice(2)}`;
  let onScene: ((at: number) => void) | null = null;
  host.subscribe(channel, (e) => {
    if (e.type === 'view' && e.view.status === 'playing' && onScene !== null) onScene(nowMs());
  });
  const booter = PLAYERS[0] as HostUser;
  let view = await host.boot(channel, booter, { kind: 'ink', cartridge: 'bench' });
  return {
    async turn(): Promise<number> {
      for (const [i, p] of PLAYERS.entries())
        await host.press(channel, p, view.turn, CHOICES[i % CHOICES.length] as string);
      const pushed = new Promise<number>((resolve) => {
        onScene = resolve;
      });
      const t0 = nowMs();
      clock.advance(10_000); // the window's deadline: its timer fires now
      const t1 = await pushed;
      onScene = null;
      view = await host.view(channel);
      return t1 - t0;
    },
    close: () => host.close(),
  };
}

/** The same turns straight on a GameSession (what a bot would write without the host). */
async function baselineRig(store: SessionStore) {
  const clock = new ManualClock();
  const narrator = new InstantNarrator();
  const session = new GameSession(
    `base-${Math.random().toString(36).slice(2)}`,
    'Bench',
    undefined,
    {
      clock,
      store,
      titleScreen: () => '/title.png',
    },
  );
  await session.boot('Bench');
  let opened = await narrator.open();
  return {
    async turn(): Promise<number> {
      for (const [i, p] of PLAYERS.entries())
        await session.submitChoice(p.id, p.name, CHOICES[i % CHOICES.length] as string);
      const t0 = nowMs();
      clock.advance(10_000);
      const choices = await session.waitForCountdown();
      const history = await session.getTurnHistory();
      const next = await narrator.next({ state: opened.state });
      void session.formatChoicesAsInput(choices);
      void history;
      session.extra = { scene: { ...next.scene }, state: next.state };
      await session.recordTurn(choices, next.summary);
      opened = next;
      return nowMs() - t0;
    },
    close: async () => session.dispose(),
  };
}

async function measure(makeStore: () => SessionStore) {
  const hostStore = makeStore();
  const baseStore = makeStore();
  const host = await hostRig(hostStore);
  const base = await baselineRig(baseStore);
  for (let i = 0; i < WARMUP_TURNS; i++) {
    await host.turn();
    await base.turn();
  }
  const hostSamples: number[] = [];
  const baseSamples: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    // Interleaved rounds, alternating which goes first, so drift hits both alike.
    const order = round % 2 === 0 ? [host, base] : [base, host];
    for (const rig of order) {
      const out = rig === host ? hostSamples : baseSamples;
      for (let i = 0; i < TURNS_PER_ROUND; i++) out.push(await rig.turn());
    }
  }
  await host.close();
  await base.close();
  await hostStore.close();
  await baseStore.close();
  const h = stats(hostSamples);
  const b = stats(baseSamples);
  return {
    turns: hostSamples.length,
    host_ms: h,
    baseline_ms: b,
    added_p50_ms: Math.round((h.p50 - b.p50) * 1000) / 1000,
  };
}

const sqlite = await measure(() => new SqliteStore(':memory:'));
const memory = await measure(() => new MemoryStore());
process.stdout.write(
  `${JSON.stringify({
    bench: 'host-overhead',
    what: 'window close -> next scene pushed to subscribers (instant narrator), per turn, 4 players',
    target_p99_ms: TARGET_P99_MS,
    pass: sqlite.host_ms.p99 <= TARGET_P99_MS && memory.host_ms.p99 <= TARGET_P99_MS,
    sqlite,
    memory,
    node: process.version,
  })}\n`,
);
