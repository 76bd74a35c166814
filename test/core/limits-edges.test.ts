/**
 * Both sides of every input limit, through the public API (names and ids through GameSession,
 * summaries through TurnRecord, store options and arguments through MemoryStore).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  checkChannelCountdown,
  checkSceneText,
  cleanSceneText,
  cleanSummary,
} from '../../src/core/limits.js';
import {
  GameSession,
  InvalidInputError,
  MAX_COUNTDOWN_SECONDS,
  MemoryStore,
  MIN_COUNTDOWN_SECONDS,
  NARRATIVE_SUMMARY_MAX_LENGTH,
  TurnRecord,
  USER_NAME_MAX_LENGTH,
} from '../../src/index.js';
import { gameDict } from '../helpers/game-dict.js';

/** The InvalidInputError a user name gets, as `field: reason`, or 'ok'. */
const nameVerdict = (name: unknown): string => {
  const s = new GameSession('c');
  try {
    s.registerPlayer('u1', name as string);
    return 'ok';
  } catch (e) {
    assert.ok(e instanceof InvalidInputError, String(e));
    return e.message;
  }
};

const summaryVerdict = (summary: unknown): string => {
  try {
    new TurnRecord(0, {}, summary as string, 0);
    return 'ok';
  } catch (e) {
    assert.ok(e instanceof InvalidInputError, String(e));
    return e.message;
  }
};

const TOO_LONG = `userName: must be at most ${USER_NAME_MAX_LENGTH} characters`;
const FORBIDDEN = 'userName: contains control, bidi-override or invisible characters';
const BLANK = 'userName: must not be blank';
const SUMMARY_TOO_LONG = `narrativeSummary: must be at most ${NARRATIVE_SUMMARY_MAX_LENGTH} characters`;
const SUMMARY_FORBIDDEN =
  'narrativeSummary: contains control, bidi-override or invisible characters';

describe('input limits at their edges', () => {
  test('names: type, emptiness and length are counted in code points, inclusively', () => {
    assert.equal(nameVerdict(42), 'userName: must be a string');
    assert.equal(nameVerdict(''), 'userName: must not be empty');
    assert.equal(nameVerdict('n'.repeat(100)), 'ok');
    assert.equal(nameVerdict('n'.repeat(101)), TOO_LONG);
    assert.equal(nameVerdict('é'.repeat(100)), 'ok');
    assert.equal(nameVerdict('é'.repeat(101)), TOO_LONG);
    assert.equal(nameVerdict('😀'.repeat(100)), 'ok');
    assert.equal(nameVerdict('😀'.repeat(101)), TOO_LONG);
    assert.equal(nameVerdict(`${'😀'.repeat(99)}é`), 'ok');
    assert.equal(nameVerdict(`${'é'.repeat(98)}😀😀`), 'ok');
    assert.equal(nameVerdict(`${'é'.repeat(99)}😀😀`), TOO_LONG);
    // The first and last surrogate of each half: U+10000 (D800 DC00) and U+1F3FF (D83C DFFF).
    assert.equal(nameVerdict('\u{10000}'.repeat(100)), 'ok');
    assert.equal(nameVerdict('\u{1F3FF}'.repeat(100)), 'ok');
    assert.equal(nameVerdict('\u{10000}'.repeat(101)), TOO_LONG);
  });

  test('each field is named in its error', async () => {
    const s = new GameSession('c', '', 'g');
    await s.boot('Fields');
    const field = async (p: Promise<unknown>) =>
      p.then(
        () => 'ok',
        (e: unknown) => (e instanceof InvalidInputError ? e.field : String(e)),
      );
    assert.equal(await field(s.submitChoice('', 'Ann', 'x')), 'userId');
    assert.equal(await field(s.submitChoice('u1', 'Ann', '')), 'choice');
    assert.equal(await field(s.submitChoice('u1', 'Ann', 'c'.repeat(501))), 'choice');
    const store = new MemoryStore();
    await store.bootGame(gameDict('g', 'c'));
    const rec = { turn: 1, choices: {}, narrative_summary: '', timestamp: 1 };
    assert.equal(await field(store.appendTurn('g', rec, undefined, { key: ' ' })), 'key');
    assert.equal(
      await field(store.appendTurn('g', rec, undefined, { key: 'k'.repeat(201) })),
      'key',
    );
    // A null key is no key: every such append is stored.
    const nullKey = { key: null as unknown as string };
    assert.equal((await store.appendTurn('g', rec, undefined, nullKey)).stored, true);
    assert.equal((await store.appendTurn('g', rec, undefined, nullKey)).stored, true);
    assert.equal(
      (await store.appendTurn('g', rec, undefined, { key: 'k'.repeat(200) })).stored,
      true,
    );
    assert.equal(
      (await store.appendTurn('g', rec, undefined, { key: 'k'.repeat(200) })).stored,
      false,
    );
  });

  test('names: blank is refused in ASCII and beyond, text among blanks is fine', () => {
    for (const blank of [
      ' ',
      '   ',
      '\u3000',
      '\u3164\u3164',
      '\u115F',
      '\u1160',
      '\uFFA0',
      '\u2800',
      ' \u00A0 ',
    ]) {
      assert.equal(nameVerdict(blank), BLANK, JSON.stringify(blank));
    }
    for (const fine of [' a ', '~', '!', 'a\u3164', '\u3000x', 'é'])
      assert.equal(nameVerdict(fine), 'ok', fine);
  });

  test('names: controls, bidi, invisible, private-use and unassigned characters are refused', () => {
    for (const bad of [
      'a\u0000b',
      'a\u001Fb',
      'a\tb',
      'a\nb',
      'a\u007Fb',
      'a\u0085b',
      'a\u202Eb',
      'a\u2066b',
      'a\u200Bb',
      'a\u200Db',
      '\u200D😀',
      '😀\u200D',
      'a\u2028b',
      'a\u2029b',
      'a\uFEFFb',
      'a\uE000b',
      'a\u0378b',
      'a\u{E0067}b',
      '🏴\u{E0067}',
    ]) {
      assert.equal(nameVerdict(bad), FORBIDDEN, JSON.stringify(bad));
    }
  });

  test('names: emoji sequences keep their joins and tags; lone surrogates are refused', () => {
    for (const ok of ['👩‍💻', '👩🏽‍💻 dev', '❤️‍🔥', '🏴󠁧󠁢󠁳󠁣󠁴󠁿', 'go 🏴󠁧󠁢󠁷󠁬󠁳󠁿!'])
      assert.equal(nameVerdict(ok), 'ok', ok);
    for (const lone of ['\uD800', 'a\uD83D', '\uDE00a', 'é\uDC00', '\uD83D\uD83D']) {
      assert.equal(nameVerdict(lone), 'userName: contains a lone surrogate', JSON.stringify(lone));
    }
  });

  test("a turn's choices keep the checked user ids and choices, and refuse each bad one", () => {
    const choices = new TurnRecord(0, { 'u-1': 'Left', 'u-2': 'é 😀' }, '', 0).choices;
    assert.deepEqual(
      [...choices],
      [
        ['u-1', 'Left'],
        ['u-2', 'é 😀'],
      ],
    );
    const field = (c: Record<string, string>) =>
      assert.throws(
        () => new TurnRecord(0, c, '', 0),
        (e: unknown) => e instanceof InvalidInputError,
      );
    field({ 'u\u202E': 'Left' });
    field({ ['u'.repeat(129)]: 'Left' });
    field({ 'u-1': ' ' });
    field({ 'u-1': 'c'.repeat(501) });
  });

  test('ids and game names follow the same rules; an empty game name is the default', () => {
    assert.throws(
      () => new GameSession(''),
      (e: unknown) => e instanceof InvalidInputError && e.field === 'channelId',
    );
    assert.throws(() => new GameSession('c'.repeat(129)), InvalidInputError);
    assert.equal(new GameSession('c'.repeat(128)).channelId.length, 128);
    assert.equal(new GameSession('c', '').gameName, '');
    assert.throws(
      () => new GameSession('c', ' '),
      (e: unknown) => e instanceof InvalidInputError && e.field === 'gameName',
    );
    assert.throws(() => new GameSession('c', 'g'.repeat(101)), InvalidInputError);
    assert.throws(
      () => new GameSession('c', '', 'a\u202E'),
      (e: unknown) => e instanceof InvalidInputError && e.field === 'gameId',
    );
  });

  test('countdowns: from 0.01 to 3600 seconds, finite numbers only', () => {
    const verdict = (v: unknown) => {
      try {
        return new GameSession('c', '', 'g', { countdownSeconds: v as number }).countdownSeconds;
      } catch (e) {
        assert.ok(e instanceof InvalidInputError && e.field === 'countdownSeconds');
        return e.message;
      }
    };
    const range = `countdownSeconds: must be between ${MIN_COUNTDOWN_SECONDS} and ${MAX_COUNTDOWN_SECONDS}`;
    assert.equal(verdict(3600), 3600);
    assert.equal(verdict(0.01), 0.01);
    assert.equal(verdict(3600.001), range);
    assert.equal(verdict(0.009), range);
    assert.equal(verdict(-5), range);
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, '5', true]) {
      assert.equal(verdict(bad), 'countdownSeconds: must be a finite number');
    }
  });

  test('summaries: strings only, newlines allowed, every line checked, length in code points', () => {
    const max = NARRATIVE_SUMMARY_MAX_LENGTH;
    assert.equal(summaryVerdict(42), 'narrativeSummary: must be a string');
    assert.equal(summaryVerdict(''), 'ok');
    assert.equal(summaryVerdict('a'.repeat(max)), 'ok');
    assert.equal(summaryVerdict('a'.repeat(max + 1)), SUMMARY_TOO_LONG);
    assert.equal(summaryVerdict(`${'a\n'.repeat(max / 2)}`), 'ok');
    assert.equal(summaryVerdict('é'.repeat(max)), 'ok');
    assert.equal(summaryVerdict('é'.repeat(max + 1)), SUMMARY_TOO_LONG);
    assert.equal(summaryVerdict('😀'.repeat(max)), 'ok');
    assert.equal(summaryVerdict('😀'.repeat(max + 1)), SUMMARY_TOO_LONG);
    assert.equal(summaryVerdict('\n\n'), 'ok');
    assert.equal(summaryVerdict('~ ok ~\nnext line 👩‍💻 and 🏴󠁧󠁢󠁳󠁣󠁴󠁿'), 'ok');
    for (const bad of [
      'a\rb',
      'a\tb',
      'a\u007Fb',
      'a\u0000',
      'a\u202Eb',
      'good\nba\u202Ed\ngood',
      '\u2066first\nfine',
      'fine\nlast\u200B',
      'é\u2028é',
      'x\u200Dy',
    ]) {
      assert.equal(summaryVerdict(bad), SUMMARY_FORBIDDEN, JSON.stringify(bad));
    }
    assert.equal(summaryVerdict('ok\n\uD800'), 'narrativeSummary: contains a lone surrogate');
  });

  test('cleanSummary cuts to the limit in code points, after cleaning, and trims', () => {
    const max = NARRATIVE_SUMMARY_MAX_LENGTH;
    assert.equal(cleanSummary('é'.repeat(max + 10)), 'é'.repeat(max));
    assert.equal(cleanSummary(`${'\u202E'.repeat(20)}${'é'.repeat(max)}`), 'é'.repeat(max));
    assert.equal(cleanSummary(`${'é'.repeat(max - 1)} tail`), `${'é'.repeat(max - 1)}`);
    assert.equal(cleanSummary('😀'.repeat(max + 1)), '😀'.repeat(max));
    assert.equal(cleanSummary(' a\u202E\nb '), 'a\nb');
    assert.equal(cleanSummary(null), '');
  });

  test('store options and arguments: history cap, page size and turn count', async () => {
    for (const cap of [0, -1, 1.5, Number.NaN, '3', 2 ** 53]) {
      assert.throws(
        () => new MemoryStore({ historyCap: cap as number }),
        (e: unknown) =>
          e instanceof InvalidInputError && e.message === 'historyCap: must be a positive integer',
        String(cap),
      );
    }
    const store = new MemoryStore({ historyCap: 1 });
    await store.bootGame(gameDict('g', 'c'));
    await store.appendTurn('g', { turn: 1, choices: {}, narrative_summary: 'one', timestamp: 1 });
    await store.appendTurn('g', { turn: 2, choices: {}, narrative_summary: 'two', timestamp: 2 });
    assert.deepEqual(
      (await store.recentTurns('g', 1)).map((t) => t.turn),
      [2],
    );
    assert.deepEqual(
      (await store.recentTurns('g', 5)).map((t) => t.turn),
      [2],
    );
    for (const count of [0, 1.5, '1', -1]) {
      await assert.rejects(
        store.recentTurns('g', count as number),
        (e: unknown) =>
          e instanceof InvalidInputError && e.message === 'count: must be a positive integer',
      );
    }
    for (const limit of [0, 501, 2.5, '5']) {
      await assert.rejects(
        store.listGames({ limit: limit as number }),
        (e: unknown) =>
          e instanceof InvalidInputError && e.message === 'limit: must be an integer from 1 to 500',
        String(limit),
      );
    }
    assert.equal((await store.listGames({ limit: 1 })).games.length, 1);
    assert.equal((await store.listGames({ limit: 500 })).games.length, 1);
  });

  test('defaults: a store keeps 1000 turns per game and lists 50 games a page', async () => {
    const store = new MemoryStore();
    for (let i = 0; i < 51; i++) await store.bootGame(gameDict(`g${i}`, `c${i}`));
    const page = await store.listGames();
    assert.equal(page.games.length, 50);
    assert.notEqual(page.nextCursor, null);
    for (let t = 1; t <= 1001; t++) {
      await store.appendTurn('g0', { turn: t, choices: {}, narrative_summary: '', timestamp: t });
    }
    const kept = await store.recentTurns('g0', 2000);
    assert.equal(kept.length, 1000);
    assert.equal(kept[0]?.turn, 2);
  });

  test("a channel's countdown: whole seconds from 5 to 300; a scene's text: up to 16,000 code points", () => {
    const countdown = (v: unknown): string | number => {
      try {
        return checkChannelCountdown(v);
      } catch (e) {
        assert.ok(e instanceof InvalidInputError);
        return e.message;
      }
    };
    assert.equal(countdown(5), 5);
    assert.equal(countdown(300), 300);
    for (const bad of [4, 301, 5.5, '10', Number.NaN, null]) {
      assert.equal(
        countdown(bad),
        'countdownSeconds: must be a whole number of seconds from 5 to 300',
        String(bad),
      );
    }
    const scene = (v: unknown): string => {
      try {
        checkSceneText(v);
        return 'ok';
      } catch (e) {
        assert.ok(e instanceof InvalidInputError);
        return e.message;
      }
    };
    assert.equal(scene('a'.repeat(16_000)), 'ok');
    assert.equal(scene('😀'.repeat(16_000)), 'ok');
    assert.equal(scene('line one\nline two'), 'ok');
    assert.equal(scene('a'.repeat(16_001)), 'scene.text: must be at most 16000 characters');
    assert.equal(scene('😀'.repeat(16_001)), 'scene.text: must be at most 16000 characters');
    assert.equal(
      scene('a\u202Eb'),
      'scene.text: contains control, bidi-override or invisible characters',
    );
    assert.equal(cleanSceneText(`${'é'.repeat(16_010)}`), 'é'.repeat(16_000));
    assert.equal(cleanSceneText(' a\u202E\nb '), 'a\nb');
  });
});
