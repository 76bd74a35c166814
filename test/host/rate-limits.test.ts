// The host's per-player rate limits: presses per channel and player, boots per player whatever
// the channel, LLM boots (paid completions) under a lower cap on top; and the sliding window
// they all use (PressRateLimiter): its bounds, its refusal, and the sweep of idle players.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock } from '../../src/core/clock.js';
import { InvalidInputError } from '../../src/core/errors.js';
import { RateLimitedError } from '../../src/host/errors.js';
import { PressRateLimiter } from '../../src/host/rate-limit.js';
import { ALICE, BOB, CH, rig, SCRIPT } from './_harness.js';

/** Asserts that `p` is refused as rate limited, with `message` and the wait `retryAfterMs`. */
async function limited(p: Promise<unknown>, message: string, retryAfterMs: number): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof RateLimitedError);
    assert.equal(e.code, 'RATE_LIMITED');
    assert.equal(e.message, message);
    assert.equal(e.retryAfterMs, retryAfterMs);
    return true;
  });
}

test('boots are limited per player whatever the channel; LLM boots have a lower cap on top', async () => {
  const r = rig({
    host: {
      bootRateLimit: { presses: 3, perMs: 1000 },
      llmBootRateLimit: { presses: 1, perMs: 1000 },
    },
  });
  const LLM = { kind: 'llm', premise: 'A lighthouse' } as const;
  await r.host.boot('ch-a', ALICE, SCRIPT);
  r.clock.advance(100);
  await r.host.boot('ch-b', ALICE, LLM);
  r.clock.advance(100);
  await limited(r.host.boot('ch-c', ALICE, LLM), 'too many LLM stories; try again in 0.9 s', 900);
  assert.equal((await r.host.view('ch-c')).status, 'idle', 'nothing was booted');
  // The refused LLM boot was not counted as a boot: a third boot (not an LLM one) is allowed.
  await r.host.boot('ch-c', ALICE, SCRIPT);
  await limited(r.host.boot('ch-d', ALICE, SCRIPT), 'too many new games; try again in 0.8 s', 800);
  // Another player has limits of their own.
  await r.host.boot('ch-d', BOB, LLM);
  r.clock.advance(800);
  await r.host.boot('ch-e', ALICE, SCRIPT);
  r.clock.advance(100);
  await r.host.boot('ch-f', ALICE, LLM);
  await r.host.close();
});

test('presses are limited per channel and player', async () => {
  const r = rig({ host: { pressRateLimit: { presses: 1, perMs: 1000 } } });
  await r.host.boot(CH, ALICE, SCRIPT);
  await r.host.boot('ch-2', ALICE, SCRIPT);
  await r.host.press(CH, ALICE, 0, 'Left');
  await r.host.press('ch-2', ALICE, 0, 'Left');
  await limited(r.host.press(CH, ALICE, 0, 'Right'), 'too many presses; try again in 1 s', 1000);
  await r.host.close();
});

test('a limit that is not a positive count per positive time is refused, by GameHost too', () => {
  const clock = new ManualClock();
  for (const presses of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])
    assert.throws(
      () => new PressRateLimiter({ presses, perMs: 1000 }, clock),
      (e: unknown) =>
        e instanceof InvalidInputError &&
        e.message === 'pressRateLimit.presses: must be a positive integer',
      `presses ${presses}`,
    );
  for (const perMs of [0, -1, Number.NaN, Number.POSITIVE_INFINITY])
    assert.throws(
      () => new PressRateLimiter({ presses: 1, perMs }, clock),
      (e: unknown) =>
        e instanceof InvalidInputError &&
        e.message === 'pressRateLimit.perMs: must be a positive number',
      `perMs ${perMs}`,
    );
  const smallest = new PressRateLimiter({ presses: 1, perMs: 0.5 }, clock);
  assert.equal(smallest.presses, 1);
  assert.equal(smallest.perMs, 0.5);
  for (const host of [
    { pressRateLimit: { presses: 0, perMs: 1000 } },
    { bootRateLimit: { presses: 1, perMs: 0 } },
    { llmBootRateLimit: { presses: 1.5, perMs: 1000 } },
  ])
    assert.throws(() => rig({ host }), { code: 'INVALID_INPUT' }, JSON.stringify(host));
});

test('a sliding window: at most `presses` in any `perMs`; a refused attempt is not counted', () => {
  const clock = new ManualClock();
  const limiter = new PressRateLimiter({ presses: 2, perMs: 1000 }, clock, 'boots');
  limiter.take('k');
  clock.advance(500);
  limiter.take('k');
  clock.advance(100);
  assert.throws(() => limiter.take('k'), {
    message: 'too many boots; try again in 0.4 s',
    retryAfterMs: 400,
  });
  limiter.take('other');
  clock.advance(399);
  assert.throws(() => limiter.take('k'), { retryAfterMs: 1 });
  clock.advance(1); // exactly perMs after the first: it no longer counts
  limiter.take('k');
  assert.throws(() => limiter.take('k'), { retryAfterMs: 500 });
  clock.advance(500);
  limiter.take('k');
});

test('every 1024th attempt drops the players idle for a whole window (memory stays bounded)', () => {
  const clock = new ManualClock();
  const limiter = new PressRateLimiter({ presses: 1, perMs: 1000 }, clock);
  for (let i = 0; i < 1021; i++) limiter.take(`idle-${i}`);
  clock.advance(1);
  limiter.take('recent'); // attempt 1022
  assert.equal(limiter.size, 1022);
  clock.advance(999); // exactly a window after the idle ones' last press
  limiter.take('a'); // attempt 1023: no sweep yet
  assert.equal(limiter.size, 1023);
  assert.throws(() => limiter.take('recent'), { retryAfterMs: 1 }); // attempt 1024: the sweep
  assert.equal(limiter.size, 2, "only 'recent' and 'a' are left");
  limiter.take('idle-0'); // a swept player starts afresh
});
