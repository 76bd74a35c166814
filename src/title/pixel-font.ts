// A built-in 5×7 bitmap font, so title screens render the same on machines without any fonts.
// Each glyph is 7 rows of 5 cells, '#' lit; rows are separated by '|'.

export const GLYPH_HEIGHT = 7;
/** Horizontal advance of one glyph, in font pixels (glyph plus one column of spacing). */
export const GLYPH_ADVANCE = 6;

const GLYPHS: Record<string, string> = {
  A: '.###.|#...#|#...#|#####|#...#|#...#|#...#',
  B: '####.|#...#|#...#|####.|#...#|#...#|####.',
  C: '.###.|#...#|#....|#....|#....|#...#|.###.',
  D: '####.|#...#|#...#|#...#|#...#|#...#|####.',
  E: '#####|#....|#....|####.|#....|#....|#####',
  F: '#####|#....|#....|####.|#....|#....|#....',
  G: '.###.|#...#|#....|#.###|#...#|#...#|.####',
  H: '#...#|#...#|#...#|#####|#...#|#...#|#...#',
  I: '.###.|..#..|..#..|..#..|..#..|..#..|.###.',
  J: '..###|...#.|...#.|...#.|...#.|#..#.|.##..',
  K: '#...#|#..#.|#.#..|##...|#.#..|#..#.|#...#',
  L: '#....|#....|#....|#....|#....|#....|#####',
  M: '#...#|##.##|#.#.#|#.#.#|#...#|#...#|#...#',
  N: '#...#|#...#|##..#|#.#.#|#..##|#...#|#...#',
  O: '.###.|#...#|#...#|#...#|#...#|#...#|.###.',
  P: '####.|#...#|#...#|####.|#....|#....|#....',
  Q: '.###.|#...#|#...#|#...#|#.#.#|#..#.|.##.#',
  R: '####.|#...#|#...#|####.|#.#..|#..#.|#...#',
  S: '.####|#....|#....|.###.|....#|....#|####.',
  T: '#####|..#..|..#..|..#..|..#..|..#..|..#..',
  U: '#...#|#...#|#...#|#...#|#...#|#...#|.###.',
  V: '#...#|#...#|#...#|#...#|#...#|.#.#.|..#..',
  W: '#...#|#...#|#...#|#.#.#|#.#.#|#.#.#|.#.#.',
  X: '#...#|#...#|.#.#.|..#..|.#.#.|#...#|#...#',
  Y: '#...#|#...#|.#.#.|..#..|..#..|..#..|..#..',
  Z: '#####|....#|...#.|..#..|.#...|#....|#####',
  '0': '.###.|#...#|#..##|#.#.#|##..#|#...#|.###.',
  '1': '..#..|.##..|..#..|..#..|..#..|..#..|.###.',
  '2': '.###.|#...#|....#|...#.|..#..|.#...|#####',
  '3': '#####|...#.|..#..|...#.|....#|#...#|.###.',
  '4': '...#.|..##.|.#.#.|#..#.|#####|...#.|...#.',
  '5': '#####|#....|####.|....#|....#|#...#|.###.',
  '6': '..##.|.#...|#....|####.|#...#|#...#|.###.',
  '7': '#####|....#|...#.|..#..|.#...|.#...|.#...',
  '8': '.###.|#...#|#...#|.###.|#...#|#...#|.###.',
  '9': '.###.|#...#|#...#|.####|....#|...#.|.##..',
  ' ': '.....|.....|.....|.....|.....|.....|.....',
  '.': '.....|.....|.....|.....|.....|.##..|.##..',
  ',': '.....|.....|.....|.....|.##..|..#..|.#...',
  '!': '..#..|..#..|..#..|..#..|..#..|.....|..#..',
  '?': '.###.|#...#|....#|...#.|..#..|.....|..#..',
  ':': '.....|.##..|.##..|.....|.##..|.##..|.....',
  ';': '.....|.##..|.##..|.....|.##..|..#..|.#...',
  '-': '.....|.....|.....|.###.|.....|.....|.....',
  '+': '.....|..#..|..#..|#####|..#..|..#..|.....',
  '=': '.....|.....|#####|.....|#####|.....|.....',
  _: '.....|.....|.....|.....|.....|.....|#####',
  "'": '..#..|..#..|.#...|.....|.....|.....|.....',
  '"': '.#.#.|.#.#.|.....|.....|.....|.....|.....',
  '(': '...#.|..#..|.#...|.#...|.#...|..#..|...#.',
  ')': '.#...|..#..|...#.|...#.|...#.|..#..|.#...',
  '[': '.###.|.#...|.#...|.#...|.#...|.#...|.###.',
  ']': '.###.|...#.|...#.|...#.|...#.|...#.|.###.',
  '<': '...#.|..#..|.#...|#....|.#...|..#..|...#.',
  '>': '.#...|..#..|...#.|....#|...#.|..#..|.#...',
  '/': '.....|....#|...#.|..#..|.#...|#....|.....',
  '&': '.##..|#..#.|#.#..|.#...|#.#.#|#..#.|.##.#',
  '#': '.#.#.|.#.#.|#####|.#.#.|#####|.#.#.|.#.#.',
  '*': '.....|..#..|#.#.#|.###.|#.#.#|..#..|.....',
  '@': '.###.|#...#|#.###|#.#.#|#.###|#....|.####',
  '%': '##...|##..#|...#.|..#..|.#...|#..##|...##',
  $: '..#..|.####|#.#..|.###.|..#.#|####.|..#..',
  '…': '.....|.....|.....|.....|.....|.....|#.#.#',
  '♥': '.....|.#.#.|#####|#####|.###.|..#..|.....',
  '★': '..#..|..#..|#####|.###.|.#.#.|#...#|.....',
  // The fallback for anything the font lacks (emoji, other scripts): a small diamond, which
  // reads as decoration and cannot be mistaken for a letter or digit (a hollow box looks like 0).
  '\u{FFFD}': '.....|..#..|.###.|#####|.###.|..#..|.....',
};

export const FALLBACK_GLYPH = '\u{FFFD}';

const ROWS = new Map<string, readonly string[]>(
  Object.entries(GLYPHS).map(([ch, rows]) => [ch, rows.split('|')]),
);

/** The 7 rows of a glyph ('#' lit); unknown characters get the fallback box. */
export function glyphRows(ch: string): readonly string[] {
  return ROWS.get(ch) ?? (ROWS.get(FALLBACK_GLYPH) as readonly string[]);
}

// Invisible and control characters: dropped rather than drawn as boxes.
const INVISIBLE = /^[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{M}]+$/u;
const segmenter = new Intl.Segmenter('en', { granularity: 'grapheme' });

/**
 * Maps text to the font's characters, one per grapheme: letters are upper-cased and stripped of
 * accents (é → E), full-width forms folded (Ａ → A), whitespace becomes a space, and anything
 * else becomes the fallback glyph. Bidi and control characters are dropped, so the result is
 * always drawn left to right exactly as stored.
 */
export function toFontChars(text: string): string[] {
  const out: string[] = [];
  for (const { segment } of segmenter.segment(text.toWellFormed())) {
    if (/^\s+$/u.test(segment)) {
      out.push(' ');
      continue;
    }
    if (INVISIBLE.test(segment)) continue;
    if (ROWS.has(segment)) {
      out.push(segment);
      continue;
    }
    // Folding may yield a few letters (ß → SS, ﬁ → FI); use them only if the font has them all.
    const folded = Array.from(segment.normalize('NFKD').replace(/\p{M}/gu, '').toUpperCase());
    if (folded.length > 0 && folded.length <= 3 && folded.every((c) => ROWS.has(c)))
      out.push(...folded);
    else out.push(FALLBACK_GLYPH);
  }
  return out;
}
