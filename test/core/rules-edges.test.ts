/**
 * The session rules at their edges, through the store port (MemoryStore runs the rules on its
 * stored copy) and through GameSession: closes that must be refused, what a patch may change,
 * and what a serialised game keeps.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { applyClose, applyPress, stateFromDict } from '../../src/core/session-state.js';
import {
  CountdownNotStartedError,
  GameSession,
  InvalidInputError,
  ManualClock,
  MemoryStore,
  SessionDataError,
  SessionInactiveError,
  StaleTurnError,
  WindowClosedError,
} from '../../src/index.js';
import { gameDict } from '../helpers/game-dict.js';

const T0 = 1_700_000_000_000;

const withGame = async () => {
  const store = new MemoryStore();
  await store.bootGame({
    ...gameDict('g', 'c'),
    created_at_ms: T0 - 5000,
    updated_at_ms: T0 - 5000,
  });
  const press = (userId: string, choice: string, nowMs: number, turn?: number) =>
    store.press('c', { gameId: 'g', userId, userName: `N-${userId}`, choice, nowMs, turn });
  const close = (turn: number, nowMs: number, early?: boolean) =>
    store.closeWindow('c', { gameId: 'g', turn, nowMs, early });
  const load = async () => {
    const d = await store.loadGame('g');
    assert.ok(d);
    return d;
  };
  return { store, press, close, load };
};

describe('session rules at their edges', () => {
  test('a press opens the window once; its outcome and updated_at follow the opening press', async () => {
    const { press, load } = await withGame();
    assert.deepEqual(await press('u1', 'a', T0), {
      isFirstChoice: true,
      secondsRemaining: 10,
      deadlineMs: T0 + 10_000,
      turnNumber: 0,
      joinedTurn: 0,
      pending: [['u1', 'a']],
    });
    assert.deepEqual(await press('u2', 'b', T0 + 2500, 0), {
      isFirstChoice: false,
      secondsRemaining: 7.5,
      deadlineMs: T0 + 10_000,
      turnNumber: 0,
      joinedTurn: 0,
      pending: [
        ['u1', 'a'],
        ['u2', 'b'],
      ],
    });
    const d = await load();
    assert.equal(d.updated_at_ms, T0, 'a press inside an open window does not move updated_at');
    assert.equal(d.created_at_ms, T0 - 5000);
    assert.equal(d.window_deadline_ms, T0 + 10_000);
    await assert.rejects(press('u3', 'c', T0 + 10_000), WindowClosedError);
    await press('u3', 'c', T0 + 9999);
    assert.equal((await load()).players.u3?.user_name, 'N-u3');
  });

  test('a close before the deadline is refused with the time left; early closes at once', async () => {
    const { press, close, load } = await withGame();
    await press('u1', 'a', T0);
    assert.deepEqual(await close(0, T0 + 9999), { status: 'open', turn: 0, msRemaining: 1 });
    assert.deepEqual(await close(0, T0 + 1, false), { status: 'open', turn: 0, msRemaining: 9999 });
    let d = await load();
    assert.equal(d.turn_number, 0);
    assert.deepEqual(d.pending_choices, { u1: 'a' });
    const early = await close(0, T0 + 1, true);
    assert.equal(early.status, 'closed');
    d = await load();
    assert.equal(d.turn_number, 1);
    assert.equal(d.updated_at_ms, T0 + 1);
  });

  test('a close at the deadline advances the turn once and is idempotent', async () => {
    const { press, close, load } = await withGame();
    await press('10', 'a', T0);
    await press('2', 'b', T0 + 1);
    const out = await close(0, T0 + 10_000);
    assert.deepEqual(out, {
      status: 'closed',
      turn: 0,
      choices: new Map([
        ['10', 'a'],
        ['2', 'b'],
      ]),
    });
    const d = await load();
    assert.equal(d.turn_number, 1);
    assert.deepEqual(d.pending_choices, {});
    assert.equal(d.window_deadline_ms, null);
    assert.equal(d.updated_at_ms, T0 + 10_000);
    assert.deepEqual(d.last_window, {
      turn: 0,
      choices: { 10: 'a', 2: 'b' },
      choice_order: ['10', '2'],
    });
    assert.deepEqual(await close(0, T0 + 20_000), out, 'closing it again: the same choices');
    assert.deepEqual(await load(), d, 'and nothing changed');
  });

  test('a close for another turn, or for a turn with no window, is refused and changes nothing', async () => {
    const { press, close, load } = await withGame();
    await assert.rejects(close(0, T0), CountdownNotStartedError);
    assert.equal((await load()).turn_number, 0, 'a turn with no window does not advance');
    await press('u1', 'a', T0);
    await assert.rejects(close(1, T0 + 10_000), (e: unknown) => {
      assert.ok(e instanceof StaleTurnError);
      assert.equal(e.pressedTurn, 1);
      assert.equal(e.currentTurn, 0);
      return true;
    });
    await close(0, T0 + 10_000);
    await press('u1', 'b', T0 + 20_000);
    await close(1, T0 + 30_000);
    const before = await load();
    assert.equal(before.turn_number, 2);
    // Turn 0's window is no longer the last one: its close is stale, not a step back.
    await assert.rejects(close(0, T0 + 40_000), StaleTurnError);
    await assert.rejects(close(2, T0 + 40_000), CountdownNotStartedError);
    assert.deepEqual(await load(), before);
    await assert.rejects(press('u1', 'c', T0 + 40_000, 1), StaleTurnError);
  });

  test('an exited game refuses presses and closes; a swap-in reactivates it without its window', async () => {
    const { store, press, close, load } = await withGame();
    await press('u1', 'a', T0);
    const exited = await store.exitGame('c', 'g', T0 + 100);
    assert.equal(exited.active, false);
    assert.equal(exited.window_deadline_ms, null);
    assert.equal(exited.updated_at_ms, T0 + 100);
    assert.deepEqual(exited.pending_choices, { u1: 'a' });
    await assert.rejects(press('u1', 'b', T0 + 200), SessionInactiveError);
    await assert.rejects(close(0, T0 + 20_000), SessionInactiveError);
    const back = await store.swapIn('c2', 'g', T0 + 300);
    assert.equal(back.active, true);
    assert.equal(back.channel_id, 'c2');
    assert.equal(back.window_deadline_ms, null);
    assert.equal(back.updated_at_ms, T0 + 300);
    assert.deepEqual(back.pending_choices, { u1: 'a' });
    assert.deepEqual(await load(), back);
  });

  test('a patch sets the name, the title screen, players and extra; a bad patch changes nothing', async () => {
    const { store, press, load } = await withGame();
    await press('u1', 'a', T0);
    await store.updateGame(
      'g',
      {
        gameName: 'Renamed',
        titleScreenUrl: 'https://example.test/t.png',
        players: [
          { user_id: 'u1', user_name: 'Ann', joined_turn: 5 },
          { user_id: 'u9', user_name: 'Zed', joined_turn: 3 },
        ],
        extra: { scene: 'hall', list: [1, { deep: null }], ok: true },
      },
      T0 + 50,
    );
    const d = await load();
    assert.equal(d.game_name, 'Renamed');
    assert.equal(d.title_screen_url, 'https://example.test/t.png');
    assert.deepEqual(d.players.u1, { user_id: 'u1', user_name: 'Ann', joined_turn: 0 });
    assert.deepEqual(d.players.u9, { user_id: 'u9', user_name: 'Zed', joined_turn: 3 });
    assert.deepEqual(d.extra, { scene: 'hall', list: [1, { deep: null }], ok: true });
    assert.equal(d.updated_at_ms, T0 + 50);
    assert.equal(d.window_deadline_ms, T0 + 10_000, 'a patch does not touch the window');
    await store.updateGame('g', { gameName: '' }, T0 + 60);
    assert.equal((await load()).game_name, '');

    const circular: Record<string, unknown> = {};
    circular.self = circular;
    // [field, patch, the start of the error's reason]
    const bad: Array<[string, unknown, string]> = [
      ['titleScreenUrl', { titleScreenUrl: 42 }, 'must be a string'],
      ['extra', { extra: [1, 2] }, 'must be an object'],
      ['extra', { extra: null }, 'must be an object'],
      ['extra', { extra: 'text' }, 'must be an object'],
      [
        'extra',
        { extra: { n: 10n } },
        'must be JSON-serialisable (Do not know how to serialize a BigInt',
      ],
      ['extra', { extra: circular }, 'must be JSON-serialisable (Converting circular structure'],
      ['gameName', { gameName: ' ' }, 'must not be blank'],
      ['gameName', { gameName: 'x'.repeat(101) }, 'must be at most 100 characters'],
    ];
    const kept = await load();
    for (const [field, patch, reason] of bad) {
      await assert.rejects(
        store.updateGame('g', patch as never, T0 + 70),
        (e: unknown) =>
          e instanceof InvalidInputError &&
          e.field === field &&
          e.message.startsWith(`${field}: ${reason}`),
        field,
      );
      // Nothing of a patch is applied when one part of it is bad.
      const good = field === 'gameName' ? { extra: { half: 1 } } : { gameName: 'Half' };
      await assert.rejects(
        store.updateGame('g', { ...(patch as object), ...good } as never, T0 + 70),
        InvalidInputError,
      );
    }
    assert.deepEqual(await load(), kept);
    // The stored game still reads and takes good patches.
    await store.updateGame('g', { extra: {} }, T0 + 80);
    assert.deepEqual((await load()).extra, {});
  });

  test('a serialised game keeps its times, shares no extra with the live state, and keeps order', async () => {
    const clock = new ManualClock(T0);
    const s = new GameSession('c', '', 'g', { clock });
    await s.boot('Dicts');
    clock.advance(1000);
    await s.submitChoice('7', 'Seven', 'x');
    await s.submitChoice('3', 'Three', 'y');
    s.extra = { scene: { room: 'hall' } };
    const d = s.toDict();
    assert.equal(d.created_at_ms, T0);
    assert.equal(d.updated_at_ms, T0 + 1000);
    assert.deepEqual(d.pending_order, ['7', '3']);
    (d.extra.scene as Record<string, string>).room = 'cellar';
    assert.deepEqual(s.extra, { scene: { room: 'hall' } }, 'the dict is a copy');
    clock.advance(10_000);
    await s.waitForCountdown();
    const after = s.toDict();
    assert.deepEqual(after.last_window, {
      turn: 0,
      choices: { 7: 'x', 3: 'y' },
      choice_order: ['7', '3'],
    });
    const back = GameSession.fromDict(JSON.parse(JSON.stringify(after)));
    assert.equal(back.createdAtMs, T0);
    assert.equal(back.updatedAtMs, T0 + 11_000);
    assert.deepEqual(
      [...(back.lastWindow?.choices ?? [])],
      [
        ['7', 'x'],
        ['3', 'y'],
      ],
    );
    assert.equal(back.lastWindow?.turn, 0);
    back.extra.scene = 'changed';
    assert.deepEqual(s.extra, { scene: { room: 'hall' } });

    // Plain ids need no explicit order.
    const p = new GameSession('c', '', 'g2', { clock });
    await p.boot('Plain');
    await p.submitChoice('ann', 'Ann', 'x');
    assert.equal('pending_order' in p.toDict(), false);
    clock.advance(10_000);
    await p.waitForCountdown();
    assert.deepEqual(p.toDict().last_window, { turn: 0, choices: { ann: 'x' } });
  });

  test('times missing from an old dict default to each other, or to 0', () => {
    const base = { ...gameDict('g', 'c') } as Record<string, unknown>;
    const onlyCreated: Record<string, unknown> = { ...base, created_at_ms: 1234 };
    delete onlyCreated.updated_at_ms;
    const a = GameSession.fromDict(onlyCreated);
    assert.equal(a.createdAtMs, 1234);
    assert.equal(a.updatedAtMs, 1234);
    const onlyUpdated: Record<string, unknown> = { ...base, updated_at_ms: 5678 };
    delete onlyUpdated.created_at_ms;
    const b = GameSession.fromDict(onlyUpdated);
    assert.equal(b.createdAtMs, 5678);
    assert.equal(b.updatedAtMs, 5678);
    const neither = { ...base };
    delete neither.created_at_ms;
    delete neither.updated_at_ms;
    delete neither.extra;
    delete neither.window_deadline_ms;
    delete neither.last_window;
    const c = GameSession.fromDict(neither);
    assert.equal(c.createdAtMs, 0);
    assert.equal(c.updatedAtMs, 0);
    assert.deepEqual(c.extra, {});
    assert.equal(c.windowDeadlineMs, null);
    assert.equal(c.lastWindow, null);
  });

  test('the rules refuse a press or close meant for another game (no store lets one through)', () => {
    // Stores and sessions look a game up by its id before applying a rule, so this guard is
    // reachable only through the rule functions themselves (as RedisStore's model would be).
    const s = stateFromDict(gameDict('g', 'c'));
    const other = { gameId: 'other', userId: 'u', userName: 'U', choice: 'a', nowMs: T0 };
    const another = /another game has been loaded into this channel/;
    assert.throws(
      () => applyPress(s, other),
      (e: unknown) => e instanceof SessionInactiveError && another.test(e.message),
    );
    applyPress(s, { ...other, gameId: 'g' });
    applyClose(s, { gameId: 'g', turn: 0, nowMs: T0 + 10_000 });
    // Turn 0's window is the last one, but not of this game: no cached answer for it.
    assert.throws(
      () => applyClose(s, { gameId: 'other', turn: 0, nowMs: T0 + 20_000 }),
      SessionInactiveError,
    );
    assert.throws(
      () => applyClose(s, { gameId: 'other', turn: 1, nowMs: T0 + 20_000 }),
      (e: unknown) => e instanceof SessionInactiveError && another.test(e.message),
    );
    assert.equal(s.turnNumber, 1);
  });

  test('an explicit order that does not match its choices names the bad field', () => {
    const last_window = { turn: 0, choices: { 1: 'a', 2: 'b' }, choice_order: ['2', '3'] };
    const bad = [
      [{ ...gameDict('g', 'c'), last_window }, 'last_window.choice_order'],
      [
        { ...gameDict('g', 'c'), pending_choices: { 1: 'a' }, pending_order: ['1', '1'] },
        'pending_order',
      ],
    ] as const;
    for (const [dict, field] of bad) {
      assert.throws(
        () => GameSession.fromDict(dict),
        (e: unknown) => e instanceof SessionDataError && e.field === field,
        field,
      );
    }
  });
});
