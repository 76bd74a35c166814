/**
 * The SessionStore contract: every store (Memory, SQLite, Redis, Redis Cluster) runs this same
 * suite through the public GameSession API and the port. Add a case here, never in one store.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  CountdownCancelledError,
  CountdownNotStartedError,
  GameNotFoundError,
  GameSession,
  hotSwap,
  InvalidInputError,
  listAllGames,
  loadByGameId,
  ManualClock,
  SessionInactiveError,
  SessionRegistry,
  type SessionStore,
  StaleTurnError,
  TurnRecord,
  WindowClosedError,
} from '../../src/index.js';
import { crossProcessWindowCases, historyAndWindowCases } from './contract-history.js';

export interface ContractOptions {
  /** Stores whose clock for deadlines is their own (Redis TIME) cannot follow a ManualClock. */
  realTime?: boolean;
  /** Opens a second connection to the store's data (another process's view of it). */
  twin?: () => Promise<SessionStore>;
}

let counter = 0;
const uniq = (p: string) => `${p}-${process.pid}-${++counter}`;

export function runStoreContract(
  name: string,
  makeStore: () => Promise<SessionStore>,
  options: ContractOptions = {},
): void {
  describe(`SessionStore contract: ${name}`, () => {
    let store: SessionStore;
    before(async () => {
      store = await makeStore();
    });
    after(async () => {
      await store.close();
    });

    // With a store on its own clock, windows are short and the test waits for real.
    const seconds = options.realTime ? 0.3 : 10;
    const newClock = () => new ManualClock(Date.now());
    // Real time passes first, so a store on its own clock has reached the deadline when the
    // session's timer (on the ManualClock) fires and asks it to close the window.
    const pass = async (clock: ManualClock, s: number) => {
      if (!options.realTime) return clock.advance(s * 1000);
      // Deadlines come from the store's clock, a little after this session's clock read them.
      await new Promise((r) => setTimeout(r, s * 1000 + 100));
      clock.advance(s * 1000 + 100);
    };
    const boot = async (
      clock = newClock(),
      channel = uniq('chan'),
      gameName = 'Contract Quest',
    ) => {
      const s = new GameSession(channel, '', undefined, { clock, countdownSeconds: seconds });
      await s.boot(gameName, store);
      return s;
    };

    test('setAsideUnreadable moves nothing that reads fine (a healthy game, no game)', async () => {
      const s = await boot();
      assert.equal(await store.setAsideUnreadable(s.channelId, Date.now()), null);
      assert.equal(await store.setAsideUnreadable(uniq('empty'), Date.now()), null);
      assert.equal((await store.loadChannel(s.channelId))?.game_id, s.gameId);
      assert.ok((await store.listGames({ limit: 500 })).games.some((g) => g.gameId === s.gameId));
    });

    test('boot persists the game and binds it to its channel', async () => {
      const s = await boot();
      const loaded = await GameSession.loadFromStore(s.channelId, store);
      assert.ok(loaded);
      assert.equal(loaded.gameId, s.gameId);
      assert.equal(loaded.gameName, 'Contract Quest');
      assert.equal(loaded.active, true);
      assert.equal(loaded.turnNumber, 0);
      assert.equal(loaded.countdownSeconds, seconds);
      assert.equal(loaded.titleScreenUrl, s.titleScreenUrl);
    });

    test('presses are stored before they resolve; last press wins, first-press order kept', async () => {
      const clock = newClock();
      const s = await boot(clock);
      const first = await s.submitChoice('u1', 'Ann', 'left');
      assert.equal(first.isFirstChoice, true);
      assert.ok(first.secondsRemaining > 0 && first.secondsRemaining <= seconds);
      await s.submitChoice('u2', 'Bob', 'right');
      const again = await s.submitChoice('u1', 'Ann', 'up');
      assert.equal(again.isFirstChoice, false);
      const other = await GameSession.loadFromStore(s.channelId, store, { clock });
      assert.deepEqual(
        [...(other?.pendingChoices ?? [])],
        [
          ['u1', 'up'],
          ['u2', 'right'],
        ],
      );
      assert.equal(other?.players.get('u2')?.userName, 'Bob');
      assert.deepEqual(
        [...s.pendingChoices],
        [
          ['u1', 'up'],
          ['u2', 'right'],
        ],
      );
    });

    test('a window closes once: every waiter, in any session object, gets the same choices', async () => {
      const clock = newClock();
      const s = await boot(clock);
      await s.submitChoice('u1', 'Ann', 'left');
      const twin = await GameSession.loadFromStore(s.channelId, store, { clock });
      assert.ok(twin);
      await twin.submitChoice('u2', 'Bob', 'right');
      const waits = [s.waitForCountdown(), twin.waitForCountdown(), s.waitForCountdown()];
      await pass(clock, seconds);
      const results = await Promise.all(waits);
      for (const r of results)
        assert.deepEqual(
          [...r],
          [
            ['u1', 'left'],
            ['u2', 'right'],
          ],
        );
      const after = await GameSession.loadFromStore(s.channelId, store);
      assert.equal(after?.turnNumber, 1);
      assert.equal(after?.pendingChoices.size, 0);
      assert.deepEqual(
        [...(await s.waitForCountdown())],
        [
          ['u1', 'left'],
          ['u2', 'right'],
        ],
      );
    });

    test('presses for an old turn are refused and change nothing', async () => {
      const clock = newClock();
      const s = await boot(clock);
      await s.submitChoice('u1', 'Ann', 'left', { turn: 0 });
      const w = s.waitForCountdown();
      await pass(clock, seconds);
      await w;
      await assert.rejects(s.submitChoice('u2', 'Bob', 'late', { turn: 0 }), StaleTurnError);
      const loaded = await GameSession.loadFromStore(s.channelId, store);
      assert.equal(loaded?.pendingChoices.size, 0);
      assert.equal(loaded?.players.has('u2'), false);
    });

    test('history: last N oldest first, count argument validated', async () => {
      const s = await boot();
      for (let t = 1; t <= 4; t++) {
        s.turnNumber = t;
        await s.recordTurn({ u1: `c${t}` }, `summary ${t}`);
      }
      const last3 = await s.getTurnHistory(undefined, 3);
      assert.deepEqual(
        last3.map((r) => [r.turn, r.narrativeSummary, r.choices.get('u1')]),
        [
          [2, 'summary 2', 'c2'],
          [3, 'summary 3', 'c3'],
          [4, 'summary 4', 'c4'],
        ],
      );
      assert.ok(last3.every((r) => r instanceof TurnRecord));
      await assert.rejects(s.getTurnHistory(undefined, 0), InvalidInputError);
    });

    historyAndWindowCases({ store: () => store, boot, newClock, pass, seconds });
    crossProcessWindowCases({
      store: () => store,
      boot,
      newClock,
      pass,
      seconds,
      twin: options.twin,
    });

    test('exit during a window cancels the wait and saves the pending choices', async () => {
      const clock = newClock();
      const s = await boot(clock);
      await s.submitChoice('u1', 'Ann', 'left');
      const w = s.waitForCountdown();
      const msg = await s.exitGame();
      assert.match(msg, /1 pending choice/);
      await assert.rejects(w, CountdownCancelledError);
      assert.equal(await GameSession.loadFromStore(s.channelId, store), null);
      const saved = await loadByGameId(s.gameId, store);
      assert.equal(saved?.active, false);
      assert.deepEqual([...(saved?.pendingChoices ?? [])], [['u1', 'left']]);
      await assert.rejects(s.submitChoice('u1', 'Ann', 'x'), SessionInactiveError);
      await assert.rejects(s.exitGame(), SessionInactiveError);
    });

    test('the index lists games newest first and pages through all of them', async () => {
      const clock = newClock();
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        clock.advance(1000);
        ids.push((await boot(clock, uniq('chan-index'), `Index ${i}`)).gameId);
      }
      const page1 = await store.listGames({ limit: 2 });
      assert.equal(page1.games.length, 2);
      assert.ok(page1.nextCursor);
      const all = await listAllGames(store);
      const mine = all.filter((g) => ids.includes(g.gameId)).map((g) => g.gameId);
      assert.deepEqual(mine, [...ids].reverse());
      for (let i = 1; i < all.length; i++)
        assert.ok((all[i - 1]?.updatedAt ?? 0) >= (all[i]?.updatedAt ?? 0));
      const g = all.find((x) => x.gameId === ids[0]);
      assert.equal(g?.gameName, 'Index 0');
      assert.equal(typeof g?.createdAt, 'number');
      await assert.rejects(store.listGames({ cursor: 'not-a-cursor' }), InvalidInputError);
      await assert.rejects(store.listGames({ limit: 0 }), InvalidInputError);
    });

    test('hot-swap: the channel game is saved first, the loaded game moves, never in two channels', async () => {
      const clock = newClock();
      const registry = new SessionRegistry();
      const a = await boot(clock, uniq('chan-a'), 'Game A');
      registry.set(a.channelId, a);
      await a.submitChoice('u1', 'Ann', 'keep me');
      const b = await boot(clock, uniq('chan-b'), 'Game B');
      const swapped = await hotSwap(a.channelId, b.gameId, store, { clock, registry });
      assert.equal(swapped.gameId, b.gameId);
      assert.equal(swapped.channelId, a.channelId);
      assert.equal(registry.get(a.channelId), swapped);
      assert.equal(a.active, false);
      const savedA = await loadByGameId(a.gameId, store);
      assert.equal(savedA?.active, false);
      assert.deepEqual([...(savedA?.pendingChoices ?? [])], [['u1', 'keep me']]);
      assert.equal(await GameSession.loadFromStore(b.channelId, store), null);
      await assert.rejects(b.submitChoice('u2', 'Bob', 'x'), SessionInactiveError);
      const r = await swapped.submitChoice('u2', 'Bob', 'hello');
      assert.equal(r.isFirstChoice, true);
      // Swapping A back resumes its kept choice.
      const back = await hotSwap(a.channelId, a.gameId, store, { clock, registry });
      assert.deepEqual([...back.pendingChoices], [['u1', 'keep me']]);
      await assert.rejects(
        hotSwap(a.channelId, 'no-such-game', store, { clock, registry }),
        GameNotFoundError,
      );
      assert.equal((await GameSession.loadFromStore(a.channelId, store))?.gameId, a.gameId);
    });

    test('booting a new game into a busy channel exits the old one first', async () => {
      const clock = newClock();
      const a = await boot(clock, uniq('chan-boot'), 'Old');
      await a.submitChoice('u1', 'Ann', 'pending');
      const b = await boot(clock, a.channelId, 'New');
      assert.equal((await GameSession.loadFromStore(a.channelId, store))?.gameId, b.gameId);
      const old = await loadByGameId(a.gameId, store);
      assert.equal(old?.active, false);
      assert.deepEqual([...(old?.pendingChoices ?? [])], [['u1', 'pending']]);
    });

    test('a press after the deadline is refused and closes the missed window', async () => {
      if (options.realTime) return; // covered by the store's own tests on its own clock
      const clock = newClock();
      const s = await boot(clock);
      await s.submitChoice('u1', 'Ann', 'left');
      s.dispose(); // the process that opened the window is gone
      clock.advance(seconds * 1000);
      const twin = await GameSession.loadFromStore(s.channelId, store, { clock });
      assert.ok(twin);
      await assert.rejects(twin.submitChoice('u2', 'Bob', 'late'), WindowClosedError);
      assert.deepEqual([...(await twin.waitForCountdown())], [['u1', 'left']]);
      assert.equal(twin.turnNumber, 1);
      const next = await twin.submitChoice('u2', 'Bob', 'again');
      assert.equal(next.isFirstChoice, true);
      assert.equal((await GameSession.loadFromStore(s.channelId, store, { clock }))?.turnNumber, 1);
    });

    test('ids named like prototype members are ordinary keys', async () => {
      const clock = newClock();
      const s = await boot(clock);
      for (const id of ['__proto__', 'constructor', 'toString', '10', '2'])
        await s.submitChoice(id, `N ${id}`, `c ${id}`);
      const loaded = await GameSession.loadFromStore(s.channelId, store, { clock });
      assert.deepEqual(
        [...(loaded?.pendingChoices.keys() ?? [])],
        ['__proto__', 'constructor', 'toString', '10', '2'],
      );
      assert.equal(loaded?.players.get('__proto__')?.userName, 'N __proto__');
      const w = s.waitForCountdown();
      await pass(clock, seconds);
      const choices = await w;
      await s.recordTurn(choices, 'proto turn');
      const [rec] = await s.getTurnHistory(undefined, 1);
      assert.deepEqual(
        [...(rec?.choices.keys() ?? [])],
        ['__proto__', 'constructor', 'toString', '10', '2'],
      );
    });

    test('delete removes the channel binding; deleting a game removes it from the index', async () => {
      const s = await boot();
      await GameSession.deleteFromStore(s.channelId, store);
      assert.equal(await GameSession.loadFromStore(s.channelId, store), null);
      assert.ok(await loadByGameId(s.gameId, store));
      await store.deleteGame(s.gameId);
      assert.equal(await loadByGameId(s.gameId, store), null);
      assert.ok(!(await listAllGames(store)).some((g) => g.gameId === s.gameId));
    });

    test('an operation that fails part-way changes nothing', async () => {
      const s = await boot();
      s.turnNumber = 1;
      const record = new TurnRecord(1, { u1: 'a' }, 'kept?', 1_700_000_000).toDict();
      await assert.rejects(
        store.appendTurn(s.gameId, record, {
          players: [{ user_id: 'p', user_name: '', joined_turn: 0 }],
        }),
        (e: unknown) => e instanceof Error && /user_name/.test(e.message),
      );
      assert.deepEqual(await store.recentTurns(s.gameId, 5), []);
      assert.equal((await store.appendTurn(s.gameId, record)).stored, true);
      assert.equal((await store.recentTurns(s.gameId, 5)).length, 1);
      await assert.rejects(
        store.updateGame('no-such-game', { gameName: 'x' }, Date.now()),
        GameNotFoundError,
      );
    });

    test('saved extra data and players survive a reload', async () => {
      const s = await boot();
      s.extra = { scene: { text: 'A door.', choices: ['open', 'knock'] }, n: 3 };
      s.registerPlayer('u9', 'Nine');
      await s.save();
      const loaded = await GameSession.loadFromStore(s.channelId, store);
      assert.deepEqual(loaded?.extra, {
        scene: { text: 'A door.', choices: ['open', 'knock'] },
        n: 3,
      });
      assert.equal(loaded?.players.get('u9')?.userName, 'Nine');
    });

    /** A game whose windows do not close on their own during the test (also in real time). */
    const bootLong = async (clock: ManualClock) => {
      const s = new GameSession(uniq('chan'), '', undefined, { clock, countdownSeconds: 60 });
      await s.boot('Long Quest', store);
      return s;
    };

    test('a scene set aside closes its turn: with the open window, or with none', async () => {
      const clock = newClock();
      const s = await bootLong(clock);
      // No window open: the turn closes with no choices.
      assert.deepEqual(await s.setSceneAside(), new Map());
      assert.equal(s.turnNumber, 1);
      let stored = await store.loadGame(s.gameId);
      assert.equal(stored?.turn_number, 1);
      assert.deepEqual(stored?.last_window, { turn: 0, choices: {} });
      // A window open: it closes now, with its choices, before its deadline.
      await s.submitChoice('u1', 'Ann', 'left');
      await s.submitChoice('u2', 'Bob', 'right');
      assert.deepEqual(
        [...(await s.setSceneAside())],
        [
          ['u1', 'left'],
          ['u2', 'right'],
        ],
      );
      stored = await store.loadGame(s.gameId);
      assert.equal(stored?.turn_number, 2);
      assert.equal(stored?.window_deadline_ms, null);
      assert.deepEqual(stored?.pending_choices, {});
      // A plain close of a turn with no window is still refused.
      await assert.rejects(
        store.closeWindow(s.channelId, {
          gameId: s.gameId,
          turn: 2,
          nowMs: clock.now(),
          early: true,
        }),
        CountdownNotStartedError,
      );
    });

    test("a game's countdown changes from its next window, kept with the game", async () => {
      const clock = newClock();
      const s = await bootLong(clock);
      await s.submitChoice('u1', 'Ann', 'left');
      const open = (await store.loadGame(s.gameId))?.window_deadline_ms;
      await s.changeCountdown(90);
      const stored = await store.loadGame(s.gameId);
      assert.equal(stored?.window_deadline_ms, open, 'the open window keeps its deadline');
      assert.equal(stored?.countdown_seconds, 90);
      await assert.rejects(
        store.updateGame(s.gameId, { countdownSeconds: -1 }, clock.now()),
        InvalidInputError,
      );
      assert.equal((await store.loadGame(s.gameId))?.countdown_seconds, 90);
      const again = await GameSession.loadFromStore(s.channelId, store);
      assert.equal(again?.countdownSeconds, 90);
      again?.dispose();
      await s.exitGame();
    });

    test('channel settings outlive the games of the channel; each channel has its own', async () => {
      const s = await boot();
      const other = uniq('chan');
      assert.deepEqual(await store.channelSettings(s.channelId), {});
      await store.setChannelSettings(s.channelId, { countdownSeconds: 30 });
      await s.exitGame();
      await store.unbindChannel(s.channelId);
      assert.deepEqual(await store.channelSettings(s.channelId), { countdownSeconds: 30 });
      assert.deepEqual(await store.channelSettings(other), {});
      await store.setChannelSettings(s.channelId, { countdownSeconds: 45, n: [1] });
      assert.deepEqual(await store.channelSettings(s.channelId), { countdownSeconds: 45, n: [1] });
      await assert.rejects(
        store.setChannelSettings(s.channelId, { big: 'x'.repeat(5000) }),
        InvalidInputError,
      );
      await assert.rejects(
        store.setChannelSettings(s.channelId, [] as unknown as Record<string, never>),
        InvalidInputError,
      );
      assert.deepEqual(await store.channelSettings(s.channelId), { countdownSeconds: 45, n: [1] });
    });
  });
}
