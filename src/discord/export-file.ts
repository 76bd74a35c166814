import type { GameExport } from '../host/adapter-host.js';
import { exportFileName, transcriptOf } from '../host/transcript.js';
import { type MessageBody, type MessageFile, notice } from './render.js';
import { oneLine } from './text.js';

/** Discord's attachment limit for bots without boosts (8 MiB), with room for the form. */
const MAX_FILE_BYTES = 8_000_000;

/**
 * `/gamegirl export`: the channel's game as a file — the Markdown transcript (names only), or
 * the JSON archive. Discord user ids stay in the JSON: on Discord they are public (anyone can
 * copy one), and they let the operator's `gamegirl import` carry the game on as it was.
 */
export function exportFile(
  found: GameExport | null,
  format: unknown,
): { body: MessageBody; file: MessageFile | null } {
  if (found === null) return { body: notice('No game is running in this channel.'), file: null };
  const { archive, rule } = found;
  const json = format === 'json';
  const text = json ? `${JSON.stringify(archive, null, 2)}\n` : transcriptOf(archive, rule);
  const data = Buffer.from(text);
  const title = oneLine(archive.game.game_name || 'Untitled', 100, 'Untitled');
  if (data.length > MAX_FILE_BYTES)
    return {
      body: notice(
        `📜 ${title} is too long to attach here (${Math.ceil(data.length / 1e6)} MB): ask the operator for \`gamegirl export\`.`,
      ),
      file: null,
    };
  return {
    body: notice(
      `📜 ${title}: ${archive.turns.length} turn${archive.turns.length === 1 ? '' : 's'}, ${json ? 'the game archive (JSON)' : 'the story so far (Markdown)'}.`,
    ),
    file: {
      name: exportFileName(archive.game.game_name, json ? 'json' : 'md'),
      data,
      contentType: json ? 'application/json' : 'text/markdown',
    },
  };
}
