import { createHash } from 'node:crypto';

/**
 * Button custom_id codec. A button names the channel it was posted in, the turn stamp, a short
 * tag of the game (so an old game's button cannot press into a game hot-swapped in at the same
 * turn number) and what it does:
 *
 *   gg1:p:<channel>:<gameTag>:<turn>:<index>   press choice `index` (0..23) of the scene
 *   gg1:d:<channel>:<gameTag>:<turn>:<index>   decide option `index` ('host' aggregation)
 *   gg1:r:<channel>:<gameTag>:<turn>:0         retry a failed narration
 *   gg1:w:<channel>:<gameTag>:<turn>:0         watch without playing, or play (next window)
 *   gg1:s:<channel>:<gameTag>:<turn>:<0|1>     a page of the story so far (ephemeral): the
 *                                              turns before turn `turn` (0) or from it on (1)
 *   gg1:x:<channel>:<gameTag>:<turn>:0         the X-card: set the scene aside, anonymously
 *
 * At most 4 + 2 + 21 + 9 + 10 + 3 = 49 characters, well under Discord's 100. Anything else
 * (another bot's id, a forged or oversized value, a bad number) decodes to null.
 */

/** Discord's custom_id limit. */
export const CUSTOM_ID_MAX_LENGTH = 100;
/** 5 rows × 5 buttons, one slot kept for a control button (retry, or watch/play; the X-card
 *  takes another when there is room). */
export const MAX_CHOICE_BUTTONS = 24;

export type ButtonAction = 'press' | 'decide' | 'retry' | 'watch' | 'story' | 'xcard';

export interface ButtonId {
  action: ButtonAction;
  channelId: string;
  gameTag: string;
  turn: number;
  index: number;
}

const CODES: Record<ButtonAction, string> = {
  press: 'p',
  decide: 'd',
  retry: 'r',
  watch: 'w',
  story: 's',
  xcard: 'x',
};
const ACTIONS: Record<string, ButtonAction> = {
  p: 'press',
  d: 'decide',
  r: 'retry',
  w: 'watch',
  s: 'story',
  x: 'xcard',
};

// Snowflakes are decimal u64s: at most 20 digits. Turns are small non-negative integers.
const PATTERN = /^gg1:([pdrwsx]):([0-9]{1,20}):([0-9a-z]{8}):([0-9]{1,9}):([0-9]{1,2})$/;

/** 8 base-36 characters derived from a game id (collisions only matter within one channel). */
export function gameTag(gameId: string): string {
  const digest = createHash('sha256').update(gameId).digest();
  return digest.readBigUInt64BE(0).toString(36).padStart(8, '0').slice(-8);
}

export function encodeButtonId(id: ButtonId): string {
  if (!/^[0-9]{1,20}$/.test(id.channelId)) throw new RangeError('channel id is not a snowflake');
  if (!/^[0-9a-z]{8}$/.test(id.gameTag)) throw new RangeError('bad game tag');
  if (!Number.isSafeInteger(id.turn) || id.turn < 0 || id.turn > 999_999_999) {
    throw new RangeError('turn out of range');
  }
  if (!Number.isSafeInteger(id.index) || id.index < 0 || id.index >= MAX_CHOICE_BUTTONS) {
    throw new RangeError('button index out of range');
  }
  const out = `gg1:${CODES[id.action]}:${id.channelId}:${id.gameTag}:${id.turn}:${id.index}`;
  if (out.length > CUSTOM_ID_MAX_LENGTH) throw new RangeError('custom_id too long');
  return out;
}

/** Decodes a custom_id; null for anything this bot did not make (never throws). */
export function decodeButtonId(customId: unknown): ButtonId | null {
  if (typeof customId !== 'string' || customId.length > CUSTOM_ID_MAX_LENGTH) return null;
  const m = PATTERN.exec(customId);
  if (m === null) return null;
  const [, code, channelId, tag, turnText, indexText] = m;
  const action = code === undefined ? undefined : ACTIONS[code];
  if (action === undefined || channelId === undefined || tag === undefined) return null;
  const turn = Number(turnText);
  const index = Number(indexText);
  if (index >= MAX_CHOICE_BUTTONS) return null;
  if ((action === 'retry' || action === 'watch' || action === 'xcard') && index !== 0) return null;
  if (action === 'story' && index > 1) return null;
  // Canonical form only: no leading zeros smuggling a second spelling of the same button.
  const id: ButtonId = { action, channelId, gameTag: tag, turn, index };
  return encodeButtonId(id) === customId ? id : null;
}
