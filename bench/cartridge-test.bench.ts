/**
 * `gamegirl cartridge test` on the longest built-in cartridge: 1,000 seeded playthroughs by
 * simulated crowds (3–6 players, every aggregation mode) in the fast direct mode — the narrator's
 * engine (InkPlay, crowd variables, choice tags, followed-choice rule, traced containers) with no
 * state saved between turns — and a sample through a real GameHost on a ManualClock, for the cost
 * of the host mode per playthrough.
 *
 * Baseline, in the same run on the same compiled story: a bare inkjs loop — one Story, ResetState
 * per playthrough, `while (canContinue) Continue()`, ChooseChoiceIndex at random — no crowd, no
 * checks, no tracing. Per-turn cost of the kit against it.
 *
 * Run: node --import tsx bench/cartridge-test.bench.ts
 */
import type { Story } from 'inkjs/engine/Story';
import { Story as UntypedStory } from 'inkjs/full';
import { seededRandom } from '../src/cartridge-kit/crowd.js';
import { runTest } from '../src/cartridge-kit/run.js';
import { compileForTest } from '../src/cartridge-kit/source.js';
import { listCartridges } from '../src/narrator/ink.js';
import { median, note, report, round, secondsSince } from './helpers.js';

const StoryClass: new (json: string) => Story = UntypedStory;
const PLAYTHROUGHS = 1000;
const HOST_SAMPLE = 30;
const ROUNDS = 3;
const TARGET_SECONDS = 10;

// The longest built-in: the most turns per playthrough over a short direct run of each.
let longest = { id: '', turns: 0 };
for (const { id } of listCartridges()) {
  const r = await runTest({ target: id, runs: 30, hostRuns: 0 });
  const turns = r.turns?.median ?? 0;
  if (turns > longest.turns) longest = { id, turns };
}
note(`longest built-in: ${longest.id} (median ${longest.turns} turns)`);

function bareRound(json: string, seed: number): { seconds: number; turns: number } {
  const random = seededRandom(seed);
  const story = new StoryClass(json);
  const start = process.hrtime.bigint();
  let turns = 0;
  let chars = 0;
  for (let i = 0; i < PLAYTHROUGHS; i++) {
    story.ResetState();
    for (;;) {
      while (story.canContinue) chars += story.Continue()?.length ?? 0;
      const n = story.currentChoices.length;
      if (n === 0) break;
      story.ChooseChoiceIndex(Math.floor(random() * n));
      turns++;
    }
  }
  if (chars === 0) throw new Error('bare loop produced no text');
  return { seconds: secondsSince(start), turns };
}

const source = compileForTest(longest.id, undefined);
if (source.cartridge === null) throw new Error(`${longest.id} does not compile`);
const kitSeconds: number[] = [];
const kitPerTurn: number[] = [];
const bareSeconds: number[] = [];
const barePerTurn: number[] = [];
for (let round_ = 0; round_ < ROUNDS; round_++) {
  const start = process.hrtime.bigint();
  const r = await runTest({
    target: longest.id,
    runs: PLAYTHROUGHS,
    hostRuns: 0,
    seed: round_ + 1,
  });
  const seconds = secondsSince(start);
  if (!r.ok || r.outcomes.ending !== PLAYTHROUGHS) throw new Error(`${longest.id} did not pass`);
  kitSeconds.push(seconds);
  kitPerTurn.push((seconds * 1e6) / (r.turns?.total ?? 1));
  const bare = bareRound(source.cartridge.json, round_ + 1);
  bareSeconds.push(bare.seconds);
  barePerTurn.push((bare.seconds * 1e6) / bare.turns);
  note(`round ${round_ + 1}: kit ${round(seconds, 2)} s, bare ${round(bare.seconds, 2)} s`);
}

const hostStart = process.hrtime.bigint();
const hosted = await runTest({ target: longest.id, runs: HOST_SAMPLE, hostRuns: HOST_SAMPLE });
const hostSeconds = secondsSince(hostStart);
if (!hosted.ok) throw new Error('the GameHost sample did not pass');
const hostPerTurn = (hostSeconds * 1e6) / (hosted.turns?.total ?? 1);

const seconds = median(kitSeconds);
report({
  bench: 'cartridge-test',
  cartridge: longest.id,
  playthroughs: PLAYTHROUGHS,
  medianTurns: longest.turns,
  rounds: ROUNDS,
  seconds: round(seconds, 2),
  secondsPerRound: kitSeconds.map((s) => round(s, 2)),
  perTurnUs: round(median(kitPerTurn)),
  baseline: {
    what: 'bare inkjs: one Story, ResetState per playthrough, Continue() loop, random ChooseChoiceIndex; same compiled story, same number of playthroughs',
    seconds: round(median(bareSeconds), 2),
    perTurnUs: round(median(barePerTurn)),
  },
  ratioToBaseline: round(median(kitPerTurn) / median(barePerTurn), 2),
  gameHostMode: {
    playthroughs: HOST_SAMPLE,
    seconds: round(hostSeconds, 2),
    perTurnUs: round(hostPerTurn),
    projectedSecondsFor1000: round((hostSeconds / HOST_SAMPLE) * PLAYTHROUGHS, 1),
  },
  targets: { seconds: TARGET_SECONDS },
  met: seconds < TARGET_SECONDS,
});
