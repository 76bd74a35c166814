import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** The session cookie's name. */
const SESSION_COOKIE = 'gg_session';
/** How long a browser keeps its identity (one year, renewed on every page load). */
const SESSION_MAX_AGE_S = 365 * 24 * 3600;
/** Length of the opaque per-channel handle shown to other players. */
const HANDLE_LENGTH = 12;

/**
 * Player identity for the web console. The server issues each browser a random session id in a
 * signed, HttpOnly cookie (`<id>.<HMAC-SHA256(secret, id)>`); the host's user id is derived from
 * it and never read from a message. Other players see only an opaque per-channel handle
 * (an HMAC of channel and user id), which cannot be turned back into the id or used to act.
 */
export class SessionKeys {
  readonly #secret: Buffer;
  readonly #secure: boolean;

  /** `secret`: at least 32 bytes (kept across restarts so identities survive them).
   *  `secureCookie`: add `Secure` (the page is served over HTTPS, e.g. behind a proxy). */
  constructor(secret: Buffer, options: { secureCookie?: boolean } = {}) {
    if (secret.length < 32) throw new RangeError('the session secret must be at least 32 bytes');
    this.#secret = Buffer.from(secret);
    this.#secure = options.secureCookie === true;
  }

  #mac(purpose: string, value: string): Buffer {
    return createHmac('sha256', this.#secret).update(`${purpose}\u0000${value}`).digest();
  }

  /** A fresh session: the cookie value to set and the user id it stands for. */
  issue(): { token: string; userId: string } {
    const id = randomBytes(18).toString('base64url');
    const token = `${id}.${this.#mac('session', id).toString('base64url')}`;
    return { token, userId: userIdOf(id) };
  }

  /** The user id of a session token, or null when it is missing, malformed or forged. */
  verify(token: string | undefined): string | null {
    if (token === undefined || token.length > 100) return null;
    const dot = token.indexOf('.');
    if (dot <= 0) return null;
    const id = token.slice(0, dot);
    if (!/^[A-Za-z0-9_-]{24}$/.test(id)) return null;
    const given = Buffer.from(token.slice(dot + 1), 'base64url');
    const expected = this.#mac('session', id);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
    return userIdOf(id);
  }

  /** The user id of a request's session cookie, or null. */
  userOf(req: IncomingMessage): string | null {
    return this.verify(readCookie(req.headers.cookie, SESSION_COOKIE));
  }

  /** The Set-Cookie header value for `token`. */
  cookie(token: string): string {
    const parts = [
      `${SESSION_COOKIE}=${token}`,
      'Path=/',
      `Max-Age=${SESSION_MAX_AGE_S}`,
      'HttpOnly',
      'SameSite=Strict',
    ];
    if (this.#secure) parts.push('Secure');
    return parts.join('; ');
  }

  /** The opaque handle by which `userId` is shown to the other players of `channelId`. */
  handle(channelId: string, userId: string): string {
    return this.#mac('handle', `${channelId}\u0000${userId}`)
      .toString('base64url')
      .slice(0, HANDLE_LENGTH);
  }

  /** The join code of a private channel (the server checks it; an invite link carries it). */
  joinCode(channelId: string): string {
    return this.#mac('join', channelId).toString('base64url').slice(0, 16);
  }

  /** Whether `code` is the join code of `channelId` (constant time). */
  checkJoinCode(channelId: string, code: string | undefined): boolean {
    if (code === undefined) return false;
    const a = Buffer.from(code);
    const b = Buffer.from(this.joinCode(channelId));
    return a.length === b.length && timingSafeEqual(a, b);
  }
}

function userIdOf(sessionId: string): string {
  return `web:${sessionId}`;
}

/** Whether `value` has the shape of a web console user id (`userIdOf`). */
export function isWebUserId(value: string): boolean {
  return /^web:[A-Za-z0-9_-]{24}$/.test(value);
}

/** One cookie's value from a Cookie header, or undefined. */
function readCookie(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
