import {
  type APIActionRowComponent,
  type APIButtonComponentWithCustomId,
  type APIEmbed,
  ButtonStyle,
  ComponentType,
  escapeMarkdown,
} from 'discord.js';
import type { SceneText } from '../core/turn-record.js';
import type { AdapterHost } from '../host/adapter-host.js';
import type { Recap, StoryTurn } from '../host/types.js';
import { encodeButtonId, gameTag } from './custom-id.js';
import type { Logger } from './messenger.js';
import { type MessageBody, NO_MENTIONS } from './render.js';
import { cut, displayName, LIMITS, oneLine } from './text.js';

// `/gamegirl story` and "while you were away" in Discord: ephemeral messages (only the player
// who asked sees them). The story is read in pages of whole turns that fit one message (10
// embeds, 6000 characters), with ◀ Earlier / Later ▶ buttons that edit the same message.

/** Embeds of one page; Discord's limit is 10 per message. */
const PAGE_EMBEDS = 8;
/** Characters of one page's embeds (Discord: 6000 in all, with the titles). */
const PAGE_BUDGET = 5600;
/** A scene's text in one embed (Discord: 4096 per description). */
const SCENE_CUT = 3600;
const COLOR = 0x306230;

/** Where a page starts: ending before turn `at` (reading back), or starting at it (forward). */
export interface StoryCursor {
  at: number;
  dir: 'before' | 'from';
}

interface Entry {
  turn: number;
  embed: APIEmbed;
  size: number;
}

function sceneOf(text: string): string {
  const clean = text.trim();
  return clean === '' ? '' : cut(clean, SCENE_CUT);
}

/** One turn (or the opening, as turn 0) as an embed: who chose what, how it went, the scene. */
function entry(turn: number, scene: SceneText | null, t: StoryTurn | null): Entry {
  const lines: string[] = [];
  if (t !== null) {
    const who = t.choices
      .map((c) => `${displayName(c.userName)}: ${escapeMarkdown(oneLine(c.choice, 80, '?'))}`)
      .join(' · ');
    if (who !== '') lines.push(who);
    lines.push(`🎲 ${escapeMarkdown(oneLine(t.reveal.text, 600, 'The window closed.'))}`);
  }
  const text = scene !== null ? sceneOf(scene.text) : t !== null ? oneLine(t.summary, 600, '') : '';
  const description = cut([lines.join('\n'), text].filter(Boolean).join('\n\n'), SCENE_CUT + 900);
  const title = turn === 0 ? 'Opening' : `Turn ${turn}`;
  const embed: APIEmbed = { title, color: COLOR };
  if (description !== '') embed.description = description;
  return { turn, embed, size: title.length + description.length };
}

/** Whole entries, in order, that fit one page; from the newest back, or from the oldest on. */
function pack(entries: Entry[], fromNewest: boolean): Entry[] {
  const order = fromNewest ? [...entries].reverse() : entries;
  const out: Entry[] = [];
  let size = 0;
  for (const e of order) {
    if (out.length >= PAGE_EMBEDS || (out.length > 0 && size + e.size > PAGE_BUDGET)) break;
    out.push(e);
    size += e.size;
  }
  return fromNewest ? out.reverse() : out;
}

function navButton(
  channelId: string,
  tag: string,
  cursor: StoryCursor,
  label: string,
  disabled: boolean,
): APIButtonComponentWithCustomId {
  return {
    type: ComponentType.Button,
    style: ButtonStyle.Secondary,
    label,
    disabled,
    custom_id: encodeButtonId({
      action: 'story',
      channelId,
      gameTag: tag,
      turn: cursor.at,
      index: cursor.dir === 'before' ? 0 : 1,
    }),
  };
}

/**
 * A page of the story at `cursor` (default: the newest turns), as an ephemeral message body;
 * a notice when the channel has no game.
 */
export async function renderStoryPage(
  host: AdapterHost,
  channelId: string,
  cursor: StoryCursor | null,
): Promise<MessageBody> {
  const newest = await host.storyPage(channelId, { count: 1 });
  if (newest === null)
    return { content: 'No game in this channel.', allowed_mentions: NO_MENTIONS };
  const last = newest.turns[0]?.turn ?? 0;
  const ask =
    cursor === null
      ? { count: PAGE_EMBEDS }
      : cursor.dir === 'before'
        ? { count: PAGE_EMBEDS, before: cursor.at }
        : { count: PAGE_EMBEDS, before: cursor.at + PAGE_EMBEDS };
  const page = await host.storyPage(channelId, ask);
  if (page === null || page.gameId !== newest.gameId)
    return { content: 'No game in this channel.', allowed_mentions: NO_MENTIONS };
  // Reading on from a turn: nothing before it (the page may hold the newest turns).
  const from = cursor?.dir === 'from' ? cursor.at : 0;
  const entries: Entry[] = [];
  if (page.opening !== null && from === 0) entries.push(entry(0, page.opening, null));
  for (const t of page.turns) if (t.turn >= from) entries.push(entry(t.turn, t.scene, t));
  const shown = pack(entries, cursor?.dir !== 'from');
  const first = shown[0]?.turn ?? 0;
  const end = shown[shown.length - 1]?.turn ?? 0;
  // Earlier: kept turns before the first shown (the opening is turn 0).
  const earlier = first > 1 || (first === 1 && page.opening !== null) || page.earlier;
  const tag = gameTag(page.gameId);
  const name = oneLine(page.gameName, 100, 'Untitled game');
  const range = shown.length === 0 ? 'nothing played yet' : `turns ${first}–${end} of ${last}`;
  return {
    content: cut(
      `📖 **${escapeMarkdown(name)}** — the story so far (${range}; only you see this).`,
      LIMITS.content,
    ),
    embeds: shown.map((e) => e.embed),
    components: [
      {
        type: ComponentType.ActionRow,
        components: [
          navButton(channelId, tag, { at: first, dir: 'before' }, '◀ Earlier', !earlier),
          navButton(channelId, tag, { at: end + 1, dir: 'from' }, 'Later ▶', end >= last),
        ],
      } satisfies APIActionRowComponent<APIButtonComponentWithCustomId>,
    ],
    allowed_mentions: NO_MENTIONS,
  };
}

/** "While you were away" as an ephemeral message (the newest missed turns that fit). */
export function renderRecap(recap: Recap, userId: string): MessageBody {
  const n = recap.missedCount;
  const turns = `${n} turn${n === 1 ? '' : 's'}`;
  const name = escapeMarkdown(oneLine(recap.gameName, 100, 'Untitled game'));
  const mine = recap.last?.choices.find((c) => c.userId === userId);
  const lead =
    recap.last === null
      ? `📼 **Previously on ${name}**: ${turns} played so far.`
      : `📼 **While you were away** from ${name}: ${turns} went on without you${
          mine
            ? ` since you chose “${escapeMarkdown(oneLine(mine.choice, 80, '?'))}” (turn ${recap.last.turn})`
            : ''
        }.`;
  const shown = pack(
    recap.missed.map((t) => entry(t.turn, t.scene, t)),
    true,
  );
  const more =
    shown.length < n ? `\nThe last ${shown.length} below; \`/gamegirl story\` has them all.` : '';
  return {
    content: cut(`${lead}${more}`, LIMITS.content),
    embeds: shown.map((e) => e.embed),
    allowed_mentions: NO_MENTIONS,
  };
}

/** The notice for a player with nothing to catch up on. */
export function upToDate(): MessageBody {
  return {
    content: 'You are up to date: no turn was played without you since your last choice.',
    allowed_mentions: NO_MENTIONS,
  };
}

/** Recaps remembered as sent (per channel and player), so one absence is told once. */
const RECAPS_REMEMBERED = 10_000;

/**
 * "While you were away" sent by itself: a player back after turns played without them is told
 * what they missed, privately, with their first button press (Discord has no "joined the
 * channel" moment: a returning player's first act is a press on the newest scene). Each
 * absence is told once per process (bounded memory).
 */
export class ReturnRecaps {
  readonly #host: AdapterHost;
  readonly #log: Logger;
  /** channel + user → the game and newest missed turn of the last recap sent. */
  readonly #sent = new Map<string, string>();

  constructor(host: AdapterHost, log: Logger) {
    this.#host = host;
    this.#log = log;
  }

  /** The recap to send the user now, or null: not away, a newcomer, or already told. */
  async onReturn(channelId: string, userId: string): Promise<MessageBody | null> {
    try {
      const recap = await this.#host.recap(channelId, userId);
      // Only for a player coming back: a newcomer has the channel's messages above.
      if (recap === null || recap.last === null) return null;
      const key = `${channelId}\u0000${userId}`;
      const mark = `${recap.gameId}:${recap.missed[recap.missed.length - 1]?.turn ?? 0}`;
      if (this.#sent.get(key) === mark) return null;
      this.#sent.delete(key);
      this.#sent.set(key, mark);
      if (this.#sent.size > RECAPS_REMEMBERED) {
        const oldest = this.#sent.keys().next().value;
        if (oldest !== undefined) this.#sent.delete(oldest);
      }
      return renderRecap(recap, userId);
    } catch (e) {
      this.#log.warn({ err: e }, 'recap not available');
      return null;
    }
  }
}
