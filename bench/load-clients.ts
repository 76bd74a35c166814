/**
 * Load generator for bench/load.bench.ts, in a process of its own (the servers' CPU is theirs):
 * drives the web console over its WebSocket protocol as browsers would. Each simulated browser
 * loads the page for its session cookie (from an address of its own, through X-Forwarded-For:
 * the server runs with --trust-proxy, as behind a proxy), opens the WebSocket with that cookie,
 * joins its channel (`players` per channel) and plays `turns` turns of an ink cartridge, every
 * player pressing in every window and some changing their minds. Channels' players are spread
 * over the given servers (several processes on one Redis): `routing` 'spread' puts a channel's
 * players on every server, 'by-channel' all of them on one (as a proxy routing by the channel
 * named in the WebSocket address does).
 *
 * Modes: 'paced': windows close on their countdown; each player presses within the first 40% of
 * the window, a quarter press again with another choice. 'closed': the servers close a window
 * once everyone chose (--close-when-all-chosen); every player presses as soon as the scene shows
 * (two of them twice at once): as many turns per second as the servers can give.
 *
 * Prints one JSON line: press round trips and window-close → next-scene latencies (paced), the
 * time the turns took, refusals by code (those of a player changing their mind once one of their
 * presses was taken apart from the rest), and for every game each turn's expected choices (each
 * player's last acknowledged press) for the bench to check against the store.
 * Usage: node --import tsx bench/load-clients.ts '<json LoadPlan>'
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { WebSocket } from 'ws';

export interface LoadPlan {
  urls: string[];
  channels: number;
  players: number;
  turns: number;
  mode: 'paced' | 'closed';
  windowMs: number;
  /** Channel ids are `<prefix>-<n>`. */
  prefix: string;
  cartridge: string;
  /** 'spread': a channel's players on every server; 'by-channel': all of a channel's players on
   *  one server (as behind a proxy that routes by channel). */
  routing: 'spread' | 'by-channel';
}

export interface LoadResult {
  connections: number;
  pressRttMs: number[];
  closeToSceneMs: number[];
  /** From the first scene shown to the last turn's scene shown everywhere. */
  playMs: number;
  turnsPlayed: number;
  presses: number;
  /** Refused presses by code, but for those counted in `changesRefused`. */
  refused: Record<string, number>;
  /** Closed loop: refusals (by code) of the two presses of a player who changes their mind (sent
   *  back to back) when one of them was taken. The window closes as soon as every player has
   *  chosen, so the other press, if it reaches the server after the last player's choice, is
   *  refused (NARRATING, or STALE_TURN once the next scene is there): the documented cost of
   *  closing early. */
  changesRefused: Record<string, number>;
  /** This process' own event-loop delay while playing (p99, max): the part of the round trips
   *  that is the load generator's, not the server's. */
  clientLoopDelayMs: { p99: number; max: number };
  games: { gameId: string; turns: Record<string, Record<string, string>> }[];
}

const plan = JSON.parse(process.argv[2] ?? '') as LoadPlan;
const CONNECT_AT_ONCE = 50;

interface SceneShown {
  turn: number;
  status: string;
  choices: string[];
}

class Browser {
  readonly userId: string;
  readonly ws: WebSocket;
  #nextId = 1;
  readonly #waiting = new Map<
    number,
    { resolve: (code: string | null) => void; sentAt: number; press: boolean }
  >();
  gameId = '';
  scene: SceneShown = { turn: -1, status: 'idle', choices: [] };
  deadlineMs: number | null = null;
  #sceneWaiters: { turn: number; resolve: () => void }[] = [];
  /** Per turn, the last acknowledged press's choice. */
  readonly acked = new Map<number, string>();

  constructor(
    url: string,
    channelId: string,
    cookie: string,
    address: string,
    readonly out: {
      rtt: number[];
      closeToScene: number[];
      refused: Record<string, number>;
      changesRefused: Record<string, number>;
    },
  ) {
    const token = /gg_session=([^;]+)/.exec(cookie)?.[1] ?? '';
    this.userId = `web:${token.split('.')[0]}`;
    // The page names its channel in the address (what a proxy routing by channel reads).
    const wsUrl = `${url.replace(/^http/, 'ws')}ws?channel=${encodeURIComponent(channelId)}`;
    this.ws = new WebSocket(wsUrl, {
      headers: { cookie: `gg_session=${token}`, 'x-forwarded-for': address },
      perMessageDeflate: false,
    });
    this.ws.on('message', (data: Buffer) => this.#onMessage(JSON.parse(String(data))));
    this.ws.on('close', (code, reason) => {
      if (finished) return;
      process.stderr.write(`load-clients: ${this.userId} was disconnected (${code} ${reason})\n`);
      process.exit(3);
    });
  }

  opened(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
    });
  }

  /** Sends a request; resolves true on its 'ok', false on its error (counted by code). */
  async request(message: Record<string, unknown>): Promise<boolean> {
    const code = await this.#send(message, false);
    if (code !== null) count(this.out.refused, code);
    return code === null;
  }

  /** Sends a request; resolves null on its 'ok', its error's code otherwise. */
  #send(message: Record<string, unknown>, press: boolean): Promise<string | null> {
    const id = this.#nextId++;
    return new Promise((resolve) => {
      this.#waiting.set(id, { resolve, sentAt: performance.now(), press });
      this.ws.send(JSON.stringify({ ...message, id }));
    });
  }

  /** Presses until the press is taken or the player sees the next scene: a press refused
   *  while the window still shows (a process that has not caught up yet) is pressed again, as
   *  a player would. Resolves with whether it was taken and the codes of its refusals. */
  async press(choice: string, turn: number): Promise<{ taken: boolean; refusals: string[] }> {
    const refusals: string[] = [];
    for (;;) {
      const code = await this.#send({ type: 'press', turn, choice, gameId: this.gameId }, true);
      if (code === null) this.acked.set(turn, choice);
      else refusals.push(code);
      if (code === null || this.scene.turn !== turn) return { taken: code === null, refusals };
      // Not faster: the host allows a player 5 presses per 2 s.
      await sleep(250);
    }
  }

  /** Resolves once the scene after `turn` (or the end) is shown. */
  sceneAfter(turn: number): Promise<void> {
    if (this.scene.turn > turn) return Promise.resolve();
    return new Promise((resolve) => this.#sceneWaiters.push({ turn, resolve }));
  }

  // biome-ignore lint/suspicious/noExplicitAny: a server message, read field by field
  #onMessage(m: any): void {
    if (m.type === 'ok' || m.type === 'error') {
      const w = this.#waiting.get(m.id);
      if (w === undefined) {
        if (m.type === 'error') count(this.out.refused, m.code);
        return;
      }
      this.#waiting.delete(m.id);
      if (w.press) this.out.rtt.push(performance.now() - w.sentAt);
      w.resolve(m.type === 'ok' ? null : String(m.code));
      return;
    }
    if (m.type === 'chosen') {
      this.deadlineMs = m.deadlineMs;
      return;
    }
    if (m.type !== 'view') return;
    const v = m.view;
    if (v.window !== null) this.deadlineMs = v.window.deadlineMs;
    if (v.game === null || v.scene === null) return;
    this.gameId = v.game.gameId;
    const shown = v.status === 'playing' || v.status === 'counting' || v.status === 'ended';
    if (!shown || v.turn <= this.scene.turn) return;
    // A new scene: the window of the turn before closed at its deadline.
    if (this.scene.turn >= 0 && this.deadlineMs !== null && plan.mode === 'paced')
      this.out.closeToScene.push(Date.now() - this.deadlineMs);
    this.deadlineMs = null;
    this.scene = { turn: v.turn, status: v.status, choices: v.scene.choices };
    const due = this.#sceneWaiters.filter((w) => v.turn > w.turn);
    this.#sceneWaiters = this.#sceneWaiters.filter((w) => v.turn <= w.turn);
    for (const w of due) w.resolve();
  }
}

function count(into: Record<string, number>, code: string): void {
  into[code] = (into[code] ?? 0) + 1;
}

function tally(codes: string[], into: Record<string, number>): void {
  for (const code of codes) count(into, code);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A session cookie, as a browser gets it by loading the page. */
async function pageCookie(url: string, address: string): Promise<string> {
  const res = await fetch(url, { headers: { 'x-forwarded-for': address } });
  await res.arrayBuffer();
  const cookie = res.headers.get('set-cookie');
  if (cookie === null) throw new Error('the page set no session cookie');
  return cookie;
}

/** One channel's players (joined): boot, and wait until every page shows the first scene. */
async function bootChannel(table: Browser[], c: number): Promise<string> {
  const channelId = `${plan.prefix}-${c}`;
  const booter = table[0] as Browser;
  if (!(await booter.request({ type: 'boot', spec: { kind: 'ink', cartridge: plan.cartridge } })))
    throw new Error(`${channelId} could not boot`);
  await Promise.all(table.map((b) => b.sceneAfter(-1)));
  return booter.gameId;
}

async function playTurn(b: Browser, j: number): Promise<void> {
  const { turn, choices, status } = b.scene;
  if (status === 'ended' || choices.length === 0) return;
  const pick = (k: number) => choices[(j + k) % choices.length] as string;
  if (plan.mode === 'closed') {
    // Two players change their minds at once: both presses go out back to back.
    const first = b.press(pick(0), turn);
    const change = j < 2 ? b.press(pick(1), turn) : null;
    const [one, two] = await Promise.all([first, change]);
    // Once one of the two is taken, the other may meet the window closed on everyone's choice.
    const changed = two !== null && (one.taken || two.taken);
    tally(one.refusals, changed ? out.changesRefused : out.refused);
    if (two !== null) tally(two.refusals, changed ? out.changesRefused : out.refused);
  } else {
    await sleep(Math.random() * plan.windowMs * 0.4);
    tally((await b.press(pick(0), turn)).refusals, out.refused);
    if (j % 4 === 1) {
      await sleep(plan.windowMs * (0.1 + Math.random() * 0.2));
      tally((await b.press(pick(1), turn)).refusals, out.refused);
    }
  }
  await b.sceneAfter(turn);
}

let finished = false;
const out = {
  rtt: [] as number[],
  closeToScene: [] as number[],
  refused: {} as Record<string, number>,
  changesRefused: {} as Record<string, number>,
};
const browsers: Browser[][] = Array.from({ length: plan.channels }, () => []);
const all: { c: number; j: number }[] = [];
for (let c = 0; c < plan.channels; c++) for (let j = 0; j < plan.players; j++) all.push({ c, j });
for (let at = 0; at < all.length; at += CONNECT_AT_ONCE) {
  await Promise.all(
    all.slice(at, at + CONNECT_AT_ONCE).map(async ({ c, j }) => {
      const k = c * plan.players + j;
      const server = plan.routing === 'spread' ? k : c;
      const url = plan.urls[server % plan.urls.length] as string;
      const address = `10.${(k >> 16) & 255}.${(k >> 8) & 255}.${k & 255}`;
      const channelId = `${plan.prefix}-${c}`;
      const b = new Browser(url, channelId, await pageCookie(url, address), address, out);
      await b.opened();
      // Joined at once, as the page does (a socket that has not joined is closed after 10 s).
      if (!(await b.request({ type: 'join', channelId, name: `Player ${j}` })))
        throw new Error(`player ${j} of ${channelId} could not join`);
      (browsers[c] as Browser[])[j] = b;
    }),
  );
}
process.stderr.write(`load-clients: ${all.length} connections open and joined\n`);
const gameIds = await Promise.all(browsers.map((table, c) => bootChannel(table, c)));
process.stderr.write(`load-clients: ${plan.channels} games booted\n`);
const loop = monitorEventLoopDelay({ resolution: 5 });
loop.enable();
const start = performance.now();
// Channels play on their own, as groups of friends do. Paced: channel c starts its first turn
// c/channels of a window after the first, so windows close spread over time as they would
// in groups that did not all start in the same second (the same start would make every window
// of the server close within a second of the others, turn after turn).
await Promise.all(
  browsers.map(async (table, c) => {
    if (plan.mode === 'paced') await sleep((c / plan.channels) * plan.windowMs);
    for (let t = 0; t < plan.turns; t++) await Promise.all(table.map((b, j) => playTurn(b, j)));
  }),
);
const turnsPlayed = plan.turns;
const playMs = performance.now() - start;
finished = true;
const result: LoadResult = {
  connections: all.length,
  pressRttMs: out.rtt,
  closeToSceneMs: out.closeToScene,
  playMs,
  turnsPlayed,
  presses: out.rtt.length,
  refused: out.refused,
  changesRefused: out.changesRefused,
  clientLoopDelayMs: { p99: loop.percentile(99) / 1e6, max: loop.max / 1e6 },
  games: browsers.map((table, c) => {
    const turns: Record<string, Record<string, string>> = {};
    for (const b of table)
      for (const [turn, choice] of b.acked) {
        const chosen = turns[String(turn)] ?? {};
        chosen[b.userId] = choice;
        turns[String(turn)] = chosen;
      }
    return { gameId: gameIds[c] as string, turns };
  }),
};
for (const table of browsers) for (const b of table) b.ws.terminate();
// Exit once the line is written: a pipe takes a large write in pieces.
process.stdout.write(`${JSON.stringify(result)}\n`, () => process.exit(0));
