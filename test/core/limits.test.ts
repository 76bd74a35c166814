import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { checkSummary, cleanSummary, NARRATIVE_SUMMARY_MAX_LENGTH } from '../../src/core/limits.js';

test('cleanSummary keeps emoji sequences and newlines, drops bidi/control/invisible characters', () => {
  assert.equal(cleanSummary('👩‍💻 coded\nall night'), '👩‍💻 coded\nall night');
  assert.equal(cleanSummary('🏴󠁧󠁢󠁳󠁣󠁴󠁿 flag'), '🏴󠁧󠁢󠁳󠁣󠁴󠁿 flag');
  assert.equal(cleanSummary('a\u202Eb\u0007c\u200Bd\u2028e'), 'abcde');
  assert.equal(cleanSummary('x\u200Dy'), 'xy'); // a join outside an emoji sequence
  assert.equal(cleanSummary('  spaced  '), 'spaced');
  assert.equal(cleanSummary('\uD800 lone'), '\uFFFD lone');
  assert.equal(cleanSummary(42), '');
  // A cut through an emoji sequence leaves no dangling join.
  const long = `${'a'.repeat(NARRATIVE_SUMMARY_MAX_LENGTH - 2)}👩‍💻`;
  const cut = cleanSummary(long);
  assert.equal([...cut].length, NARRATIVE_SUMMARY_MAX_LENGTH - 1);
  assert.doesNotThrow(() => checkSummary(cut));
});

test('whatever a narrator writes, cleanSummary gives text checkSummary accepts', () => {
  const nasty = fc.constantFrom(
    '\u200D',
    '\u202E',
    '\u2066',
    '\u0000',
    '\n',
    '\r',
    '\u2028',
    '\uFEFF',
    '\uE000',
    '\uD800',
    '\u{E0067}',
    '\u{E007F}',
    '\u{1F3F4}',
    '👩',
    '💻',
    '\uFE0F',
    '\u{1F3FD}',
    ' ',
    'a',
  );
  fc.assert(
    fc.property(
      fc.array(fc.oneof(nasty, fc.string({ unit: 'binary' })), { maxLength: 80 }),
      fc.integer({ min: 0, max: 3 }),
      (parts, pad) => {
        const raw = 'x'.repeat(pad * NARRATIVE_SUMMARY_MAX_LENGTH) + parts.join('');
        const clean = cleanSummary(raw);
        checkSummary(clean);
        assert.equal(cleanSummary(clean), clean); // idempotent
      },
    ),
    { numRuns: 2000, seed: 7 },
  );
});
