import type { GameArchive } from '../core/archive.js';
import type { PlayerState } from '../core/player-state.js';
import { stateFromDict } from '../core/session-state.js';
import { TurnRecord } from '../core/turn-record.js';
import { type HostExtra, parseHostExtra } from './saved-state.js';
import { type Aggregation, setAside, storyTurn } from './story.js';

// A game as a readable Markdown transcript: title, players, the opening scene, then every
// recorded turn (who chose what, the reveal sentence, the scene it led to), then the choices on
// screen now. Names,
// choices and narrator text are untrusted: each is escaped so it stays text (no heading, link,
// HTML or table of its own) wherever the file is rendered.

/** Escapes what Markdown or HTML would read as syntax, so `text` renders as itself on one
 *  line: emphasis, code, links, tables and tags anywhere; a heading, quote or list at its start. */
function mdInline(text: string): string {
  const escaped = text
    .replace(/[\r\n]+/g, ' ')
    .replace(/[\\`*_[\]<>&|~]/g, (c) =>
      c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '&' ? '&amp;' : `\\${c}`,
    );
  return escaped.replace(/^(\s*)(?:([#+-])|(\d+)([.)]))/, (_m, sp, mark, digits, punct) =>
    mark !== undefined ? `${sp}\\${mark}` : `${sp}${digits}\\${punct}`,
  );
}

/** A block of narrator text: its paragraphs kept, every line escaped. */
function mdBlock(text: string): string {
  return text
    .split(/\r?\n/)
    .map((line) => mdInline(line.trimEnd()))
    .join('  \n')
    .replace(/( {2}\n){2,}/g, '\n\n');
}

const utc = (ms: number): string =>
  `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;

function hostExtraOf(extra: unknown): HostExtra | null {
  try {
    return parseHostExtra(extra);
  } catch {
    return null; // a game saved by the library, not by a GameHost: no scene or narrator
  }
}

/**
 * The transcript of an archived game. `rule` tells how the channel aggregates choices (for turns
 * older than the outcomes the game keeps).
 */
export function transcriptOf(archive: GameArchive, rule: Aggregation): string {
  const s = stateFromDict(archive.game);
  const x = hostExtraOf(archive.game.extra);
  const players = new Map<string, PlayerState>(s.players);
  const name = (id: string): string => players.get(id)?.userName ?? 'someone';
  const out: string[] = [`# ${mdInline(s.gameName || 'Untitled game')}`, ''];
  const narrator =
    x === null
      ? null
      : x.spec.kind === 'ink'
        ? `ink cartridge ${mdInline(x.spec.cartridge)}`
        : `LLM${x.spec.premise ? ` — premise: ${mdInline(x.spec.premise)}` : ''}`;
  out.push(
    `- Game: \`${s.gameId.replace(/`/g, "'")}\`, turn ${s.turnNumber}, ${s.active ? `playing in #${mdInline(s.channelId)}` : 'saved'}`,
  );
  if (narrator !== null) out.push(`- Narrator: ${narrator}`);
  const roster = [...players.values()].map(
    (p) => `${mdInline(p.userName)} (from turn ${p.joinedTurn})`,
  );
  out.push(`- Players: ${roster.length === 0 ? 'nobody yet' : roster.join(', ')}`);
  out.push(`- Started ${utc(s.createdAtMs)}; exported ${utc(archive.exported_at_ms)}`, '');
  // A scene set aside with the X-card is not told again (see story.ts, setAside).
  const outcomes = x?.outcomes ?? [];
  if (x?.opening && !setAside(outcomes, 0))
    out.push('## The opening', '', mdBlock(x.opening.text), '');
  if (archive.turns.length === 0) out.push('_No turns recorded yet._', '');
  let shown = x?.opening?.text ?? null; // the last scene text printed so far
  for (const d of archive.turns) {
    const record = TurnRecord.fromDict(d);
    const t = storyTurn(record, players, x?.outcomes ?? [], rule, x?.bootedBy ?? null);
    out.push(`## Turn ${t.turn} · ${utc(t.at)}`, '');
    for (const c of t.choices)
      out.push(`- **${mdInline(name(c.userId))}** chose “${mdInline(c.choice)}”`);
    if (t.choices.length > 0) out.push('');
    out.push(`> ${mdInline(t.reveal.text)}`, '');
    // The scene the turn led to (kept on records since scenes were); older ones: the summary.
    const aside = setAside(outcomes, record.turn);
    shown = aside ? null : (record.scene?.text ?? null);
    if (aside) out.push('_The scene shown here was set aside with the X-card._', '');
    else if (shown !== null) out.push(mdBlock(shown), '');
    else if (t.summary.length > 0) out.push(`_${mdInline(t.summary)}_`, '');
  }
  if (x !== null) {
    out.push(x.scene.ended ? '## The end' : '## Now', '');
    // The scene on screen, unless the last turn (or the opening) just told it.
    if (shown !== x.scene.text) out.push(mdBlock(x.scene.text), '');
    if (!x.scene.ended && x.scene.choices.length > 0)
      out.push(`Choices: ${x.scene.choices.map((c) => `“${mdInline(c)}”`).join(', ')}`, '');
  }
  if (s.windowDeadlineMs !== null) {
    const chosen = [...s.pendingChoices].map(
      ([id, c]) => `${mdInline(name(id))}: “${mdInline(c)}”`,
    );
    out.push(
      `_A countdown was open (closing ${utc(s.windowDeadlineMs)}); chosen so far: ${chosen.join(', ') || 'nothing'}._`,
      '',
    );
  }
  return `${out.join('\n').trimEnd()}\n`;
}

/** A download's file name from the game's name: letters, digits and dashes only. */
export function exportFileName(gameName: string, ext: 'md' | 'json'): string {
  const base = gameName
    .normalize('NFKD')
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .toLowerCase();
  return `${base || 'game'}.${ext}`;
}
