import {
  type APIActionRowComponent,
  type APIAllowedMentions,
  type APIButtonComponentWithCustomId,
  type APIEmbed,
  ButtonStyle,
  ComponentType,
  escapeMarkdown,
} from 'discord.js';
import type { ChannelView, GameSummary, Reveal, StoryTurn } from '../host/types.js';
import { renderTitlePng } from '../title/title-screen.js';
import { type ButtonAction, encodeButtonId, gameTag, MAX_CHOICE_BUTTONS } from './custom-id.js';
import { cut, displayName, LIMITS, oneLine, splitText } from './text.js';

/** Never ping anyone: narrator and player text is untrusted. */
export const NO_MENTIONS: APIAllowedMentions = { parse: [] };

type ButtonRow = APIActionRowComponent<APIButtonComponentWithCustomId>;

/** A message body in Discord's API shape (channel messages, webhook edits, interaction data). */
export interface MessageBody {
  content?: string;
  embeds?: APIEmbed[];
  components?: ButtonRow[];
  allowed_mentions: APIAllowedMentions;
  flags?: number;
}

/** A file sent with a message (the title screen). */
export interface MessageFile {
  name: string;
  data: Buffer;
  contentType: string;
}

export interface SceneMessages {
  /** Earlier pieces of a long scene text, posted before the main message (never edited). */
  leading: MessageBody[];
  /** The message with the buttons; the one edited while the turn runs. */
  main: MessageBody;
}

/** Scene text per message; the rest of the embed (title, status field) stays under 6000. */
const SCENE_PIECE = 3800;
const COLORS = { live: 0x8bac0f, closed: 0x306230, failed: 0xc0392b, ended: 0x0f380f } as const;

const unix = (ms: number): number => Math.ceil(ms / 1000);

function statusText(view: ChannelView, closed: boolean): string {
  const w = view.window;
  const names = (w?.chosen ?? []).map((c) => displayName(c.userName));
  const chosen = names.length === 0 ? '' : `\nChosen (${names.length}): ${names.join(', ')}`;
  if (closed && view.status !== 'ended' && view.status !== 'idle') {
    return w === null ? 'This scene is over.' : `🔒 Choices closed.${tally(view)}`;
  }
  const last = `${view.reveal ? `\n🎲 Last turn: ${revealText(view.reveal)}` : ''}${table(view)}`;
  switch (view.status) {
    case 'playing':
      return `Press a choice: the first press starts the countdown.\n${rulesLine(view)}${last}`;
    case 'counting': {
      if (w === null) return 'Choices are being collected.';
      const t = unix(w.deadlineMs);
      const waiting =
        w.waitingFor.length === 0
          ? ''
          : `\nWaiting for: ${w.waitingFor.map((n) => displayName(n)).join(', ')}`;
      // e.g. the store cannot be reached and the window cannot close yet.
      const note = view.notice ? `\n⚠️ ${escapeMarkdown(oneLine(view.notice, 300, ''))}` : '';
      const early = view.rules?.closeWhenAllChosen ? ', or once everyone here has chosen' : '';
      return `⏳ Choices close <t:${t}:R> (at <t:${t}:T>, ${Math.ceil(w.secondsRemaining)} s left when this was drawn${early}).${note}${chosen}${waiting}${last}`;
    }
    case 'narrating': {
      // The same text as the sealed message, so the window's close is the message's last edit.
      const reveal = view.reveal ? `\n🎲 ${revealText(view.reveal)}` : '';
      return view.decision
        ? `🔒 Choices closed.${tally(view)}${reveal}\n👑 The host is choosing what happens next…`
        : `🔒 Choices closed.${tally(view)}${reveal}`;
    }
    case 'failed':
      return `⚠️ ${oneLine(view.error ?? 'The narrator failed.', 300, 'The narrator failed.')}\nNo choice was lost: press Retry.`;
    case 'ended':
      return '🏁 The story has ended. `/gamegirl boot` or `/gamegirl load` another game.';
    case 'idle':
      return `💾 ${oneLine(view.notice ?? 'The game was saved and exited.', 300, 'The game was saved and exited.')}`;
  }
}

/** How the channel's windows run: their length, and whether one closes once all chose. */
export function rulesLine(view: ChannelView): string {
  const r = view.rules;
  if (r === undefined) return '';
  const how = r.closeWhenAllChosen
    ? 'closes early once everyone here has chosen'
    : 'runs its full length';
  return `⏱️ ${r.countdownSeconds} s window · ${how}`;
}

/** `/gamegirl settings` without a change: the channel's settings and how to change them. */
export function renderSettings(view: ChannelView): MessageBody {
  const line = rulesLine(view);
  return notice(
    `${line === '' ? 'No game is running in this channel.' : line}\nChange the window with \`/gamegirl settings countdown:<seconds>\` (5-300; the game's booter or a channel manager).`,
  );
}

/** Who was active here recently: players, and who watches or plays from the next window. */
function table(view: ChannelView): string {
  const present = view.present ?? [];
  if (present.length === 0) return '';
  const names = present.slice(0, 20).map((p) => {
    const name = displayName(p.userName);
    return p.role === 'spectator'
      ? `${name} (watching)`
      : p.role === 'joining'
        ? `${name} (plays next window)`
        : name;
  });
  const more = present.length > 20 ? ` and ${present.length - 20} more` : '';
  return `\n👥 Here recently: ${names.join(', ')}${more}`;
}

/** The reveal's sentence for a message: one line, markdown escaped (names and choices are
 *  players' and the narrator's text). */
function revealText(r: Reveal): string {
  return escapeMarkdown(oneLine(r.text, 600, 'The window closed.'));
}

function tally(view: ChannelView): string {
  const chosen = view.window?.chosen ?? [];
  if (chosen.length === 0) return '';
  const byChoice = new Map<string, string[]>();
  for (const c of chosen) {
    const list = byChoice.get(c.choice) ?? [];
    list.push(displayName(c.userName));
    byChoice.set(c.choice, list);
  }
  const lines = [...byChoice].map(
    ([choice, who]) => `• ${oneLine(choice, 80, '?')} (${who.length}): ${who.join(', ')}`,
  );
  return `\n${lines.join('\n')}`;
}

/** `tag`: the gameTag of the view's game, computed once per render (it is a hash). */
function button(
  view: ChannelView,
  tag: string,
  action: ButtonAction,
  index: number,
  label: string,
  style: ButtonStyle.Primary | ButtonStyle.Secondary | ButtonStyle.Success | ButtonStyle.Danger,
  disabled: boolean,
): APIButtonComponentWithCustomId {
  return {
    type: ComponentType.Button,
    style,
    label: oneLine(label, LIMITS.buttonLabel, `Choice ${index + 1}`),
    custom_id: encodeButtonId({
      action,
      channelId: view.channelId,
      gameTag: tag,
      turn: view.turn,
      index,
    }),
    disabled,
  };
}

function rows(buttons: APIButtonComponentWithCustomId[]): ButtonRow[] {
  const out: ButtonRow[] = [];
  for (let i = 0; i < buttons.length && out.length < 5; i += 5) {
    out.push({ type: ComponentType.ActionRow, components: buttons.slice(i, i + 5) });
  }
  return out;
}

/** The buttons of a view: choices (live or disabled), decision options, or Retry. */
function sceneButtons(view: ChannelView, closed: boolean): ButtonRow[] {
  if (view.game === null || view.scene === null || view.status === 'idle') return [];
  const tag = gameTag(view.game.gameId);
  const live = !closed && (view.status === 'playing' || view.status === 'counting');
  const buttons: APIButtonComponentWithCustomId[] = [];
  if (!closed && view.status === 'narrating' && view.decision) {
    view.decision.options.slice(0, MAX_CHOICE_BUTTONS).forEach((option, i) => {
      buttons.push(button(view, tag, 'decide', i, option, ButtonStyle.Success, false));
    });
    return rows(buttons);
  }
  view.scene.choices.slice(0, MAX_CHOICE_BUTTONS).forEach((choice, i) => {
    buttons.push(button(view, tag, 'press', i, choice, ButtonStyle.Primary, !live));
  });
  if (!closed && view.status === 'failed') {
    buttons.push(button(view, tag, 'retry', 0, 'Retry', ButtonStyle.Danger, false));
  } else if (live) {
    buttons.push(button(view, tag, 'watch', 0, '👀 Watch / Play', ButtonStyle.Secondary, false));
  }
  // The X-card, while a scene is on screen (and there is room: 25 buttons at most).
  if (!closed && (live || view.status === 'ended') && buttons.length < 25)
    buttons.push(button(view, tag, 'xcard', 0, '✖ X-card', ButtonStyle.Secondary, false));
  return rows(buttons);
}

function sceneTitle(view: ChannelView): string {
  const game = view.game;
  return game
    ? cut(`${oneLine(game.gameName, 200, 'Untitled game')} · turn ${view.turn}`, LIMITS.embedTitle)
    : 'GameGirl Color';
}

/**
 * A scene while the narrator writes it: the streamed text so far (its end, when long) and no
 * buttons yet. Edited into the scene itself when it is ready.
 */
export function renderWriting(
  view: ChannelView,
  text: string,
  note = '✍️ The narrator is writing…',
): MessageBody {
  let shown = text.trim();
  if (shown.length > SCENE_PIECE) {
    let from = shown.length - (SCENE_PIECE - 1);
    const c = shown.charCodeAt(from);
    if (c >= 0xdc00 && c <= 0xdfff) from++; // never start inside a surrogate pair
    shown = `…${shown.slice(from)}`;
  }
  return {
    embeds: [
      {
        title: sceneTitle(view),
        description: shown === '' ? undefined : shown,
        color: COLORS.closed,
        fields: [{ name: '\u200b', value: note }],
      },
    ],
    components: [],
    allowed_mentions: NO_MENTIONS,
  };
}

/**
 * The messages of a scene. `closed` draws the final state of a message whose window is over
 * (every button disabled), used for the one edit made when the window closes.
 */
export function renderScene(view: ChannelView, closed = false): SceneMessages {
  const title = sceneTitle(view);
  const pieces = splitText(view.scene?.text ?? '', SCENE_PIECE);
  const last = pieces.pop() ?? '';
  const color =
    view.status === 'failed'
      ? COLORS.failed
      : view.status === 'ended' || view.status === 'idle'
        ? COLORS.ended
        : closed || view.status === 'narrating'
          ? COLORS.closed
          : COLORS.live;
  const leading = pieces.map(
    (text, i): MessageBody => ({
      embeds: [{ title: i === 0 ? title : undefined, description: text, color }],
      allowed_mentions: NO_MENTIONS,
    }),
  );
  const embed: APIEmbed = {
    title: leading.length === 0 ? title : undefined,
    description: last === '' ? undefined : last,
    color,
    fields: [{ name: '\u200b', value: cut(statusText(view, closed), LIMITS.embedFieldValue) }],
  };
  return {
    leading,
    main: {
      embeds: [embed],
      components: sceneButtons(view, closed),
      allowed_mentions: NO_MENTIONS,
    },
  };
}

const asFile = (data: Buffer): { image: string; file: MessageFile } => ({
  image: 'attachment://title.png',
  file: { name: 'title.png', data, contentType: 'image/png' },
});

/**
 * The title screen as an embed image: an http(s) URL as is, a PNG `data:` URL as a file, and
 * anything else (the default `gamegirl:title/<id>` URI, a web path) drawn from the game's name
 * as an attached PNG, which is never stored.
 */
function titleImage(url: string, gameName: string): { image: string; file?: MessageFile } | null {
  if (/^https?:\/\//i.test(url) && url.length <= 2048) return { image: url };
  const png = /^data:image\/png;base64,([A-Za-z0-9+/=]+)$/.exec(url);
  if (png?.[1] !== undefined) {
    const data = Buffer.from(png[1], 'base64');
    if (data.length > 0 && data.length <= 8 * 1024 * 1024) return asFile(data);
  }
  try {
    return asFile(renderTitlePng(gameName || 'Untitled game', { scale: 2 }));
  } catch {
    return null; // the native renderer is unavailable: the reply goes without an image
  }
}

/** The reply to boot/load: who did it, the game and its title screen. */
export function renderBooted(
  view: ChannelView,
  by: string,
  verb: 'booted' | 'loaded',
): { body: MessageBody; files: MessageFile[] } {
  const game = view.game;
  const name = game ? oneLine(game.gameName, 200, 'Untitled game') : 'a game';
  const embed: APIEmbed = {
    title: cut(`🎮 ${name}`, LIMITS.embedTitle),
    description: `${displayName(by)} ${verb} **${escapeBold(name)}**${game ? ` (game id \`${oneLine(game.gameId, 128, '?')}\`)` : ''}.`,
    color: COLORS.live,
  };
  const files: MessageFile[] = [];
  const image = game ? titleImage(game.titleScreenUrl, game.gameName) : null;
  if (image) {
    embed.image = { url: image.image };
    if (image.file) files.push(image.file);
  }
  return { body: { embeds: [embed], allowed_mentions: NO_MENTIONS }, files };
}

function escapeBold(s: string): string {
  return s.replace(/[*_`~|\\]/g, (c) => `\\${c}`);
}

/** `/gamegirl status`. */
export function renderStatus(view: ChannelView): MessageBody {
  if (view.game === null) {
    return {
      content: 'No game in this channel. Start one with `/gamegirl boot`.',
      allowed_mentions: NO_MENTIONS,
    };
  }
  const name = oneLine(view.game.gameName, 200, 'Untitled game');
  const lines = [
    `**${escapeBold(name)}** · game id \`${oneLine(view.game.gameId, 128, '?')}\` · turn ${view.turn} · ${view.status}`,
    statusText(view, false),
  ];
  return { content: cut(lines.join('\n'), LIMITS.content), allowed_mentions: NO_MENTIONS };
}

/** `/gamegirl history`: each turn with who chose what and how the window was settled. */
export function renderHistory(turns: readonly StoryTurn[]): MessageBody {
  if (turns.length === 0)
    return { content: 'No turns recorded yet.', allowed_mentions: NO_MENTIONS };
  const lines = turns.map((t) => {
    const summary = oneLine(t.summary, 300, '(no summary)');
    const who = t.choices
      .map((c) => `${displayName(c.userName)}: ${escapeMarkdown(oneLine(c.choice, 80, '?'))}`)
      .join(' · ');
    return `**Turn ${t.turn}** <t:${Math.floor(t.at / 1000)}:R> · ${t.choices.length} choice(s): ${escapeBold(summary)}\n↳ ${who}\n↳ ${revealText(t.reveal)}`;
  });
  return { content: cut(lines.join('\n'), LIMITS.content), allowed_mentions: NO_MENTIONS };
}

/** `/gamegirl games`. */
export function renderGames(games: readonly GameSummary[]): MessageBody {
  if (games.length === 0) return { content: 'No saved games yet.', allowed_mentions: NO_MENTIONS };
  const lines = games.map((g) => {
    const where = g.active
      ? ` · playing in <#${/^[0-9]+$/.test(g.channelId) ? g.channelId : '0'}>`
      : '';
    return `\`${oneLine(g.gameId, 128, '?')}\` **${escapeBold(oneLine(g.gameName, 100, 'Untitled'))}** · turn ${g.turnNumber}${where}`;
  });
  return {
    content: cut(
      `Saved games (load with \`/gamegirl load\`):\n${lines.join('\n')}`,
      LIMITS.content,
    ),
    allowed_mentions: NO_MENTIONS,
  };
}

/** A short text notice (ephemeral replies, errors). */
export function notice(text: string): MessageBody {
  return { content: cut(text, LIMITS.content), allowed_mentions: NO_MENTIONS };
}
