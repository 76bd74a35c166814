import { escapeMarkdown } from 'discord.js';

/** Discord's limits, in characters (Discord counts UTF-16 code units for most of them). */
export const LIMITS = {
  content: 2000,
  embedDescription: 4096,
  embedTitle: 256,
  embedFieldValue: 1024,
  embedsTotal: 6000,
  buttonLabel: 80,
  autocompleteName: 100,
  autocompleteValue: 100,
} as const;

// Controls, bidi overrides, zero-width and other invisible formatting characters.
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Co}\p{Cn}]/gu;

/** Cuts `text` to at most `max` UTF-16 units without splitting a surrogate pair, adding '…'. */
export function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max - 1;
  const c = text.charCodeAt(end - 1);
  if (c >= 0xd800 && c <= 0xdbff) end--;
  return `${text.slice(0, end)}…`;
}

/** A single-line, visible version of untrusted text (labels, names), at most `max` long. */
export function oneLine(text: string, max: number, fallback: string): string {
  const clean = text
    .replace(/[\r\n\t]+/g, ' ')
    .replace(INVISIBLE, '')
    .replace(/\s+/g, ' ')
    .trim();
  return clean === '' ? fallback : cut(clean, max);
}

/** A player's name as shown in a message: one line, markdown escaped (it is inside bold etc.). */
export function displayName(name: string): string {
  return escapeMarkdown(oneLine(name, 64, 'someone'));
}

function cutPoint(text: string, max: number): number {
  const window = text.slice(0, max);
  for (const sep of ['\n\n', '\n', '. ', '! ', '? ', ' ']) {
    const at = window.lastIndexOf(sep);
    if (at >= max / 2) return at + sep.length;
  }
  const c = text.charCodeAt(max - 1);
  return c >= 0xd800 && c <= 0xdbff ? max - 1 : max;
}

/**
 * Splits long narrator text into pieces of at most `max` characters, preferring paragraph,
 * line, sentence and word boundaries, never splitting a surrogate pair. Empty text → [].
 */
export function splitText(text: string, max: number): string[] {
  const out: string[] = [];
  let rest = text.trim();
  while (rest.length > max) {
    const at = cutPoint(rest, max);
    const piece = rest.slice(0, at).trimEnd();
    if (piece !== '') out.push(piece);
    rest = rest.slice(at).trimStart();
  }
  if (rest !== '') out.push(rest);
  return out;
}
