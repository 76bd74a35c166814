// `gamegirl cartridge test`: many seeded playthroughs by simulated crowds, summed up in a Report.
import { InkPlay } from '../narrator/ink.js';
import { crowdWindow, makePlayers, runSeed, seededRandom } from './crowd.js';
import { playDirect } from './direct.js';
import { playThroughHost } from './host-run.js';
import { MODES, type Outcome, type Playthrough } from './playthrough.js';
import { compileForTest, type Diagnostic, type Flow } from './source.js';

export interface TestOptions {
  /** A path to an .ink file, or a cartridge id in `dir`. */
  target: string;
  dir?: string | undefined;
  /** Playthroughs in all (default 300). */
  runs?: number;
  /** How many of them go through a real GameHost (default 12, at most `runs`); the rest are
   *  played by the narrator's engine directly (same rules, no saving between turns). */
  hostRuns?: number;
  /** Players per playthrough (default: 3 to 6, chosen per run). */
  players?: number | undefined;
  seed?: number;
  /** A playthrough that has not ended after this many turns is reported as a loop (default 200). */
  maxTurns?: number;
}

export interface Place {
  /** `knot` or `knot.stitch`; null when ink did not say. */
  where: string | null;
  file: string;
  line: number | null;
}

export interface Report {
  cartridge: { id: string; title: string; file: string };
  settings: {
    runs: number;
    hostRuns: number;
    players: number | null;
    seed: number;
    maxTurns: number;
  };
  diagnostics: Diagnostic[];
  outcomes: Record<Outcome, number>;
  endings: { name: string; count: number }[];
  /** Turns of the playthroughs that reached an ending (`total`: all of them together). */
  turns: { min: number; median: number; max: number; total: number } | null;
  unvisited: (Flow & { file: string })[];
  deadEnds: (Place & { count: number; example: Playthrough })[];
  loops: { count: number; example: Playthrough | null };
  errors: { message: string; count: number; example: Playthrough }[];
  longLabels: (Place & { detail: string; count: number })[];
  tooManyChoices: (Place & { detail: string; count: number })[];
  longestScene: (Place & { chars: number; start: string }) | null;
  /** False on compile errors, runtime errors (unusable choices included) and dead ends. */
  ok: boolean;
}

const DEFAULT_RUNS = 300;
const DEFAULT_HOST_RUNS = 12;
const DEFAULT_MAX_TURNS = 200;

function median(sorted: number[]): number {
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Compiles the cartridge and plays it `runs` times; never throws for a broken story. */
export async function runTest(options: TestOptions): Promise<Report> {
  const source = compileForTest(options.target, options.dir);
  const runs = options.runs ?? DEFAULT_RUNS;
  const hostRuns = Math.min(runs, options.hostRuns ?? DEFAULT_HOST_RUNS);
  const seed = options.seed ?? 1;
  const maxTurns = options.maxTurns ?? DEFAULT_MAX_TURNS;
  const cartridge = source.cartridge;
  const collector = new Collector(source.file, source.flows);
  if (cartridge !== null) {
    const play = new InkPlay(cartridge, { trace: true });
    for (let run = 0; run < runs; run++) {
      const random = seededRandom(runSeed(seed, run));
      const players = makePlayers(random, options.players ?? 3 + Math.floor(random() * 4));
      const mode = MODES[run % MODES.length] ?? 'all';
      const base = { flows: source.flows, run, mode, players, maxTurns };
      const played =
        run < hostRuns
          ? await playThroughHost({ ...base, cartridge, random })
          : playDirect({
              ...base,
              play,
              driver: (_turn, scene) => crowdWindow(random, players, scene.choices, mode),
            });
      collector.add(played.playthrough, played.visited);
    }
  }
  const title = cartridge?.title ?? source.id;
  return collector.report({
    cartridge: { id: source.id, title, file: source.file },
    settings: { runs, hostRuns, players: options.players ?? null, seed, maxTurns },
    diagnostics: source.diagnostics,
  });
}

/** Sums playthroughs up. */
class Collector {
  readonly #file: string;
  readonly #flows: Flow[];
  readonly #lines: Map<string, number>;
  readonly #visited = new Set<string>();
  readonly #turns: number[] = [];
  readonly #outcomes: Record<Outcome, number> = {
    ending: 0,
    'dead-end': 0,
    error: 0,
    'turn-limit': 0,
  };
  readonly #endings = new Map<string, number>();
  readonly #deadEnds = new Map<string, { count: number; example: Playthrough }>();
  readonly #errors = new Map<string, { count: number; example: Playthrough }>();
  readonly #findings = new Map<
    string,
    { kind: string; detail: string; where: string | null; count: number }
  >();
  #loops = 0;
  #loopExample: Playthrough | null = null;
  #longest: Playthrough['longestScene'] | null = null;

  constructor(file: string, flows: Flow[]) {
    this.#file = file;
    this.#flows = flows;
    this.#lines = new Map(flows.map((f) => [f.path, f.line]));
  }

  place(where: string | null): Place {
    return {
      where,
      file: this.#file,
      line: where === null ? null : (this.#lines.get(where) ?? null),
    };
  }

  add(p: Playthrough, visited: string[]): void {
    for (const v of visited) this.#visited.add(v);
    this.#outcomes[p.outcome]++;
    if (p.outcome === 'ending') {
      this.#turns.push(p.turns.length);
      const name = p.ending ?? 'END';
      this.#endings.set(name, (this.#endings.get(name) ?? 0) + 1);
    }
    const bump = (m: Map<string, { count: number; example: Playthrough }>, key: string) => {
      const e = m.get(key);
      // The shortest example is the easiest to replay and read.
      if (e === undefined) m.set(key, { count: 1, example: p });
      else {
        e.count++;
        if (p.turns.length < e.example.turns.length) e.example = p;
      }
    };
    if (p.outcome === 'dead-end') bump(this.#deadEnds, p.where ?? '');
    if (p.outcome === 'error') bump(this.#errors, p.error ?? 'unknown error');
    if (p.outcome === 'turn-limit') {
      this.#loops++;
      this.#loopExample ??= p;
    }
    for (const f of p.findings) {
      const key = `${f.kind}\u0000${f.detail}`;
      const e = this.#findings.get(key);
      if (e === undefined) this.#findings.set(key, { ...f, count: 1 });
      else e.count++;
    }
    if (this.#longest === null || p.longestScene.chars > this.#longest.chars)
      this.#longest = p.longestScene;
  }

  report(head: Pick<Report, 'cartridge' | 'settings' | 'diagnostics'>): Report {
    const sorted = [...this.#turns].sort((a, b) => a - b);
    const findings = (kind: string) =>
      [...this.#findings.values()]
        .filter((f) => f.kind === kind)
        .map((f) => ({ ...this.place(f.where), detail: f.detail, count: f.count }));
    const played = Object.values(this.#outcomes).some((n) => n > 0);
    const report: Report = {
      ...head,
      outcomes: { ...this.#outcomes },
      endings: [...this.#endings]
        .map(([name, count]) => ({ name, count }))
        .sort((a, b) => b.count - a.count),
      turns:
        sorted.length === 0
          ? null
          : {
              min: sorted[0] as number,
              median: median(sorted),
              max: sorted.at(-1) as number,
              total: sorted.reduce((a, b) => a + b, 0),
            },
      unvisited: played
        ? this.#flows
            .filter((f) => !this.#visited.has(f.path))
            .map((f) => ({ ...f, file: this.#file }))
        : [],
      deadEnds: [...this.#deadEnds].map(([where, e]) => ({ ...this.place(where || null), ...e })),
      loops: { count: this.#loops, example: this.#loopExample },
      errors: [...this.#errors].map(([message, e]) => ({ message, ...e })),
      longLabels: findings('long-label'),
      tooManyChoices: findings('too-many-choices'),
      longestScene:
        this.#longest === null
          ? null
          : {
              ...this.place(this.#longest.where),
              chars: this.#longest.chars,
              start: this.#longest.start,
            },
      ok: false,
    };
    report.ok =
      !head.diagnostics.some((d) => d.severity === 'error') &&
      report.errors.length === 0 &&
      report.deadEnds.length === 0;
    return report;
  }
}
