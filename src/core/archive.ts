import { z } from 'zod';
import { SessionDataError, StoreError } from './errors.js';
import { type SessionDict, stateFromDict, stateToDict } from './session-state.js';
import type { SessionStore } from './store-port.js';
import { TurnRecord, type TurnRecordDict } from './turn-record.js';

// A game archive: one saved game with everything needed to carry on elsewhere (the stored
// game — players, open window, the host's narrator state in `extra` — and its whole history,
// oldest first), as versioned JSON. `gamegirl export` writes it, `gamegirl import` reads it.

const ARCHIVE_FORMAT = 'gamegirl-game';
const ARCHIVE_VERSION = 1;

export interface GameArchive {
  format: typeof ARCHIVE_FORMAT;
  version: number;
  /** Unix milliseconds. */
  exported_at_ms: number;
  game: SessionDict;
  /** The whole stored history, oldest first, each record as the store keeps it. */
  turns: TurnRecordDict[];
}

/** More turns than any store keeps: `recentTurns` with it reads the whole history. */
const WHOLE_HISTORY = 2 ** 31 - 1;

const archiveSchema = z.looseObject({
  format: z.literal(ARCHIVE_FORMAT),
  version: z
    .number()
    .int()
    .min(1)
    .max(ARCHIVE_VERSION, { message: `is newer than this package reads (${ARCHIVE_VERSION})` }),
  exported_at_ms: z.number().finite().nonnegative(),
  game: z.unknown(),
  turns: z.array(z.unknown()),
});

/** Re-raises a dict's SessionDataError with the field's path inside the archive. */
function within<T>(path: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof SessionDataError)
      throw new SessionDataError(`${path}.${e.field}`, e.message.slice(e.field.length + 2), {
        cause: e,
      });
    throw e;
  }
}

/**
 * Validates an archive (SessionDataError naming the first bad field; nothing half-read is
 * returned). The game and every record pass the same checks as a store's own data; fields a
 * newer writer added to a record (such as the scene it showed) are kept as they are.
 */
export function parseArchive(input: unknown): GameArchive {
  const r = archiveSchema.safeParse(input);
  if (!r.success) {
    const issue = r.error.issues[0];
    const field = issue && issue.path.length > 0 ? issue.path.map(String).join('.') : 'archive';
    throw new SessionDataError(field, issue?.message ?? 'is malformed', { cause: r.error });
  }
  const a = r.data;
  const game = within('game', () => stateToDict(stateFromDict(a.game)));
  const turns = a.turns.map((t, i) =>
    within(`turns.${i}`, () => {
      TurnRecord.fromDict(t);
      return t as TurnRecordDict;
    }),
  );
  return {
    format: ARCHIVE_FORMAT,
    version: a.version,
    exported_at_ms: a.exported_at_ms,
    game,
    turns,
  };
}

/** The parts of a game that change when a turn is committed (its history then changes too). */
const commitMark = (d: SessionDict): string =>
  JSON.stringify([d.turn_number, d.last_window, d.extra]);

/**
 * Reads game `gameId` and its whole history from `store`, or null when there is no such game.
 * The two reads are separate store calls: if a turn was committed between them (a console is
 * playing the game), they are read again, so the game and its history always match.
 */
export async function readArchive(
  store: SessionStore,
  gameId: string,
  nowMs: number,
): Promise<GameArchive | null> {
  let game = await store.loadGame(gameId);
  for (let attempt = 0; game !== null; attempt++) {
    const turns = await store.recentTurns(gameId, WHOLE_HISTORY);
    const again = await store.loadGame(gameId);
    if (again === null) return null;
    if (commitMark(again) === commitMark(game)) {
      return {
        format: ARCHIVE_FORMAT,
        version: ARCHIVE_VERSION,
        exported_at_ms: nowMs,
        game: again,
        turns,
      };
    }
    if (attempt >= 10)
      throw new StoreError(`game ${gameId} kept changing while it was read; try again`);
    game = again;
  }
  return null;
}
