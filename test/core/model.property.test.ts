/**
 * Property-based test: random sequences of boot / press / stale press / advance / wait / exit /
 * load / hot-swap / recordTurn, run against GameSession (no store, MemoryStore and
 * SqliteStore(':memory:')) and against a small reference model written here in plain JS.
 * After every step the sessions, the store and the model must agree.
 *
 * The model states the semantics of API.md directly: per game a turn number, pending choices in
 * first-press order (last press wins, position kept), an active flag, the channel it is bound
 * to, its window (open with a deadline, or not), the last closed window, and its history.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  CountdownCancelledError,
  CountdownNotStartedError,
  GameNotFoundError,
  GameSession,
  type GameSessionError,
  hotSwap,
  listAllGames,
  loadByGameId,
  ManualClock,
  MemoryStore,
  SessionInactiveError,
  SessionRegistry,
  type SessionStore,
  SqliteStore,
  StaleTurnError,
} from '../../src/index.js';

// ---------------------------------------------------------------------------------------------
// Commands

const CHANNELS = ['c1', '__proto__'] as const;
const USERS = ['__proto__', 'constructor', '0', '10', 'alice', '👩\u200D💻', 'toString'] as const;
const NAMES = ['Alice', '__proto__', '🦊 Fox', 'Bob', '0'] as const;
const CHOICES = ['go north', 'hasOwnProperty', '__proto__', '🗝️ open', '10'] as const;
const COUNTDOWNS = [0.5, 1, 2.5] as const;
const ADVANCES = [1, 100, 499, 500, 1000, 2500, 3000] as const;

type Channel = (typeof CHANNELS)[number];

type Command =
  | { kind: 'boot'; channel: Channel; countdown: number }
  | { kind: 'press'; channel: Channel; user: string; name: string; choice: string }
  | { kind: 'stalePress'; channel: Channel; user: string; delta: 1 | -1 }
  | { kind: 'advance'; ms: number }
  | { kind: 'wait'; channel: Channel }
  | { kind: 'exit'; channel: Channel }
  | { kind: 'load'; channel: Channel }
  | { kind: 'swap'; channel: Channel; game: number }
  | { kind: 'record'; channel: Channel; summary: string };

const channel = fc.constantFrom(...CHANNELS);

function commandArb(withStore: boolean): fc.Arbitrary<Command> {
  // [arbitrary, weight]: presses dominate, as in play.
  const common: Array<[fc.Arbitrary<Command>, number]> = [
    [
      fc.record({
        kind: fc.constant('boot' as const),
        channel,
        countdown: fc.constantFrom(...COUNTDOWNS),
      }),
      2,
    ],
    [
      fc.record({
        kind: fc.constant('press' as const),
        channel,
        user: fc.constantFrom(...USERS),
        name: fc.constantFrom(...NAMES),
        choice: fc.constantFrom(...CHOICES),
      }),
      8,
    ],
    [
      fc.record({
        kind: fc.constant('stalePress' as const),
        channel,
        user: fc.constantFrom(...USERS),
        delta: fc.constantFrom(1 as const, -1 as const),
      }),
      1,
    ],
    [fc.record({ kind: fc.constant('advance' as const), ms: fc.constantFrom(...ADVANCES) }), 3],
    [fc.record({ kind: fc.constant('wait' as const), channel }), 2],
    [fc.record({ kind: fc.constant('exit' as const), channel }), 1],
    [
      fc.record({
        kind: fc.constant('record' as const),
        channel,
        summary: fc.constantFrom('', 'The door opens.', 'Line one\nline two 🐉'),
      }),
      1,
    ],
  ];
  const stored: Array<[fc.Arbitrary<Command>, number]> = [
    [fc.record({ kind: fc.constant('load' as const), channel }), 1],
    [fc.record({ kind: fc.constant('swap' as const), channel, game: fc.nat({ max: 5 }) }), 1],
  ];
  return fc.oneof(
    ...[...common, ...(withStore ? stored : [])].map(([arbitrary, weight]) => ({
      arbitrary,
      weight,
    })),
  );
}

// ---------------------------------------------------------------------------------------------
// The reference model

interface ModelGame {
  id: string;
  channel: Channel;
  countdownMs: number;
  active: boolean;
  turn: number;
  /** Pending choices in first-press order; a later press replaces the value in place. */
  pending: Array<[string, string]>;
  players: Map<string, { name: string; joinedTurn: number }>;
  /** Deadline of the open window, or null. */
  deadline: number | null;
  lastWindow: { turn: number; choices: Array<[string, string]> } | null;
  /** Every recorded turn, in call order (a turn number may repeat). */
  history: Array<{ turn: number; choices: Array<[string, string]>; summary: string }>;
}

/** What this process's session object for a channel knows about its own window. */
type SessionWindow =
  | { kind: 'none' }
  | { kind: 'open'; turn: number }
  | { kind: 'closed'; choices: Array<[string, string]> }
  | { kind: 'cancelled' };

interface ModelSession {
  game: ModelGame;
  window: SessionWindow;
}

class Model {
  readonly games: ModelGame[] = [];
  /** Channel → bound game (with a store: the store's binding; without: the session's game). */
  readonly bound = new Map<Channel, ModelGame>();
  /** Channel → the session registered in this process. */
  readonly sessions = new Map<Channel, ModelSession>();
  now: number;

  constructor(now: number) {
    this.now = now;
  }

  /** Closes every open window whose deadline has passed, in deadline order. */
  closeDue(): void {
    const due = this.games
      .filter((g) => g.active && g.deadline !== null && g.deadline <= this.now)
      .sort((a, b) => (a.deadline as number) - (b.deadline as number));
    for (const g of due) {
      const choices = g.pending;
      g.lastWindow = { turn: g.turn, choices };
      g.pending = [];
      g.deadline = null;
      g.turn += 1;
      for (const s of this.sessions.values()) {
        if (s.game === g && s.window.kind === 'open') s.window = { kind: 'closed', choices };
      }
    }
  }

  /** Exit: the window is cancelled, pending choices stay with the game. */
  exitGame(g: ModelGame): void {
    g.active = false;
    g.deadline = null;
    for (const s of this.sessions.values()) {
      if (s.game === g && s.window.kind === 'open') s.window = { kind: 'cancelled' };
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The system under test

type Variant = 'none' | 'memory' | 'sqlite';

interface System {
  clock: ManualClock;
  store: SessionStore | null;
  registry: SessionRegistry;
  nextId: number;
}

const flush = async (): Promise<void> => {
  for (let i = 0; i < 3; i++) await new Promise<void>((resolve) => setImmediate(resolve));
};

type Settled =
  | { state: 'pending' }
  | { state: 'resolved'; value: Map<string, string> }
  | { state: 'rejected'; error: unknown };

async function settledState(p: Promise<Map<string, string>>): Promise<Settled> {
  let out: Settled = { state: 'pending' };
  p.then(
    (value) => {
      out = { state: 'resolved', value };
    },
    (error: unknown) => {
      out = { state: 'rejected', error };
    },
  );
  await flush();
  return out;
}

/** Runs `fn`, expecting either success or a rejection of class `expected`. */
async function expectOutcome<T>(
  fn: () => Promise<T>,
  expected: (new (...args: never[]) => GameSessionError) | null,
  what: string,
): Promise<T | undefined> {
  if (expected === null) return fn();
  await assert.rejects(fn(), expected, what);
  return undefined;
}

const entries = (m: ReadonlyMap<string, string>): Array<[string, string]> => [...m];

// ---------------------------------------------------------------------------------------------
// One step: apply to both, compare.

async function step(cmd: Command, sys: System, model: Model): Promise<void> {
  const { clock, store, registry } = sys;
  switch (cmd.kind) {
    case 'boot': {
      const id = `g${sys.nextId++}`;
      const s = new GameSession(cmd.channel, '', id, {
        clock,
        countdownSeconds: cmd.countdown,
        titleScreen: () => 'about:blank',
      });
      await s.boot(`Quest ${id}`, store ?? undefined);
      // The host stops its copy of the channel's previous game (the store exited it).
      registry.get(cmd.channel)?.dispose();
      registry.set(cmd.channel, s);

      const prev = model.bound.get(cmd.channel);
      if (prev?.active) model.exitGame(prev);
      const g: ModelGame = {
        id,
        channel: cmd.channel,
        countdownMs: cmd.countdown * 1000,
        active: true,
        turn: 0,
        pending: [],
        players: new Map(),
        deadline: null,
        lastWindow: null,
        history: [],
      };
      model.games.push(g);
      model.bound.set(cmd.channel, g);
      model.sessions.set(cmd.channel, { game: g, window: { kind: 'none' } });
      return;
    }

    case 'press': {
      const s = registry.get(cmd.channel);
      const ms = model.sessions.get(cmd.channel);
      if (s === undefined || ms === undefined) return;
      const g = ms.game;
      const out = await expectOutcome(
        () => s.submitChoice(cmd.user, cmd.name, cmd.choice),
        g.active ? null : SessionInactiveError,
        'press on an inactive game',
      );
      if (!g.active || out === undefined) return;
      const isFirst = g.deadline === null;
      if (isFirst) g.deadline = model.now + g.countdownMs;
      // A press through a store also makes a session that did not open the window track it.
      if (isFirst || (store !== null && ms.window.kind === 'none'))
        ms.window = { kind: 'open', turn: g.turn };
      assert.equal(out.isFirstChoice, isFirst, 'isFirstChoice');
      assert.equal(out.secondsRemaining, ((g.deadline as number) - model.now) / 1000);
      if (!g.players.has(cmd.user)) g.players.set(cmd.user, { name: cmd.name, joinedTurn: g.turn });
      else (g.players.get(cmd.user) as { name: string }).name = cmd.name;
      const at = g.pending.findIndex(([u]) => u === cmd.user);
      if (at >= 0) g.pending[at] = [cmd.user, cmd.choice];
      else g.pending.push([cmd.user, cmd.choice]);
      return;
    }

    case 'stalePress': {
      const s = registry.get(cmd.channel);
      const ms = model.sessions.get(cmd.channel);
      if (s === undefined || ms === undefined) return;
      const turn = ms.game.turn + cmd.delta;
      if (turn < 0) return;
      await assert.rejects(
        s.submitChoice(cmd.user, 'Late', 'too late', { turn }),
        ms.game.active ? StaleTurnError : SessionInactiveError,
      );
      return;
    }

    case 'advance': {
      clock.advance(cmd.ms);
      model.now += cmd.ms;
      await flush();
      model.closeDue();
      return;
    }

    case 'wait': {
      const s = registry.get(cmd.channel);
      const ms = model.sessions.get(cmd.channel);
      if (s === undefined || ms === undefined) return;
      const got = await settledState(s.waitForCountdown());
      const g = ms.game;
      let w = ms.window;
      if (w.kind === 'none' && g.active && g.deadline !== null) {
        // A session that did not see the window open (loaded) picks it up from its state.
        w = { kind: 'open', turn: g.turn };
        ms.window = w;
      }
      switch (w.kind) {
        case 'open':
          assert.equal(got.state, 'pending', 'a wait on an open window stays pending');
          return;
        case 'closed':
          assert.equal(got.state, 'resolved');
          assert.deepEqual(got.state === 'resolved' && entries(got.value), w.choices);
          return;
        case 'cancelled':
          assert.equal(got.state, 'rejected');
          assert.ok(got.state === 'rejected' && got.error instanceof CountdownCancelledError);
          return;
        case 'none':
          if (g.lastWindow !== null) {
            assert.equal(got.state, 'resolved', 'a fresh session answers with the last window');
            assert.deepEqual(got.state === 'resolved' && entries(got.value), g.lastWindow.choices);
          } else {
            assert.equal(got.state, 'rejected');
            assert.ok(got.state === 'rejected' && got.error instanceof CountdownNotStartedError);
          }
          return;
      }
      return;
    }

    case 'exit': {
      const s = registry.get(cmd.channel);
      const ms = model.sessions.get(cmd.channel);
      if (s === undefined || ms === undefined) return;
      const g = ms.game;
      const msg = await expectOutcome(
        () => s.exitGame(),
        g.active ? null : SessionInactiveError,
        'exit of an inactive game',
      );
      if (!g.active) return;
      assert.ok(msg?.includes(g.id));
      model.exitGame(g);
      if (store !== null && model.bound.get(cmd.channel) === g) model.bound.delete(cmd.channel);
      return;
    }

    case 'load': {
      if (store === null) return;
      const loaded = await GameSession.loadFromStore(cmd.channel, store, { clock });
      const g = model.bound.get(cmd.channel);
      if (g === undefined) {
        assert.equal(loaded, null, 'an unbound channel loads nothing');
        return;
      }
      assert.ok(loaded !== null, 'a bound channel loads its game');
      assert.equal(loaded.gameId, g.id);
      // The loaded session replaces this process's copy (as after a restart).
      registry.get(cmd.channel)?.dispose();
      registry.set(cmd.channel, loaded);
      const old = model.sessions.get(cmd.channel);
      if (old?.window.kind === 'open') old.window = { kind: 'cancelled' };
      // A channel's running game with an open window is timed by the session that loads it.
      const open = g.active && g.deadline !== null;
      model.sessions.set(cmd.channel, {
        game: g,
        window: open ? { kind: 'open', turn: g.turn } : { kind: 'none' },
      });
      return;
    }

    case 'swap': {
      if (store === null) return;
      const target = model.games[cmd.game];
      const gameId = target?.id ?? `missing-${cmd.game}`;
      if (target === undefined) {
        await assert.rejects(
          hotSwap(cmd.channel, gameId, store, { clock, registry }),
          GameNotFoundError,
        );
        return;
      }
      // If the game is bound to another channel, that channel's host stops its copy.
      const from = target.channel !== cmd.channel ? target.channel : null;
      const swapped = await hotSwap(cmd.channel, gameId, store, { clock, registry });
      assert.equal(swapped.gameId, gameId);
      assert.equal(registry.get(cmd.channel), swapped);

      const prev = model.bound.get(cmd.channel);
      if (prev !== undefined && prev !== target) {
        if (prev.active) model.exitGame(prev);
        model.bound.delete(cmd.channel);
      }
      if (from !== null && model.bound.get(from) === target) {
        model.bound.delete(from);
        if (target.active) model.exitGame(target);
      }
      // Other channels' copies of the moved game are stale: their hosts drop them.
      for (const [ch, other] of model.sessions) {
        if (ch !== cmd.channel && other.game === target) {
          registry.get(ch)?.dispose();
          registry.remove(ch);
          model.sessions.delete(ch);
        }
      }
      // The swapped-in game is active in this channel; a kept window reopens on the next press.
      model.exitGame(target);
      target.active = true;
      target.channel = cmd.channel;
      model.bound.set(cmd.channel, target);
      model.sessions.set(cmd.channel, { game: target, window: { kind: 'none' } });
      return;
    }

    case 'record': {
      const s = registry.get(cmd.channel);
      const ms = model.sessions.get(cmd.channel);
      if (s === undefined || ms === undefined) return;
      const g = ms.game;
      const choices = new Map(g.lastWindow?.choices ?? []);
      await s.recordTurn(choices, cmd.summary);
      g.history.push({ turn: g.turn, choices: [...choices], summary: cmd.summary });
      return;
    }
  }
}

async function check(sys: System, model: Model, variant: Variant): Promise<void> {
  for (const [ch, ms] of model.sessions) {
    const s = sys.registry.get(ch);
    assert.ok(s !== undefined, `channel ${ch} has a session`);
    const g = ms.game;
    assert.equal(s.gameId, g.id, `${ch}: gameId`);
    assert.equal(s.turnNumber, g.turn, `${ch}: turnNumber`);
    assert.equal(s.active, g.active, `${ch}: active`);
    assert.deepEqual(entries(s.pendingChoices), g.pending, `${ch}: pendingChoices`);
    assert.equal(s.windowDeadlineMs, g.active ? g.deadline : null, `${ch}: window deadline`);
    for (const [id, p] of g.players) {
      const real = s.players.get(id);
      assert.equal(real?.userName, p.name, `${ch}: player ${id} name`);
      assert.equal(real?.joinedTurn, p.joinedTurn, `${ch}: player ${id} joinedTurn`);
    }
    assert.equal(s.players.size, g.players.size, `${ch}: players`);
    const history = await s.getTurnHistory(undefined, 1000);
    const expected = g.history.slice(-1000).map((r) => [r.turn, r.choices, r.summary]);
    assert.deepEqual(
      history.map((r) => [r.turn, [...r.choices], r.narrativeSummary]),
      expected,
      `${ch}: history`,
    );
  }
  if (variant === 'none' || sys.store === null) return;
  const store = sys.store;
  // The store agrees with the model on every game, and the index lists exactly them.
  for (const g of model.games) {
    const loaded = await loadByGameId(g.id, store, { clock: sys.clock });
    assert.ok(loaded !== null, `game ${g.id} is stored`);
    assert.equal(loaded.turnNumber, g.turn, `stored ${g.id}: turnNumber`);
    assert.equal(loaded.active, g.active, `stored ${g.id}: active`);
    assert.equal(loaded.channelId, g.channel, `stored ${g.id}: channel`);
    assert.deepEqual(entries(loaded.pendingChoices), g.pending, `stored ${g.id}: pending`);
    assert.equal(loaded.windowDeadlineMs, g.deadline, `stored ${g.id}: window`);
    loaded.dispose();
  }
  const listed = await listAllGames(store);
  assert.deepEqual(
    listed
      .map((x) => [x.gameId, x.channelId, x.turnNumber, x.active])
      .sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    model.games
      .map((g) => [g.id, g.channel, g.turn, g.active])
      .sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    'listAllGames',
  );
  for (let i = 1; i < listed.length; i++) {
    const a = listed[i - 1];
    const b = listed[i];
    assert.ok(
      a !== undefined &&
        b !== undefined &&
        (a.updatedAt > b.updatedAt || (a.updatedAt === b.updatedAt && a.gameId > b.gameId)),
      'listAllGames is newest first',
    );
  }
  for (const ch of CHANNELS) {
    const bound = await store.loadChannel(ch);
    assert.equal(bound?.game_id ?? null, model.bound.get(ch)?.id ?? null, `binding of ${ch}`);
  }
}

async function run(variant: Variant, commands: Command[]): Promise<void> {
  const clock = new ManualClock();
  const store =
    variant === 'memory'
      ? new MemoryStore()
      : variant === 'sqlite'
        ? new SqliteStore(':memory:')
        : null;
  const sys: System = { clock, store, registry: new SessionRegistry(), nextId: 0 };
  const model = new Model(clock.now());
  try {
    for (const cmd of commands) {
      await step(cmd, sys, model);
      await check(sys, model, variant);
    }
  } finally {
    sys.registry.clear();
    await store?.close();
  }
}

const NUM_RUNS = { none: 120, memory: 80, sqlite: 80 } as const;

describe('GameSession against a reference model (fast-check)', () => {
  for (const variant of ['none', 'memory', 'sqlite'] as const) {
    test(`store: ${variant}`, async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(commandArb(variant !== 'none'), { minLength: 1, maxLength: 40, size: 'max' }),
          (cmds) => run(variant, cmds),
        ),
        { numRuns: NUM_RUNS[variant] },
      );
    });
  }

  test('the model itself is not vacuous: a known sequence reaches every kind of state', async () => {
    // boot, two presses (one replaced), window closes, record; exit with a kept choice.
    const cmds: Command[] = [
      { kind: 'boot', channel: 'c1', countdown: 1 },
      { kind: 'press', channel: 'c1', user: '10', name: 'Bob', choice: 'go north' },
      { kind: 'press', channel: 'c1', user: '0', name: 'Alice', choice: '10' },
      { kind: 'press', channel: 'c1', user: '10', name: 'Bob', choice: '__proto__' },
      { kind: 'wait', channel: 'c1' },
      { kind: 'advance', ms: 1000 },
      { kind: 'wait', channel: 'c1' },
      { kind: 'record', channel: 'c1', summary: 'ok' },
      { kind: 'press', channel: 'c1', user: '__proto__', name: '__proto__', choice: 'go north' },
      { kind: 'exit', channel: 'c1' },
      { kind: 'wait', channel: 'c1' },
    ];
    for (const variant of ['none', 'memory', 'sqlite'] as const) await run(variant, cmds);
    // And a wrong model must be caught: the same run with the press order reversed differs.
    const clock = new ManualClock();
    const s = new GameSession('c1', '', 'g', { clock, countdownSeconds: 1, titleScreen: () => '' });
    await s.boot('x');
    await s.submitChoice('10', 'Bob', 'a');
    await s.submitChoice('0', 'Alice', 'b');
    assert.notDeepEqual(entries(s.pendingChoices), [
      ['0', 'b'],
      ['10', 'a'],
    ]);
  });
});
