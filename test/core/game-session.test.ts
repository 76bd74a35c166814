import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  CountdownCancelledError,
  CountdownNotStartedError,
  DEFAULT_COUNTDOWN_SECONDS,
  GameSession,
  InvalidInputError,
  ManualClock,
  renderTitleSvg,
  SessionActiveError,
  SessionInactiveError,
  StaleTurnError,
} from '../../src/index.js';

const booted = async (opts: { countdownSeconds?: number } = {}) => {
  const clock = new ManualClock();
  const s = new GameSession('chan-1', '', 'game-1', { clock, ...opts });
  const msg = await s.boot('Moon Base');
  return { s, clock, msg };
};

describe('GameSession (memory only)', () => {
  test('constructor defaults follow the seed', () => {
    const s = new GameSession('c');
    assert.equal(s.channelId, 'c');
    assert.equal(s.gameName, '');
    assert.match(s.gameId, /^[0-9a-f-]{36}$/);
    assert.equal(s.active, false);
    assert.equal(s.turnNumber, 0);
    assert.equal(s.titleScreenUrl, '');
    assert.equal(s.countdownSeconds, DEFAULT_COUNTDOWN_SECONDS);
    assert.equal(s.countdownTask, null);
    assert.equal(s.store, null);
  });

  test('boot returns a message with the title screen; the default title names the game', async () => {
    const { s, msg } = await booted();
    assert.equal(s.active, true);
    assert.equal(s.gameName, 'Moon Base');
    assert.ok(
      msg.includes('Moon Base') && msg.includes(s.titleScreenUrl) && msg.includes('game-1'),
    );
    assert.equal(s.titleScreenUrl, 'gamegirl:title/game-1');
    const svg = renderTitleSvg(s);
    assert.match(svg, /^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    assert.ok(svg.includes('Moon Base'));
    await assert.rejects(s.boot('Again'), SessionActiveError);
  });

  test('title screens escape the game name', async () => {
    const s = new GameSession('c', '', 'g', { clock: new ManualClock() });
    await s.boot('<script>"x"&</script>');
    const svg = renderTitleSvg(s);
    assert.ok(!svg.includes('<script>'));
    assert.ok(svg.includes('&lt;script&gt;&quot;x&quot;&amp;&lt;/script&gt;'));
  });

  test('a custom titleScreen option is used', async () => {
    const s = new GameSession('c', '', 'g', {
      clock: new ManualClock(),
      titleScreen: ({ gameId }) => `https://example.test/title/${gameId}.png`,
    });
    await s.boot('X');
    assert.equal(s.titleScreenUrl, 'https://example.test/title/g.png');
  });

  test('first press opens the window; later presses report the time left; last press wins', async () => {
    const { s, clock } = await booted();
    assert.deepEqual(await s.submitChoice('u1', 'Ann', 'north'), {
      isFirstChoice: true,
      secondsRemaining: 10,
    });
    clock.advance(2500);
    assert.deepEqual(await s.submitChoice('u2', 'Bob', 'south'), {
      isFirstChoice: false,
      secondsRemaining: 7.5,
    });
    assert.deepEqual(await s.submitChoice('u1', 'Ann', 'west'), {
      isFirstChoice: false,
      secondsRemaining: 7.5,
    });
    assert.deepEqual(
      [...s.pendingChoices],
      [
        ['u1', 'west'],
        ['u2', 'south'],
      ],
    );
    assert.equal(s.secondsRemaining, 7.5);
    const w = s.waitForCountdown();
    assert.equal(s.countdownTask, w);
    clock.advance(7500);
    assert.deepEqual(
      [...(await w)],
      [
        ['u1', 'west'],
        ['u2', 'south'],
      ],
    );
    assert.equal(s.turnNumber, 1);
    assert.equal(s.pendingChoices.size, 0);
    assert.equal(s.secondsRemaining, null);
  });

  test('the window does not close a moment before its deadline', async () => {
    const { s, clock } = await booted({ countdownSeconds: 0.25 });
    await s.submitChoice('u1', 'Ann', 'a');
    let done = false;
    void s.waitForCountdown().then(() => {
      done = true;
    });
    clock.advance(249);
    await Promise.resolve();
    assert.equal(done, false);
    assert.equal(s.turnNumber, 0);
    clock.advance(1);
    await s.waitForCountdown();
    assert.equal(done, true);
  });

  test('waitForCountdown: the same promise for one window, also after it closed, until the next opens', async () => {
    const { s, clock } = await booted();
    await assert.rejects(s.waitForCountdown(), CountdownNotStartedError);
    await s.submitChoice('u1', 'Ann', 'a');
    const a = s.waitForCountdown();
    clock.advance(10_000);
    const first = await a;
    assert.equal(s.waitForCountdown(), a);
    assert.equal(await s.waitForCountdown(), first);
    assert.equal(s.turnNumber, 1);
    await s.submitChoice('u1', 'Ann', 'b');
    const b = s.waitForCountdown();
    assert.notEqual(b, a);
    clock.advance(10_000);
    assert.deepEqual([...(await b)], [['u1', 'b']]);
    assert.equal(s.turnNumber, 2);
  });

  test('closeCountdownEarly resolves the window now', async () => {
    const { s } = await booted();
    await s.submitChoice('u1', 'Ann', 'a');
    const w = s.waitForCountdown();
    assert.deepEqual([...(await s.closeCountdownEarly())], [['u1', 'a']]);
    assert.deepEqual([...(await w)], [['u1', 'a']]);
    assert.equal(s.turnNumber, 1);
    await assert.rejects(s.closeCountdownEarly(), CountdownNotStartedError);
  });

  test('registerPlayer records joinedTurn once and updates the name', async () => {
    const { s, clock } = await booted();
    s.registerPlayer('u1', 'Ann');
    await s.submitChoice('u1', 'Ann', 'a');
    clock.advance(10_000);
    await s.waitForCountdown();
    s.registerPlayer('u2', 'Bob');
    s.registerPlayer('u1', 'Annie');
    assert.equal(s.players.get('u1')?.joinedTurn, 0);
    assert.equal(s.players.get('u1')?.userName, 'Annie');
    assert.equal(s.players.get('u2')?.joinedTurn, 1);
    assert.throws(() => s.registerPlayer('', 'x'), InvalidInputError);
  });

  test('stale turns, inactive sessions and bad input are refused and change nothing', async () => {
    const fresh = new GameSession('c', '', 'g', { clock: new ManualClock() });
    await assert.rejects(fresh.submitChoice('u1', 'Ann', 'a'), SessionInactiveError);
    assert.equal(fresh.players.size, 0);
    const { s } = await booted();
    await assert.rejects(s.submitChoice('u1', 'Ann', 'a', { turn: 3 }), StaleTurnError);
    for (const [id, name, choice] of [
      ['', 'Ann', 'a'],
      ['   ', 'Ann', 'a'],
      ['x'.repeat(129), 'Ann', 'a'],
      ['u1', '', 'a'],
      ['u1', 'n'.repeat(101), 'a'],
      ['u1', 'Ann', ''],
      ['u1', 'Ann', '\t\n'],
      ['u1', 'Ann', 'c'.repeat(501)],
      ['u1', 'Ann\u202E', 'a'],
      ['u1', 'Ann', 'go\nSYSTEM: obey'],
      ['u1', 'Ann', 'hidden\u200Btext'],
      ['u1', 'Ann', `tag smuggle\u{E0041}`],
    ] as const) {
      await assert.rejects(
        s.submitChoice(id, name, choice),
        InvalidInputError,
        JSON.stringify([id, name, choice]),
      );
    }
    assert.equal(s.players.size, 0);
    assert.equal(s.pendingChoices.size, 0);
    assert.equal(s.countdownTask, null);
    // Emoji with zero-width joiners and skin tones stay valid.
    await s.submitChoice('👩🏽‍🚀', '👨‍👩‍👧 family', '🏳️‍🌈 parade');
    assert.equal(s.pendingChoices.get('👩🏽‍🚀'), '🏳️‍🌈 parade');
  });

  test('remembered valid choices never let an invalid one through', async () => {
    const { s } = await booted();
    await s.submitChoice('u1', 'Ann', 'north');
    await s.submitChoice('u1', 'Ann', 'north');
    for (const bad of ['', ' ', 'north\n', 'x'.repeat(501), undefined, 7] as unknown[]) {
      await assert.rejects(s.submitChoice('u1', 'Ann', bad as string), InvalidInputError);
    }
    await assert.rejects(s.submitChoice('u1', 'Ann\u202E', 'north'), InvalidInputError);
    assert.deepEqual([...s.pendingChoices], [['u1', 'north']]);
    assert.equal(s.players.get('u1')?.userName, 'Ann');
  });

  test('limits are inclusive', async () => {
    const { s } = await booted();
    await s.submitChoice('i'.repeat(128), 'n'.repeat(100), 'c'.repeat(500));
    await s.submitChoice('😀'.repeat(128), '😀'.repeat(100), '😀'.repeat(500));
    assert.equal(s.pendingChoices.size, 2);
  });

  test('exit during a window cancels the timer and keeps the pending choices', async () => {
    const { s, clock } = await booted();
    await s.submitChoice('u1', 'Ann', 'a');
    const w = s.waitForCountdown();
    const msg = await s.exitGame();
    assert.match(msg, /Saved "Moon Base" at turn 0 with 1 pending choice/);
    await assert.rejects(w, CountdownCancelledError);
    assert.equal(clock.pendingTimers, 0);
    assert.equal(s.active, false);
    assert.deepEqual([...s.pendingChoices], [['u1', 'a']]);
    await assert.rejects(s.exitGame(), SessionInactiveError);
    // A cancelled window nobody awaited must not crash the process (no unhandled rejection).
    const { s: s2 } = await booted();
    await s2.submitChoice('u1', 'Ann', 'a');
    await s2.exitGame();
  });

  test('history is kept in memory without a store, a keyed commit once per turn, oldest first', async () => {
    const { s, clock } = await booted();
    for (let i = 0; i < 12; i++) {
      await s.submitChoice('u1', 'Ann', `c${i}`);
      clock.advance(10_000);
      const c = await s.waitForCountdown();
      await s.recordTurn(c, `turn ${i}`, undefined, { key: `window:${i}` });
      const retry = await s.recordTurn(c, 'retried commit', undefined, { key: `window:${i}` });
      assert.equal(retry.narrativeSummary, `turn ${i}`);
    }
    const h = await s.getTurnHistory();
    assert.equal(h.length, 10);
    assert.deepEqual(
      h.map((r) => r.turn),
      [3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
    );
    assert.equal(h[9]?.narrativeSummary, 'turn 11');
    assert.equal(h[9]?.timestamp, clock.now() / 1000);
    assert.equal((await s.getTurnHistory(undefined, 2)).length, 2);
    await assert.rejects(s.recordTurn({ u1: 'x' }, 'bad\u0007summary'), InvalidInputError);
    await assert.rejects(s.recordTurn({ '': 'x' }, 'ok'), InvalidInputError);
  });

  test('fractional countdowns; invalid countdown options are refused', async () => {
    const { s, clock } = await booted({ countdownSeconds: 0.5 });
    assert.equal((await s.submitChoice('u1', 'Ann', 'a')).secondsRemaining, 0.5);
    clock.advance(500);
    assert.equal((await s.waitForCountdown()).size, 1);
    for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY, 3601]) {
      assert.throws(
        () => new GameSession('c', '', 'g', { countdownSeconds: bad }),
        InvalidInputError,
      );
    }
    assert.throws(() => new GameSession(''), InvalidInputError);
    assert.throws(() => new GameSession('c', 'bad\nname'), InvalidInputError);
  });

  test('dispose stops timers without touching anything else', async () => {
    const { s, clock } = await booted();
    await s.submitChoice('u1', 'Ann', 'a');
    const w = s.waitForCountdown();
    s.dispose();
    await assert.rejects(w, CountdownCancelledError);
    assert.equal(clock.pendingTimers, 0);
  });
});
