import { InvalidInputError } from '../core/errors.js';
import type { GameSummary } from '../core/store-port.js';

/** Position in the index (ordered by updatedAt desc, then gameId desc). */
export interface IndexCursor {
  updatedAt: number;
  gameId: string;
}

export function encodeCursor(g: GameSummary): string {
  return Buffer.from(JSON.stringify([g.updatedAt, g.gameId])).toString('base64url');
}

export function decodeCursor(cursor: string): IndexCursor {
  try {
    const v: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(v) &&
      v.length === 2 &&
      typeof v[0] === 'number' &&
      typeof v[1] === 'string'
    ) {
      return { updatedAt: v[0], gameId: v[1] };
    }
  } catch {
    // fall through to the typed error
  }
  throw new InvalidInputError('cursor', 'is not a cursor returned by listGames');
}

/** True when `g` comes after the cursor position in index order. */
export function isAfter(g: GameSummary, c: IndexCursor): boolean {
  return g.updatedAt < c.updatedAt || (g.updatedAt === c.updatedAt && g.gameId < c.gameId);
}

export function compareIndex(a: GameSummary, b: GameSummary): number {
  if (a.updatedAt !== b.updatedAt) return b.updatedAt - a.updatedAt;
  return a.gameId < b.gameId ? 1 : a.gameId > b.gameId ? -1 : 0;
}
