import { InvalidInputError } from './errors.js';

/** Input limits, in Unicode code points. Every limit is inclusive. */
export const USER_ID_MAX_LENGTH = 128;
export const USER_NAME_MAX_LENGTH = 100;
export const CHOICE_MAX_LENGTH = 500;
export const CHANNEL_ID_MAX_LENGTH = 128;
export const GAME_ID_MAX_LENGTH = 128;
export const GAME_NAME_MAX_LENGTH = 100;
export const NARRATIVE_SUMMARY_MAX_LENGTH = 4000;
/** A scene's text (the narrator's; what the turn record keeps). LLM scenes are cut at 4000; ink
 *  passages are a few paragraphs. With SCENE_CHOICES_MAX choices of CHOICE_MAX_LENGTH, one
 *  record stays under ~30 KB at worst (a 1000-record history under ~30 MB; ~1–2 MB typically). */
export const SCENE_TEXT_MAX_LENGTH = 16_000;
/** Choices of one scene (ink cartridges offer at most 25; Discord draws 24 buttons). */
export const SCENE_CHOICES_MAX = 25;
export const MIN_COUNTDOWN_SECONDS = 0.01;
export const MAX_COUNTDOWN_SECONDS = 3600;
export const DEFAULT_COUNTDOWN_SECONDS = 10;
/** A channel's countdown as its players set it (the page's control, Discord's settings): whole
 *  seconds, long enough to read a scene, short enough not to stall a game. */
export const MIN_CHANNEL_COUNTDOWN_SECONDS = 5;
export const MAX_CHANNEL_COUNTDOWN_SECONDS = 300;

// Printable ASCII only: the common case, checked with one cheap loop (a regex call costs more
// than the whole check for the short ids, names and choices of a button press).
const NOT_ASCII = 0;
const ASCII_BLANK = 1;
const ASCII_TEXT = 2;
function plainAscii(s: string): number {
  let blank = true;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) return NOT_ASCII;
    if (c !== 0x20) blank = false;
  }
  return blank ? ASCII_BLANK : ASCII_TEXT;
}

/** Printable ASCII and newlines only (the common narrative summary): nothing else to check. */
function plainAsciiLines(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c < 0x20 && c !== 0x0a) || c > 0x7e) return false;
  }
  return true;
}
// Characters that may appear only inside an emoji sequence:
//   ZWJ between two pictographs (👩‍💻), and tag characters closing a subdivision flag (🏴󠁧󠁢󠁳󠁣󠁴󠁿).
const EMOJI_ZWJ =
  /(?<=\p{Extended_Pictographic}[\u{FE0F}\u{1F3FB}-\u{1F3FF}]?)\u200D(?=\p{Extended_Pictographic})/gu;
const EMOJI_TAG_FLAG = /\u{1F3F4}[\u{E0020}-\u{E007E}]+\u{E007F}/gu;
// Control characters, line/paragraph separators, bidi controls, invisible formatting and tag
// characters: anything that could forge a line, reorder text on screen, or hide text from a reader.
const FORBIDDEN = /[\p{Cc}\p{Zl}\p{Zp}\p{Cf}\p{Co}\p{Cn}]/u;
const BLANK = /^[\s\p{Z}\u115F\u1160\u3164\uFFA0\u2800]*$/u;

function codePointLength(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

function hasLoneSurrogate(s: string): boolean {
  return !s.isWellFormed();
}

/**
 * Checks one untrusted text field. Throws InvalidInputError naming `field`; returns the value.
 * Rules: a string, 1..max code points, not blank, well-formed UTF-16, no control, bidi,
 * invisible or private-use characters (a ZWJ inside an emoji sequence stays valid).
 */
export function checkText(field: string, value: unknown, max: number): string {
  if (typeof value !== 'string') throw new InvalidInputError(field, 'must be a string');
  if (value.length === 0) throw new InvalidInputError(field, 'must not be empty');
  const ascii = plainAscii(value);
  if (ascii !== NOT_ASCII) {
    if (value.length > max) throw new InvalidInputError(field, `must be at most ${max} characters`);
    if (ascii === ASCII_BLANK) throw new InvalidInputError(field, 'must not be blank');
    return value;
  }
  if (value.length > max && codePointLength(value) > max) {
    throw new InvalidInputError(field, `must be at most ${max} characters`);
  }
  if (hasLoneSurrogate(value)) throw new InvalidInputError(field, 'contains a lone surrogate');
  const withoutEmojiJoins = value.replace(EMOJI_TAG_FLAG, '').replace(EMOJI_ZWJ, '');
  if (FORBIDDEN.test(withoutEmojiJoins)) {
    throw new InvalidInputError(field, 'contains control, bidi-override or invisible characters');
  }
  if (BLANK.test(value)) throw new InvalidInputError(field, 'must not be blank');
  return value;
}

export const checkUserId = (v: unknown): string => checkText('userId', v, USER_ID_MAX_LENGTH);
export const checkUserName = (v: unknown): string => checkText('userName', v, USER_NAME_MAX_LENGTH);
export const checkChoice = (v: unknown): string => checkText('choice', v, CHOICE_MAX_LENGTH);
export const checkChannelId = (v: unknown): string =>
  checkText('channelId', v, CHANNEL_ID_MAX_LENGTH);
export const checkGameId = (v: unknown): string => checkText('gameId', v, GAME_ID_MAX_LENGTH);

/** Game names may be empty (the seed's default) but otherwise follow the text rules. */
export function checkGameName(v: unknown): string {
  if (v === '') return v;
  return checkText('gameName', v, GAME_NAME_MAX_LENGTH);
}

/** A countdown a player asks for in a channel: whole seconds within the channel limits. */
export function checkChannelCountdown(v: unknown): number {
  if (
    typeof v !== 'number' ||
    !Number.isSafeInteger(v) ||
    v < MIN_CHANNEL_COUNTDOWN_SECONDS ||
    v > MAX_CHANNEL_COUNTDOWN_SECONDS
  )
    throw new InvalidInputError(
      'countdownSeconds',
      `must be a whole number of seconds from ${MIN_CHANNEL_COUNTDOWN_SECONDS} to ${MAX_CHANNEL_COUNTDOWN_SECONDS}`,
    );
  return v;
}

export function checkCountdownSeconds(v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw new InvalidInputError('countdownSeconds', 'must be a finite number');
  }
  if (v < MIN_COUNTDOWN_SECONDS || v > MAX_COUNTDOWN_SECONDS) {
    throw new InvalidInputError(
      'countdownSeconds',
      `must be between ${MIN_COUNTDOWN_SECONDS} and ${MAX_COUNTDOWN_SECONDS}`,
    );
  }
  return v;
}

/** Multi-line narrator text (untrusted): newlines are allowed, other controls are not. */
function checkMultiline(field: string, v: unknown, max: number): string {
  if (typeof v !== 'string') throw new InvalidInputError(field, 'must be a string');
  if (v === '') return v;
  if (plainAsciiLines(v)) {
    if (v.length > max) throw new InvalidInputError(field, `must be at most ${max} characters`);
    return v;
  }
  if (codePointLength(v) > max)
    throw new InvalidInputError(field, `must be at most ${max} characters`);
  if (hasLoneSurrogate(v)) throw new InvalidInputError(field, 'contains a lone surrogate');
  const lines = v.replace(EMOJI_TAG_FLAG, '').replace(EMOJI_ZWJ, '').split('\n');
  if (lines.some((line) => FORBIDDEN.test(line))) {
    throw new InvalidInputError(field, 'contains control, bidi-override or invisible characters');
  }
  return v;
}

/** Narrative summaries come from a narrator (untrusted); newlines are allowed, other controls are not. */
export const checkSummary = (v: unknown): string =>
  checkMultiline('narrativeSummary', v, NARRATIVE_SUMMARY_MAX_LENGTH);

/** A scene's text as kept with its turn record (see SceneText): the summary's rules, longer. */
export const checkSceneText = (v: unknown): string =>
  checkMultiline('scene.text', v, SCENE_TEXT_MAX_LENGTH);

// One pass keeps whole emoji sequences (group 1: tag flag, 2: ZWJ join) and drops every other
// forbidden character except newlines.
const SUMMARY_CLEAN = new RegExp(
  `(${EMOJI_TAG_FLAG.source})|(${EMOJI_ZWJ.source})|(?!\\n)${FORBIDDEN.source}`,
  'gu',
);
const cleanPass = (s: string): string =>
  s.replace(SUMMARY_CLEAN, (_m, flag?: string, join?: string) => flag ?? join ?? '');

/** Multi-line text made acceptable to checkMultiline instead of refused: not a string → '',
 *  lone surrogates replaced, control/bidi/invisible characters dropped (emoji sequences and
 *  newlines kept), trimmed, cut to `max` code points. */
function cleanMultiline(v: unknown, max: number): string {
  if (typeof v !== 'string') return '';
  let clean = cleanPass(v.toWellFormed()).trim();
  if (codePointLength(clean) > max) {
    // The cut may split an emoji sequence, leaving a join with nothing after it: clean again.
    const cut = [...clean].slice(0, max).join('');
    clean = cleanPass(cut).trim();
  }
  return clean;
}

/** A narrator's summary made acceptable to checkSummary instead of refused (see cleanMultiline). */
export const cleanSummary = (v: unknown): string => cleanMultiline(v, NARRATIVE_SUMMARY_MAX_LENGTH);

/** A scene's text made acceptable to checkSceneText (what a turn record keeps of it). */
export const cleanSceneText = (v: unknown): string => cleanMultiline(v, SCENE_TEXT_MAX_LENGTH);

/** Turns a store keeps per game unless told otherwise (oldest dropped first). */
const DEFAULT_HISTORY_CAP = 1000;

/** A store's `historyCap` option: a positive integer (InvalidInputError otherwise). */
export function checkHistoryCap(cap: unknown = DEFAULT_HISTORY_CAP): number {
  if (typeof cap !== 'number' || !Number.isSafeInteger(cap) || cap < 1)
    throw new InvalidInputError('historyCap', 'must be a positive integer');
  return cap;
}

/** `listGames`' page size: 1..500, default 50 (InvalidInputError otherwise). */
export function checkPageLimit(limit: unknown = 50): number {
  if (typeof limit !== 'number' || !Number.isSafeInteger(limit) || limit < 1 || limit > 500)
    throw new InvalidInputError('limit', 'must be an integer from 1 to 500');
  return limit;
}

/** How many recent turns to read: a positive integer (InvalidInputError otherwise). */
export function checkTurnCount(count: unknown): number {
  if (typeof count !== 'number' || !Number.isSafeInteger(count) || count < 1)
    throw new InvalidInputError('count', 'must be a positive integer');
  return count;
}

/** An append's idempotency key (AppendTurnOptions.key): text of 1..200 characters, or absent. */
export function checkAppendKey(key: unknown): string | null {
  if (key === undefined || key === null) return null;
  return checkText('key', key, 200);
}
