import { z } from 'zod';
import {
  CHANNEL_ID_MAX_LENGTH,
  CHOICE_MAX_LENGTH,
  GAME_ID_MAX_LENGTH,
  USER_NAME_MAX_LENGTH,
} from '../core/limits.js';
import type { GameSummary } from '../core/store-port.js';
import { STORY_PAGE_MAX } from '../host/story-so-far.js';
import type { ChosenDelta, WireRecap, WireStoryPage, WireTurn, WireView } from './wire-view.js';

/** The largest client message accepted, in bytes (UTF-8). Larger messages are refused. */
export const MAX_CLIENT_MESSAGE_BYTES = 4096;

// Lengths here are coarse caps (UTF-16 units); the host applies the exact text rules.
const text = (max: number) => z.string().min(1).max(max);
const requestId = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional();

/** A page of `games`: the cursor of a previous reply's `nextCursor`. */
const cursorSchema = z.string().min(1).max(200).optional();

const specSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('ink'), cartridge: text(64) }),
  z.strictObject({ kind: z.literal('llm'), premise: z.string().max(1000).optional() }),
]);

const turnStamp = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

/** Every message a browser may send. Unknown types and unknown fields are refused. */
const clientMessageSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('join'),
    id: requestId,
    channelId: text(CHANNEL_ID_MAX_LENGTH),
    // The display name only: who the player is comes from the server's session cookie.
    name: text(USER_NAME_MAX_LENGTH),
    // A private channel's join code (from its invite link).
    code: z.string().min(1).max(64).optional(),
  }),
  z.strictObject({
    type: z.literal('press'),
    id: requestId,
    turn: turnStamp,
    choice: text(CHOICE_MAX_LENGTH),
    // The game the button was drawn for: a button that outlived a hot-swap is refused as stale.
    gameId: text(GAME_ID_MAX_LENGTH).optional(),
  }),
  z.strictObject({
    type: z.literal('decide'),
    id: requestId,
    choice: text(CHOICE_MAX_LENGTH),
    gameId: text(GAME_ID_MAX_LENGTH).optional(),
    turn: turnStamp.optional(),
  }),
  // The X-card: set the scene of `turn` aside (anonymously).
  z.strictObject({
    type: z.literal('xcard'),
    id: requestId,
    turn: turnStamp,
    gameId: text(GAME_ID_MAX_LENGTH).optional(),
  }),
  // The channel's countdown (whole seconds; the host checks the limits and who may).
  z.strictObject({
    type: z.literal('countdown'),
    id: requestId,
    seconds: z.number().int().min(1).max(3600),
  }),
  z.strictObject({ type: z.literal('boot'), id: requestId, spec: specSchema }),
  z.strictObject({ type: z.literal('exit'), id: requestId }),
  z.strictObject({ type: z.literal('load'), id: requestId, gameId: text(GAME_ID_MAX_LENGTH) }),
  z.strictObject({ type: z.literal('retry'), id: requestId }),
  z.strictObject({ type: z.literal('games'), id: requestId, cursor: cursorSchema }),
  z.strictObject({ type: z.literal('history'), id: requestId }),
  // A page of the story so far: the `count` turns before turn `before` (default: the newest).
  z.strictObject({
    type: z.literal('story'),
    id: requestId,
    before: turnStamp.optional(),
    count: z.number().int().min(1).max(STORY_PAGE_MAX).optional(),
  }),
  // Watch the channel without playing, or play (from the next window).
  z.strictObject({
    type: z.literal('role'),
    id: requestId,
    role: z.enum(['player', 'spectator']),
  }),
]);

export type ClientMessage = z.infer<typeof clientMessageSchema>;
type ClientMessageType = ClientMessage['type'];
const CLIENT_MESSAGE_TYPES: readonly ClientMessageType[] = [
  'join',
  'press',
  'decide',
  'xcard',
  'countdown',
  'boot',
  'exit',
  'load',
  'retry',
  'games',
  'history',
  'story',
  'role',
];

export interface CartridgeEntry {
  id: string;
  title: string;
  description: string;
}

/** Every message the server sends. */
export type ServerMessage =
  | {
      type: 'hello';
      cartridges: CartridgeEntry[];
      llm: boolean;
      maxMessageBytes: number;
    }
  /** After a join: the player's own handle in the channel, and the channel's invite code when
   *  the channel is private (to share as a link). */
  | {
      type: 'joined';
      id?: number | undefined;
      channelId: string;
      you: string;
      /** A private channel's join code (its invite link carries it). */
      code?: string;
      /** Anyone in the channel may manage its game (otherwise its booter). */
      anyoneMayManage?: true;
    }
  | { type: 'view'; view: WireView }
  | ChosenDelta
  /** `first`: a narration attempt starts; drop the text streamed before (a cut-off attempt). */
  | { type: 'text'; delta: string; first?: true }
  | { type: 'turn'; record: WireTurn }
  | {
      type: 'games';
      id?: number | undefined;
      games: GameSummary[];
      /** Ask with this cursor for the next page; null on the last page. */
      nextCursor: string | null;
    }
  | { type: 'history'; id?: number | undefined; turns: WireTurn[] }
  /** A page of the story so far; null when the channel has no game. */
  | { type: 'story'; id?: number | undefined; page: WireStoryPage | null }
  /** To one page only, after it joined: what its player missed since their last press. */
  | { type: 'recap'; recap: WireRecap }
  | { type: 'ok'; id?: number | undefined; for: ClientMessageType }
  | { type: 'error'; id?: number | undefined; code: string; message: string };

export type ParseResult =
  | { ok: true; message: ClientMessage }
  | { ok: false; code: string; message: string; id?: number | undefined };

function peekId(value: unknown): number | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const id = (value as { id?: unknown }).id;
  return typeof id === 'number' && Number.isSafeInteger(id) && id >= 0 ? id : undefined;
}

/** Parses and validates one text frame. Never throws. */
export function parseClientMessage(raw: string): ParseResult {
  if (Buffer.byteLength(raw, 'utf8') > MAX_CLIENT_MESSAGE_BYTES) {
    return {
      ok: false,
      code: 'TOO_LARGE',
      message: `messages are limited to ${MAX_CLIENT_MESSAGE_BYTES} bytes`,
    };
  }
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return { ok: false, code: 'BAD_JSON', message: 'the message is not valid JSON' };
  }
  const id = peekId(value);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, code: 'BAD_MESSAGE', message: 'a message must be a JSON object', id };
  }
  const type = (value as { type?: unknown }).type;
  if (typeof type !== 'string' || !(CLIENT_MESSAGE_TYPES as readonly string[]).includes(type)) {
    const shown = typeof type === 'string' ? JSON.stringify(type.slice(0, 40)) : 'missing';
    return {
      ok: false,
      code: 'UNKNOWN_TYPE',
      message: `unknown message type ${shown}; expected one of ${CLIENT_MESSAGE_TYPES.join(', ')}`,
      id,
    };
  }
  const parsed = clientMessageSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? issue.path.join('.') : type;
    return {
      ok: false,
      code: 'BAD_MESSAGE',
      message: `${type}: ${where}: ${issue?.message ?? 'invalid'}`,
      id,
    };
  }
  return { ok: true, message: parsed.data };
}
