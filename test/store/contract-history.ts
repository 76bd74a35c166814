/**
 * Contract cases on turn history and on windows seen across session objects, run inside
 * runStoreContract (contract.ts) for every store.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  GameSession,
  GameSessionError,
  InvalidInputError,
  type ManualClock,
  SCENE_CHOICES_MAX,
  SCENE_TEXT_MAX_LENGTH,
  type SessionStore,
  TurnRecord,
  windowCommitKey,
} from '../../src/index.js';

export interface ContractContext {
  store: () => SessionStore;
  boot: (clock?: ManualClock, channel?: string, gameName?: string) => Promise<GameSession>;
  newClock: () => ManualClock;
  /** Lets `s` seconds pass for the store and the session's clock. */
  pass: (clock: ManualClock, s: number) => Promise<void>;
  seconds: number;
  /** A second connection to the same data, as another process would open (default: the same store). */
  twin?: (() => Promise<SessionStore>) | undefined;
}

const summaries = (rs: TurnRecord[]) => rs.map((r) => r.narrativeSummary);

export function historyAndWindowCases(ctx: ContractContext): void {
  test('history: every recordTurn is kept; 15 calls give the last 10, oldest first, as returned', async () => {
    const s = await ctx.boot();
    const returned: TurnRecord[] = [];
    for (let i = 1; i <= 15; i++)
      returned.push(await s.recordTurn({ u1: `c${i}` }, `summary ${i}`));
    assert.ok(returned.every((r) => r instanceof TurnRecord && r.turn === 0));
    const last10 = await s.getTurnHistory(undefined, 10);
    assert.deepEqual(
      summaries(last10),
      Array.from({ length: 10 }, (_, i) => `summary ${i + 6}`),
    );
    assert.deepEqual(
      last10.map((r) => r.toDict()),
      returned.slice(5).map((r) => r.toDict()),
    );
    const other = await GameSession.loadFromStore(s.channelId, ctx.store());
    assert.deepEqual(summaries((await other?.getTurnHistory(undefined, 3)) ?? []), [
      'summary 13',
      'summary 14',
      'summary 15',
    ]);
  });

  test('history: an idempotency key stores a retried commit once, without its patch', async () => {
    const s = await ctx.boot();
    const store = ctx.store();
    s.turnNumber = 1;
    s.extra = { scene: 'first' };
    const key = windowCommitKey(0);
    const first = await s.recordTurn({ u1: 'a' }, 'first', undefined, { key });
    s.extra = { scene: 'retry' };
    const again = await s.recordTurn({ u1: 'b' }, 'retry', undefined, { key });
    assert.deepEqual(again.toDict(), first.toDict());
    const viaPort = await store.appendTurn(
      s.gameId,
      new TurnRecord(1, { u1: 'c' }, 'port retry', 1_700_000_000).toDict(),
      { extra: { scene: 'port' } },
      { key },
    );
    assert.deepEqual(viaPort, { record: first.toDict(), stored: false });
    assert.deepEqual(summaries(await s.getTurnHistory(undefined, 5)), ['first']);
    assert.deepEqual((await GameSession.loadFromStore(s.channelId, store))?.extra, {
      scene: 'first',
    });
    // Another key, or none, is stored.
    s.turnNumber = 2;
    await s.recordTurn({ u1: 'd' }, 'next', undefined, { key: windowCommitKey(1) });
    await s.recordTurn({ u1: 'e' }, 'unkeyed');
    assert.deepEqual(summaries(await s.getTurnHistory(undefined, 5)), ['first', 'next', 'unkeyed']);
    await assert.rejects(
      s.recordTurn({ u1: 'f' }, 'bad', undefined, { key: '' }),
      InvalidInputError,
    );
    await assert.rejects(
      store.appendTurn(s.gameId, first.toDict(), undefined, { key: 'x'.repeat(201) }),
      InvalidInputError,
    );
    assert.equal((await s.getTurnHistory(undefined, 10)).length, 3);
  });

  test('history: the scene shown after a turn is kept with its record, to be re-read', async () => {
    const s = await ctx.boot();
    const store = ctx.store();
    s.turnNumber = 1;
    const scene = { text: 'A dark hall.\nTwo doors 🚪 — “which one?”', choices: ['Left', 'Right'] };
    const first = await s.recordTurn({ u1: 'a' }, 'went in', undefined, {
      key: windowCommitKey(0),
      scene,
    });
    assert.deepEqual(first.scene, scene);
    assert.deepEqual(first.toDict().scene, scene);
    // Without a scene the record keeps the seed's format (no `scene` key at all).
    s.turnNumber = 2;
    const plain = await s.recordTurn({ u1: 'b' }, 'no scene');
    assert.equal(plain.scene, null);
    assert.equal('scene' in plain.toDict(), false);
    // The largest scene a record takes: the longest text and the most, longest choices.
    const big = {
      text: `${'x'.repeat(SCENE_TEXT_MAX_LENGTH - 2)}\né`,
      choices: Array.from({ length: SCENE_CHOICES_MAX }, (_, i) => `${i}`.padEnd(500, 'c')),
    };
    const viaPort = await store.appendTurn(
      s.gameId,
      new TurnRecord(3, { u2: 'c' }, 'biggest', 1_700_000_000, big).toDict(),
    );
    assert.equal(viaPort.stored, true);
    const other = await GameSession.loadFromStore(s.channelId, store);
    const kept = (await other?.getTurnHistory(undefined, 3)) ?? [];
    assert.deepEqual(
      kept.map((r) => r.scene),
      [scene, null, big],
    );
    assert.deepEqual(
      (await store.recentTurns(s.gameId, 3)).map((d) => d.scene),
      [scene, undefined, big],
    );
    // A scene past the limits, or with characters that could forge a line, is refused and
    // nothing is stored.
    const bad: unknown[] = [
      { text: 'x'.repeat(SCENE_TEXT_MAX_LENGTH + 1), choices: [] },
      { text: 'fine', choices: Array.from({ length: SCENE_CHOICES_MAX + 1 }, (_, i) => `c${i}`) },
      { text: 'evil \u202e txt', choices: ['a'] },
      { text: 'fine', choices: [''] },
      { text: 7, choices: ['a'] },
    ];
    for (const b of bad) {
      await assert.rejects(
        s.recordTurn({ u1: 'd' }, 'bad', undefined, { scene: b as never }),
        InvalidInputError,
      );
      await assert.rejects(
        store.appendTurn(s.gameId, { ...plain.toDict(), scene: b as never }),
        GameSessionError,
      );
    }
    assert.equal((await s.getTurnHistory(undefined, 10)).length, 3);
  });
}

/** Waits (event-loop turns, not time) until `cond` holds; fails after many turns. */
async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 10_000 && !cond(); i++) await new Promise((r) => setImmediate(r));
  assert.ok(cond(), what);
}

export function crossProcessWindowCases(ctx: ContractContext): void {
  test('waitForCountdown sees the next window opened by another session object on the store', async () => {
    const clock = ctx.newClock();
    const a = await ctx.boot(clock);
    // A second process: its own GameSession for the same channel, bound to the same store.
    const other = ctx.twin ? await ctx.twin() : ctx.store();
    const b = await GameSession.loadFromStore(a.channelId, other, { clock });
    assert.ok(b);
    await a.submitChoice('u1', 'Ann', 'left');
    const first = [a.waitForCountdown(), b.waitForCountdown()];
    await until(() => b.windowDeadlineMs !== null, 'b learns of the window a opened');
    await ctx.pass(clock, ctx.seconds);
    for (const r of await Promise.all(first)) assert.deepEqual([...r], [['u1', 'left']]);

    await b.submitChoice('u2', 'Bob', 'right');
    const wa = a.waitForCountdown();
    const wb = b.waitForCountdown();
    await until(() => a.windowDeadlineMs !== null, 'a learns of the window b opened');
    await a.submitChoice('u1', 'Ann', 'up');
    await ctx.pass(clock, ctx.seconds);
    const expected = [
      ['u2', 'right'],
      ['u1', 'up'],
    ];
    assert.deepEqual([...(await wa)], expected);
    assert.deepEqual([...(await wb)], expected);
    const loaded = await GameSession.loadFromStore(a.channelId, ctx.store());
    assert.equal(loaded?.turnNumber, 2);
    assert.equal(a.turnNumber, 2);
    assert.equal(b.turnNumber, 2);
    assert.deepEqual([...(await a.waitForCountdown())], expected);
    if (other !== ctx.store()) await other.close();
  });

  test('a session loaded while a window is open closes it at its deadline, with nobody waiting', async () => {
    const clock = ctx.newClock();
    const a = await ctx.boot(clock);
    await a.submitChoice('u1', 'Ann', 'left');
    a.dispose(); // the process that opened the window is gone
    const b = await GameSession.loadFromStore(a.channelId, ctx.store(), { clock });
    assert.ok(b);
    await ctx.pass(clock, ctx.seconds);
    await until(() => b.turnNumber === 1, 'the loaded session closed the window');
    const stored = await ctx.store().loadGame(a.gameId);
    assert.equal(stored?.turn_number, 1);
    assert.deepEqual(stored?.last_window?.choices, { u1: 'left' });
  });
}
