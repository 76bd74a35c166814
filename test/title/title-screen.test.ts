import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FALLBACK_GLYPH, toFontChars } from '../../src/title/pixel-font.js';
import {
  renderTitlePng,
  renderTitleSvg,
  TITLE_SCREEN_HEIGHT,
  TITLE_SCREEN_WIDTH,
  titleScreenEtag,
  wrapChars,
} from '../../src/title/title-screen.js';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function pngSize(png: Buffer): { width: number; height: number } {
  assert.ok(png.subarray(0, 8).equals(PNG_SIGNATURE), 'PNG signature');
  assert.equal(png.toString('latin1', 12, 16), 'IHDR', 'IHDR is the first chunk');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

test('renders a PNG of the handheld screen size times the scale', () => {
  const png = renderTitlePng('The Crypt of Slime');
  assert.deepEqual(pngSize(png), {
    width: TITLE_SCREEN_WIDTH * 4,
    height: TITLE_SCREEN_HEIGHT * 4,
  });
  assert.deepEqual(pngSize(renderTitlePng('Tiny', { scale: 1 })), { width: 160, height: 144 });
  assert.ok(png.length > 2000, 'a real picture, not an empty canvas');
  assert.throws(() => renderTitlePng('x', { scale: 0 }), RangeError);
  assert.throws(() => renderTitlePng('x', { scale: 2.5 }), RangeError);
});

test('is deterministic, and different names give different images', () => {
  const a1 = renderTitlePng('Slime Quest');
  const a2 = renderTitlePng('Slime Quest');
  const b = renderTitlePng('Slime Quest 2');
  assert.ok(a1.equals(a2));
  assert.ok(!a1.equals(b));
  assert.equal(renderTitleSvg('Slime Quest'), renderTitleSvg('Slime Quest'));
  assert.equal(titleScreenEtag('Slime Quest'), titleScreenEtag('Slime Quest'));
  assert.notEqual(titleScreenEtag('Slime Quest'), titleScreenEtag('Slime Quest 2'));
  assert.notEqual(titleScreenEtag('Slime Quest'), titleScreenEtag('Slime Quest', { scale: 2 }));
  assert.match(titleScreenEtag('x'), /^"[A-Za-z0-9_-]+"$/);
});

test('hostile names are escaped and still render', () => {
  const names = [
    '<script>alert("x")</script>',
    `"quoted" & 'single' ]]> <!-- -->`,
    'Dragon 🐉 Quest 👩‍💻🏳️‍🌈',
    'שלום עולם مرحبا',
    'evil\u202Egnp.exe\u200B\u0000\u0007\uD800',
    '',
    '   ',
  ];
  for (const name of names) {
    const svg = renderTitleSvg(name);
    assert.ok(!svg.includes('<script'), name);
    assert.ok(!/<(?!\/?(svg|title|path)\b)/.test(svg), `only expected elements for ${name}`);
    assert.ok(!svg.includes('\u0000') && !svg.includes('\u202E'));
    assert.equal(svg.match(/<title>/g)?.length, 1);
    const { width, height } = pngSize(renderTitlePng(name));
    assert.equal(width, 640);
    assert.equal(height, 576);
  }
  assert.match(
    renderTitleSvg('<b>&</b>'),
    /<title>GameGirl Color: &lt;b&gt;&amp;&lt;\/b&gt;<\/title>/,
  );
});

test('the pixel font folds case, accents and width, drops invisibles, and boxes the rest', () => {
  assert.deepEqual(toFontChars('Ab1!'), ['A', 'B', '1', '!']);
  assert.deepEqual(toFontChars('Écoute'), ['E', 'C', 'O', 'U', 'T', 'E']);
  assert.deepEqual(toFontChars('Ａß'), ['A', 'S', 'S']);
  assert.deepEqual(toFontChars('a\u200Bb\u202Ec'), ['A', 'B', 'C']);
  assert.deepEqual(toFontChars('👩‍💻x'), [FALLBACK_GLYPH, 'X']);
  assert.deepEqual(toFontChars('a\tb'), ['A', ' ', 'B']);
});

test('long names wrap by words, break long words, and end in an ellipsis when capped', () => {
  const chars = (s: string) => toFontChars(s);
  const text = (lines: string[][]) => lines.map((l) => l.join(''));
  assert.deepEqual(text(wrapChars(chars('the crypt of slime'), 11, 3).lines), [
    'THE CRYPT',
    'OF SLIME',
  ]);
  assert.deepEqual(text(wrapChars(chars('abcdefghijklmno'), 6, 3).lines), [
    'ABCDEF',
    'GHIJKL',
    'MNO',
  ]);
  const capped = wrapChars(chars('one two three four five six'), 5, 2);
  assert.equal(capped.truncated, true);
  assert.deepEqual(text(capped.lines), ['ONE', 'TWO…']);
  const huge = renderTitleSvg('word '.repeat(500));
  assert.ok(huge.length < 200_000);
  assert.equal(pngSize(renderTitlePng('word '.repeat(500))).width, 640);
});
