// Title screens: a 160×144 "handheld screen" drawn entirely with rectangles (text included, via
// the built-in pixel font), so rendering needs no system fonts and the same name always gives
// the same bytes. The game name never enters the markup except XML-escaped in <title>.
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { GLYPH_ADVANCE, GLYPH_HEIGHT, glyphRows, toFontChars } from './pixel-font.js';

/** Logical screen size, in screen pixels (the Game Boy Color's resolution). */
export const TITLE_SCREEN_WIDTH = 160;
export const TITLE_SCREEN_HEIGHT = 144;
/** Bump when the drawing changes, so cached images (and their ETags) are invalidated. */
export const TITLE_SCREEN_VERSION = 1;

export interface TitleScreenOptions {
  /** Output pixels per screen pixel, 1–8 (default 4: a 640×576 image). */
  scale?: number;
  /** The blinking line at the bottom (default "PRESS START"); drawn with the pixel font. */
  tagline?: string;
}

interface Palette {
  sky: readonly string[];
  hills: readonly [string, string];
  panel: string;
  frame: string;
  name: string;
  shadow: string;
  star: string;
}

// A few hand-picked palettes; the game name picks one, so each game keeps its own look.
const PALETTES: readonly Palette[] = [
  {
    sky: ['#1a1040', '#2b1a5c', '#47207a', '#6f2a8c', '#a13d8f', '#d8647f'],
    hills: ['#3b1d5a', '#241238'],
    panel: '#140b2e',
    frame: '#ffd36b',
    name: '#fff4d6',
    shadow: '#e0437a',
    star: '#fff9c4',
  },
  {
    sky: ['#04203a', '#08325a', '#0c4a7a', '#13689a', '#2a8fb8', '#5cc2d6'],
    hills: ['#0b5a4a', '#073a30'],
    panel: '#061a30',
    frame: '#7ef0c8',
    name: '#ffffff',
    shadow: '#2a6fd6',
    star: '#c8f6ff',
  },
  {
    sky: ['#1d0f0a', '#3a1410', '#621c12', '#932c14', '#c94f1c', '#f08a2c'],
    hills: ['#4a1a10', '#2a0e08'],
    panel: '#1a0a06',
    frame: '#ffe066',
    name: '#fff3c4',
    shadow: '#d6301e',
    star: '#ffe9a8',
  },
  {
    sky: ['#0a1a12', '#0f2c1c', '#16422a', '#1f5c38', '#36804a', '#6fb25a'],
    hills: ['#1c4a24', '#0f2c14'],
    panel: '#08160e',
    frame: '#c8f56b',
    name: '#f4ffe0',
    shadow: '#2f9e5a',
    star: '#eaffc0',
  },
];

// The "COLOR" letters, one colour each, as on the real handheld's logo.
const LOGO_COLORS = ['#ff4b5c', '#ffb830', '#3ddc84', '#3fa7ff', '#b46bff'];
const WHITE = '#ffffff';
const DEFAULT_TAGLINE = 'PRESS START';
const INK = '#0d0a1a';

/** Deterministic pseudo-random numbers seeded from the name (xorshift32). */
function rng(seed: number): () => number {
  let x = seed || 0x9e3779b9;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x1_0000_0000;
  };
}

/**
 * Collects rectangles as paths: consecutive rectangles of one colour share a path (few elements,
 * a small SVG), while paint order is kept (a shadow stays under its text).
 */
class PixelCanvas {
  private readonly layers: { color: string; d: string[] }[] = [];
  rect(color: string, x: number, y: number, w: number, h: number): void {
    if (w <= 0 || h <= 0) return;
    let layer = this.layers.at(-1);
    if (layer?.color !== color) {
      layer = { color, d: [] };
      this.layers.push(layer);
    }
    layer.d.push(`M${x} ${y}h${w}v${h}h${-w}z`);
  }
  toSvgBody(): string {
    return this.layers.map(({ color, d }) => `<path fill="${color}" d="${d.join('')}"/>`).join('');
  }
}

/** Width in screen pixels of a line of font characters at `scale`. */
function textWidth(chars: readonly string[], scale: number): number {
  return chars.length === 0 ? 0 : (chars.length * GLYPH_ADVANCE - 1) * scale;
}

/** Draws font characters with their top-left corner at (x, y); runs of lit cells become one rect. */
function drawText(
  canvas: PixelCanvas,
  chars: readonly string[],
  x: number,
  y: number,
  scale: number,
  color: string | ((index: number) => string),
): void {
  chars.forEach((ch, i) => {
    const fill = typeof color === 'string' ? color : color(i);
    const gx = x + i * GLYPH_ADVANCE * scale;
    glyphRows(ch).forEach((row, r) => {
      let c = 0;
      while (c < row.length) {
        if (row[c] !== '#') {
          c++;
          continue;
        }
        const start = c;
        while (row[c] === '#') c++;
        canvas.rect(fill, gx + start * scale, y + r * scale, (c - start) * scale, scale);
      }
    });
  });
}

/** Text with a drop shadow down and right, centred on `cx`. */
function drawShadowed(
  canvas: PixelCanvas,
  chars: readonly string[],
  cx: number,
  y: number,
  scale: number,
  color: string | ((index: number) => string),
  shadow: string,
): void {
  const x = Math.round(cx - textWidth(chars, scale) / 2);
  const offset = scale >= 3 ? 2 : 1;
  drawText(canvas, chars, x + offset, y + offset, scale, shadow);
  drawText(canvas, chars, x, y, scale, color);
}

/**
 * Greedy word wrap over font characters; words longer than a line are broken. When the text
 * needs more than `maxLines`, the last line ends in an ellipsis.
 */
export function wrapChars(
  chars: readonly string[],
  perLine: number,
  maxLines: number,
): { lines: string[][]; truncated: boolean } {
  const lines: string[][] = [];
  let cur: string[] = [];
  const words: string[][] = [];
  let word: string[] = [];
  for (const ch of [...chars, ' ']) {
    if (ch !== ' ') word.push(ch);
    else if (word.length > 0) {
      words.push(word);
      word = [];
    }
  }
  for (let w of words) {
    if (cur.length > 0 && cur.length + 1 + w.length <= perLine) {
      cur.push(' ', ...w);
      continue;
    }
    if (cur.length > 0) lines.push(cur);
    while (w.length > perLine) {
      lines.push(w.slice(0, perLine));
      w = w.slice(perLine);
    }
    cur = [...w];
  }
  if (cur.length > 0) lines.push(cur);
  if (lines.length <= maxLines) return { lines, truncated: false };
  const kept = lines.slice(0, maxLines);
  const last = (kept[maxLines - 1] as string[]).slice(0, perLine - 1);
  while (last.at(-1) === ' ') last.pop();
  kept[maxLines - 1] = [...last, '…'];
  return { lines: kept, truncated: true };
}

function hashOf(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

const XML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};

/**
 * Escapes text for XML, dropping what XML 1.0 forbids (controls, lone surrogates) and bidi or
 * invisible format characters (so a tooltip cannot show reordered text).
 */
function escapeXml(s: string): string {
  return s
    .toWellFormed()
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]|\p{Cf}/gu, '')
    .replace(/[&<>"']/g, (c) => XML_ESCAPES[c] as string);
}

function checkScale(scale: number): number {
  if (!Number.isInteger(scale) || scale < 1 || scale > 8) {
    throw new RangeError('title screen scale must be an integer from 1 to 8');
  }
  return scale;
}

function drawBackground(canvas: PixelCanvas, p: Palette, random: () => number): void {
  const band = 16;
  p.sky.forEach((color, i) => {
    canvas.rect(color, 0, i * band, TITLE_SCREEN_WIDTH, band);
  });
  // Dithered seams between sky bands: a checkerboard row of the next colour.
  p.sky.forEach((color, i) => {
    if (i === 0) return;
    for (let x = 0; x < TITLE_SCREEN_WIDTH; x += 2) canvas.rect(color, x, i * band - 1, 1, 1);
    for (let x = 1; x < TITLE_SCREEN_WIDTH; x += 2) canvas.rect(color, x, i * band - 2, 1, 1);
  });
  const last = p.sky.at(-1) as string;
  canvas.rect(last, 0, p.sky.length * band, TITLE_SCREEN_WIDTH, TITLE_SCREEN_HEIGHT);
  for (let i = 0; i < 18; i++) {
    const x = Math.floor(random() * TITLE_SCREEN_WIDTH);
    const y = Math.floor(random() * 60);
    if (random() < 0.3) {
      canvas.rect(p.star, x - 1, y, 3, 1); // a small twinkle: a plus sign
      canvas.rect(p.star, x, y - 1, 1, 3);
    } else canvas.rect(p.star, x, y, 1, 1);
  }
  // Two layers of rolling hills from summed sine waves with name-seeded phases.
  const phase = [random() * 6.28, random() * 6.28, random() * 6.28];
  p.hills.forEach((color, layer) => {
    const base = 104 + layer * 10;
    for (let x = 0; x < TITLE_SCREEN_WIDTH; x++) {
      const h =
        Math.sin(x / (18 - layer * 5) + (phase[0] as number)) * (5 - layer) +
        Math.sin(x / 7 + (phase[1] as number) + layer) * 2;
      const top = Math.round(base - h);
      canvas.rect(color, x, top, 1, TITLE_SCREEN_HEIGHT - top);
    }
  });
}

function drawPanel(canvas: PixelCanvas, p: Palette, x: number, y: number, w: number, h: number) {
  // A bevelled window with clipped corners, like a handheld RPG's text box.
  canvas.rect(INK, x + 1, y - 1, w - 2, h + 2);
  canvas.rect(INK, x - 1, y + 1, w + 2, h - 2);
  canvas.rect(INK, x, y, w, h);
  canvas.rect(p.frame, x + 1, y, w - 2, 1);
  canvas.rect(p.frame, x + 1, y + h - 1, w - 2, 1);
  canvas.rect(p.frame, x, y + 1, 1, h - 2);
  canvas.rect(p.frame, x + w - 1, y + 1, 1, h - 2);
  canvas.rect(p.panel, x + 2, y + 2, w - 4, h - 4);
}

/** What a title screen is drawn from: a game (its name; "Untitled game" when empty) or a name. */
export type TitleSource = string | { readonly gameName: string };

function nameOf(source: TitleSource): string {
  return typeof source === 'string' ? source : source.gameName || 'Untitled game';
}

/** The title screen as an SVG document. Pure and deterministic. */
export function renderTitleSvg(source: TitleSource, opts: TitleScreenOptions = {}): string {
  const gameName = nameOf(source);
  const scale = checkScale(opts.scale ?? 4);
  const digest = hashOf(gameName);
  const p = PALETTES[(digest[0] as number) % PALETTES.length] as Palette;
  const random = rng(digest.readUInt32LE(1));
  const canvas = new PixelCanvas();
  const cx = TITLE_SCREEN_WIDTH / 2;

  drawBackground(canvas, p, random);

  // Logo: "GAMEGIRL" in large letters, "COLOR" beneath in rainbow letters.
  drawShadowed(canvas, toFontChars('GAMEGIRL'), cx, 7, 2, WHITE, INK);
  drawShadowed(canvas, toFontChars('COLOR'), cx, 25, 1, (i) => LOGO_COLORS[i] as string, INK);

  // The game name in a window, in the largest size it fits: huge on one line, large on up to
  // three, small on up to five (then cut with an ellipsis).
  const panel = { x: 8, y: 38, w: 144, h: 62 };
  drawPanel(canvas, p, panel.x, panel.y, panel.w, panel.h);
  let chars = toFontChars(gameName.slice(0, 1000));
  if (chars.every((c) => c === ' ')) chars = toFontChars('UNTITLED GAME');
  const inner = panel.w - 10;
  const sizes = [
    { scale: 3, maxLines: 1, gap: 0 },
    { scale: 2, maxLines: 3, gap: 4 },
    { scale: 1, maxLines: 5, gap: 3 },
  ];
  const fits = sizes.map((z) => {
    const perLine = Math.floor((inner + z.scale) / (GLYPH_ADVANCE * z.scale));
    return { ...z, ...wrapChars(chars, perLine, z.maxLines) };
  });
  const layout = fits.find((f) => !f.truncated) ?? (fits.at(-1) as (typeof fits)[number]);
  const lineHeight = GLYPH_HEIGHT * layout.scale + layout.gap;
  const blockHeight = layout.lines.length * lineHeight - layout.gap;
  const top = Math.round(panel.y + (panel.h - blockHeight) / 2);
  layout.lines.forEach((line, i) => {
    drawShadowed(canvas, line, cx, top + i * lineHeight, layout.scale, p.name, p.shadow);
  });

  // Tagline with hearts on either side.
  const tag = wrapChars(toFontChars(opts.tagline ?? DEFAULT_TAGLINE), 20, 1).lines[0] ?? [];
  const tagWidth = textWidth(tag, 1);
  drawShadowed(canvas, tag, cx, 118, 1, WHITE, INK);
  drawShadowed(canvas, ['♥'], cx - tagWidth / 2 - 9, 118, 1, LOGO_COLORS[0] as string, INK);
  drawShadowed(canvas, ['♥'], cx + tagWidth / 2 + 9, 118, 1, LOGO_COLORS[0] as string, INK);

  // Screen edge: a thin dark border, as if seen through the handheld's glass.
  canvas.rect(INK, 0, 0, TITLE_SCREEN_WIDTH, 1);
  canvas.rect(INK, 0, TITLE_SCREEN_HEIGHT - 1, TITLE_SCREEN_WIDTH, 1);
  canvas.rect(INK, 0, 0, 1, TITLE_SCREEN_HEIGHT);
  canvas.rect(INK, TITLE_SCREEN_WIDTH - 1, 0, 1, TITLE_SCREEN_HEIGHT);

  const w = TITLE_SCREEN_WIDTH * scale;
  const h = TITLE_SCREEN_HEIGHT * scale;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}"`,
    ` viewBox="0 0 ${TITLE_SCREEN_WIDTH} ${TITLE_SCREEN_HEIGHT}" shape-rendering="crispEdges">`,
    `<title>GameGirl Color: ${escapeXml(gameName.slice(0, 200))}</title>`,
    canvas.toSvgBody(),
    '</svg>',
  ].join('');
}

/** The title screen as PNG bytes (160×144 × scale; 640×576 by default). Deterministic. */
export function renderTitlePng(source: TitleSource, opts: TitleScreenOptions = {}): Buffer {
  const svg = renderTitleSvg(source, opts);
  // The native renderer loads on first use, so the SVG half of this module stays import-cheap
  // (the package root exports both).
  const { Resvg } = createRequire(import.meta.url)(
    '@resvg/resvg-js',
  ) as typeof import('@resvg/resvg-js');
  const resvg = new Resvg(svg, {
    font: { loadSystemFonts: false },
    shapeRendering: 1,
    fitTo: { mode: 'original' },
  });
  return resvg.render().asPng();
}

/** A strong ETag for the title screen of `gameName`: changes only if the image would change. */
export function titleScreenEtag(gameName: string, opts: TitleScreenOptions = {}): string {
  const scale = checkScale(opts.scale ?? 4);
  const key = [TITLE_SCREEN_VERSION, scale, opts.tagline ?? DEFAULT_TAGLINE, gameName].join(
    '\u0000',
  );
  return `"gg-title-${hashOf(key).toString('base64url').slice(0, 27)}"`;
}
