import type { APIApplicationCommandOptionChoice } from 'discord.js';
import { GameSessionError, InvalidInputError, StaleTurnError } from '../core/errors.js';
import type { AdapterHost } from '../host/adapter-host.js';
import { WrongStateError } from '../host/errors.js';
import { RECENT_TTL_MS } from '../host/presence.js';
import type { ChannelView, GameSpec, HostUser } from '../host/types.js';
import type { CartridgeInfo } from '../narrator/cartridges.js';
import { COMMAND_NAME } from './commands.js';
import { type ButtonId, decodeButtonId, gameTag } from './custom-id.js';
import { exportFile } from './export-file.js';
import { type Logger, silentLogger } from './messenger.js';
import type { Presenter } from './presenter.js';
import {
  type MessageBody,
  type MessageFile,
  notice,
  renderBooted,
  renderGames,
  renderHistory,
  renderSettings,
  renderStatus,
  rulesLine,
} from './render.js';
import { settle, settleValue, TIMEOUT, within } from './settle.js';
import { ReturnRecaps, renderRecap, renderStoryPage, type StoryCursor, upToDate } from './story.js';
import { displayName, LIMITS, oneLine } from './text.js';

/** The host calls the adapter makes: the adapter-facing host (GameHost implements it). */
export type DiscordHost = AdapterHost;

interface Base {
  id: string;
  channelId: string | null;
  guildId: string | null;
  /** Null when the payload named no usable user. */
  user: HostUser | null;
}

/** An interaction, transport-neutral (built from a discord.js Interaction or a raw payload). */
export type InteractionRequest =
  | (Base & {
      kind: 'command';
      command: string;
      subcommand: string | null;
      options: ReadonlyMap<string, string | number | boolean>;
    })
  | (Base & {
      kind: 'autocomplete';
      command: string;
      subcommand: string | null;
      focused: { name: string; value: string } | null;
    })
  | (Base & { kind: 'button'; customId: string; messageId: string | null })
  | (Base & { kind: 'other' });

/** How the handler answers one interaction; the first call is the acknowledgement. */
export interface Responder {
  /** Acknowledges a button press without changing its message (type 6). */
  deferUpdate(): Promise<void>;
  /** Acknowledges a command; the answer follows with editReply (type 5). */
  deferReply(ephemeral: boolean): Promise<void>;
  /** Answers at once (type 4). */
  reply(body: MessageBody, ephemeral: boolean): Promise<void>;
  /** Autocomplete suggestions (type 8). */
  autocomplete(choices: APIApplicationCommandOptionChoice<string>[]): Promise<void>;
  /** Edits the deferred reply. */
  editReply(body: MessageBody, files?: MessageFile[]): Promise<void>;
  /** Deletes the deferred reply (an error is then told privately with followUp). */
  deleteReply(): Promise<void>;
  /** An extra message after the acknowledgement. */
  followUp(body: MessageBody, ephemeral: boolean): Promise<void>;
}

export interface HandlerOptions {
  host: DiscordHost;
  presenter: Presenter;
  /** The cartridges `/gamegirl boot` offers. */
  cartridges: () => CartridgeInfo[];
  /** Offer the LLM narrator as game "llm". Default false. */
  llm?: boolean;
  /** How long a player who pressed or ran a command counts as at the table. Default 15 min. */
  presenceTtlMs?: number;
  /** Work that takes longer than this is acknowledged first (deferred). Default 1500 ms. */
  ackAfterMs?: number;
  log?: Logger;
  /** Told of every interaction once it was acknowledged: its kind and how long the
   *  acknowledgement took (the composition root counts these). */
  onAcknowledged?: (kind: InteractionRequest['kind'], ms: number) => void;
}

/** A player-facing sentence for a refusal; internal errors are logged, not shown. */
function describe(error: unknown, log: Logger): string {
  if (error instanceof GameSessionError) return `⚠️ ${cut(error.message)}`;
  log.error({ err: error }, 'interaction failed');
  return '⚠️ Something went wrong on our side; nothing was changed. Try again in a moment.';
}

const cut = (s: string): string => oneLine(s, 1800, 'refused');

const XCARD_DONE =
  '✖ Scene set aside: the narrator writes another in its place. Nobody is told who pressed the X-card.';

/**
 * The interaction logic shared by the gateway and HTTP transports. Every interaction is
 * acknowledged first (or answered at once when the answer is quick), then the work runs; the
 * channel's scene messages are drawn by the Presenter from the host's events.
 */
export class InteractionHandler {
  readonly #host: DiscordHost;
  readonly #presenter: Presenter;
  readonly #options: HandlerOptions;
  readonly #log: Logger;
  readonly #presenceTtlMs: number;
  readonly #tasks = new Set<Promise<void>>();
  readonly #recaps: ReturnRecaps;
  #offered: APIApplicationCommandOptionChoice<string>[] | null = null;

  constructor(options: HandlerOptions) {
    this.#host = options.host;
    this.#presenter = options.presenter;
    this.#options = options;
    this.#log = options.log ?? silentLogger;
    this.#recaps = new ReturnRecaps(this.#host, this.#log);
    this.#presenceTtlMs = options.presenceTtlMs ?? RECENT_TTL_MS;
  }

  /** Handles one interaction. Never rejects; resolves once the acknowledgement was sent. */
  handle(req: InteractionRequest, res: Responder): Promise<void> {
    let acked!: () => void;
    const began = performance.now();
    const ack = new Promise<void>((resolve) => {
      acked = resolve;
    }).then(() => this.#options.onAcknowledged?.(req.kind, performance.now() - began));
    const task = this.#run(req, res, acked)
      .catch((error: unknown) => this.#log.error({ err: error }, 'interaction handler failed'))
      .finally(() => {
        acked();
        this.#tasks.delete(task);
      });
    this.#tasks.add(task);
    return ack;
  }

  /** Resolves when every interaction's background work has finished (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.#tasks.size > 0) await Promise.all([...this.#tasks]);
  }

  async #run(req: InteractionRequest, res: Responder, acked: () => void): Promise<void> {
    const answer = async (text: string): Promise<void> => {
      await res.reply(notice(text), true);
      acked();
    };
    if (req.channelId === null || req.guildId === null) {
      return answer('GameGirl Color plays in server channels.');
    }
    if (req.user === null) return answer('Could not tell who you are; nothing was done.');
    const ctx = { channelId: req.channelId, user: req.user };
    // Anyone who interacts is "here recently" (the table, who a window waits for). A store or
    // bus outage must not stop the interaction itself.
    // Not the X-card: someone new at the table just as a scene is set aside would be named.
    const xcard = req.kind === 'button' && decodeButtonId(req.customId)?.action === 'xcard';
    if ((req.kind === 'button' && !xcard) || req.kind === 'command')
      await this.#host
        .here(ctx.channelId, ctx.user, { ttlMs: this.#presenceTtlMs })
        .catch((e: unknown) => this.#log.warn({ err: e }, 'presence not recorded'));
    switch (req.kind) {
      case 'button': {
        // A player back after turns played without them: told what they missed, privately,
        // once the press is answered (looked up alongside it; a press makes no turn record).
        const id = decodeButtonId(req.customId);
        const recap =
          id === null || id.action === 'story' || id.channelId !== ctx.channelId
            ? Promise.resolve(null)
            : this.#recaps.onReturn(ctx.channelId, ctx.user.id);
        await this.#button(ctx, req.customId, req.messageId, res, acked);
        const body = await recap;
        if (body !== null) await res.followUp(body, true);
        return;
      }
      case 'command':
        if (req.command !== COMMAND_NAME) return answer('Unknown command.');
        return this.#command(ctx, req.subcommand, req.options, res, acked);
      case 'autocomplete':
        await this.#autocomplete(req.command, req.focused, res);
        return acked();
      case 'other':
        return answer('GameGirl Color does not handle this kind of interaction.');
    }
  }

  async #button(
    ctx: { channelId: string; user: HostUser },
    customId: string,
    messageId: string | null,
    res: Responder,
    acked: () => void,
  ): Promise<void> {
    const id = decodeButtonId(customId);
    if (id === null) {
      await res.reply(notice('⚠️ This button is not one of GameGirl’s.'), true);
      return acked();
    }
    if (id.channelId !== ctx.channelId) {
      await res.reply(notice('⚠️ This button belongs to another channel.'), true);
      return acked();
    }
    if (id.action === 'story') return this.#storyButton(ctx, id, res, acked);
    // Retry runs the narrator: acknowledge first. Presses and decisions are quick store calls,
    // answered with a private notice when refused; a slow store is acknowledged first anyway.
    if (id.action === 'retry') {
      await res.deferUpdate();
      acked();
    }
    const work = this.#pressButton(ctx, id, messageId);
    const outcome =
      id.action === 'retry' ? await settle(work) : await within(settle(work), this.#ackAfter);
    if (outcome === TIMEOUT) {
      await res.deferUpdate();
      acked();
      const late = await settle(work);
      if (late !== null) await res.followUp(notice(describe(late, this.#log)), true);
      else if (id.action === 'xcard') await res.followUp(notice(XCARD_DONE), true);
      return;
    }
    if (id.action === 'retry') {
      if (outcome !== null) await res.followUp(notice(describe(outcome, this.#log)), true);
      return;
    }
    // The X-card is acknowledged privately: only the player who pressed it learns it went through.
    if (outcome === null && id.action === 'xcard') await res.reply(notice(XCARD_DONE), true);
    else if (outcome === null) await res.deferUpdate();
    else await res.reply(notice(describe(outcome, this.#log)), true);
    acked();
  }

  /** ◀ Earlier / Later ▶ on a story page: the same (ephemeral) message shows the next page. */
  async #storyButton(
    ctx: { channelId: string; user: HostUser },
    id: ButtonId,
    res: Responder,
    acked: () => void,
  ): Promise<void> {
    await res.deferUpdate();
    acked();
    const cursor: StoryCursor = { at: id.turn, dir: id.index === 0 ? 'before' : 'from' };
    const outcome = await settleValue(
      (async () => {
        const view = await this.#host.view(ctx.channelId);
        if (view.game === null || gameTag(view.game.gameId) !== id.gameTag)
          return notice('This story is of a game that is no longer in this channel.');
        return renderStoryPage(this.#host, ctx.channelId, cursor);
      })(),
    );
    await res.editReply(outcome.ok ? outcome.value : notice(describe(outcome.error, this.#log)));
  }

  get #ackAfter(): number {
    return this.#options.ackAfterMs ?? 1500;
  }

  async #pressButton(
    ctx: { channelId: string; user: HostUser },
    id: ButtonId,
    messageId: string | null,
  ): Promise<void> {
    this.#presenter.watch(ctx.channelId);
    const view = await this.#host.view(ctx.channelId);
    const stale = new StaleTurnError(id.turn, view.turn);
    // The button names its game by a short tag (custom_id space is scarce); the host checks
    // the game id and turn again where the press is applied.
    if (view.game === null || gameTag(view.game.gameId) !== id.gameTag) throw stale;
    const gameId = view.game.gameId;
    // A turn mismatch is left to the host, which knows why (an old button, or a window that
    // closed and is being narrated).
    if (view.turn === id.turn) this.#presenter.adopt(view, messageId);
    let result: ChannelView;
    switch (id.action) {
      case 'press': {
        const choice = view.scene?.choices[id.index];
        if (choice === undefined)
          throw new InvalidInputError('choice', 'not a choice of this scene');
        result = (await this.#host.press(ctx.channelId, ctx.user, id.turn, choice, { gameId }))
          .view;
        break;
      }
      case 'decide': {
        const option = view.decision?.options[id.index];
        if (option === undefined)
          throw view.decision
            ? stale
            : new WrongStateError('this decision was already made (or is no longer needed)');
        result = await this.#host.decide(ctx.channelId, ctx.user, option, {
          gameId,
          turn: id.turn,
        });
        break;
      }
      case 'retry':
        result = await this.#host.retry(ctx.channelId, ctx.user);
        break;
      case 'xcard':
        result = await this.#host.xcard(ctx.channelId, ctx.user, id.turn, { gameId });
        break;
      case 'watch': {
        // One press to watch; one more to play again, from the next window.
        const mine = view.present?.find((p) => p.userId === ctx.user.id)?.role ?? 'player';
        const role = mine === 'player' ? 'spectator' : 'player';
        result = await this.#host.here(ctx.channelId, ctx.user, {
          role,
          ttlMs: this.#presenceTtlMs,
        });
        break;
      }
      case 'story':
        return; // answered by #storyButton before this
    }
    this.#presenter.show(result);
  }

  async #command(
    ctx: { channelId: string; user: HostUser },
    sub: string | null,
    options: ReadonlyMap<string, string | number | boolean>,
    res: Responder,
    acked: () => void,
  ): Promise<void> {
    const { channelId, user } = ctx;
    const refuse = async (text: string): Promise<void> => {
      await res.reply(notice(text), true);
      acked();
    };
    // Work that may take long (the narrator) runs after a deferred, public reply; a refusal
    // then replaces it with a private notice.
    const publicly = async (work: () => Promise<{ body: MessageBody; files?: MessageFile[] }>) => {
      await res.deferReply(false);
      acked();
      const outcome = await settleValue(work());
      if (outcome.ok) return res.editReply(outcome.value.body, outcome.value.files);
      await res
        .deleteReply()
        .catch((e: unknown) => this.#log.warn({ err: e }, 'deleting a reply failed'));
      await res.followUp(notice(describe(outcome.error, this.#log)), true);
    };
    const privately = async (work: () => Promise<MessageBody>) => {
      await res.deferReply(true);
      acked();
      const outcome = await settleValue(work());
      await res.editReply(outcome.ok ? outcome.value : notice(describe(outcome.error, this.#log)));
    };
    switch (sub) {
      case 'boot': {
        const spec = this.#spec(options.get('game'), options.get('premise'));
        if (typeof spec === 'string') return refuse(spec);
        this.#presenter.watch(channelId);
        return publicly(async () =>
          renderBooted(await this.#host.boot(channelId, user, spec), user.name, 'booted'),
        );
      }
      case 'load': {
        const gameId = options.get('id');
        if (typeof gameId !== 'string' || gameId.length > 128)
          return refuse('⚠️ Name a saved game id.');
        this.#presenter.watch(channelId);
        return publicly(async () =>
          renderBooted(await this.#host.load(channelId, user, gameId), user.name, 'loaded'),
        );
      }
      case 'exit':
        this.#presenter.watch(channelId);
        return publicly(async () => {
          const view = await this.#host.exit(channelId, user);
          return {
            body: notice(
              `💾 ${oneLine(view.notice ?? 'The game was saved and exited.', 1800, 'Saved.')}`,
            ),
          };
        });
      case 'games':
        return privately(async () => renderGames(await this.#host.listGames({ max: 20 })));
      case 'history': {
        const count = options.get('count');
        const n =
          typeof count === 'number' && Number.isInteger(count) && count >= 1 && count <= 25
            ? count
            : 10;
        return privately(async () => renderHistory(await this.#host.story(channelId, n)));
      }
      case 'export': {
        // The file goes to the one who asked (ephemeral), as an attachment.
        await res.deferReply(true);
        acked();
        const outcome = await settleValue(
          this.#host
            .exportGame(channelId)
            .then((found) => exportFile(found, options.get('format'))),
        );
        if (!outcome.ok) return res.editReply(notice(describe(outcome.error, this.#log)));
        const { body, file } = outcome.value;
        return res.editReply(body, file === null ? undefined : [file]);
      }
      case 'settings': {
        const countdown = options.get('countdown');
        if (countdown === undefined)
          return privately(async () => renderSettings(await this.#host.view(channelId)));
        if (typeof countdown !== 'number') return refuse('⚠️ The countdown is a number of seconds.');
        return publicly(async () => {
          const view = await this.#host.setCountdown(channelId, user, countdown);
          return {
            body: notice(
              `⏱️ ${displayName(user.name)} set this channel's window to ${countdown} s (from the next window).\n${rulesLine(view)}`,
            ),
          };
        });
      }
      case 'status':
        return privately(async () => renderStatus(await this.#host.view(channelId)));
      case 'story': {
        const from = options.get('turn');
        const cursor: StoryCursor | null =
          typeof from === 'number' && Number.isSafeInteger(from) && from >= 0
            ? { at: from, dir: 'from' }
            : null;
        return privately(() => renderStoryPage(this.#host, channelId, cursor));
      }
      case 'recap':
        return privately(async () => {
          const recap = await this.#host.recap(channelId, user.id);
          return recap === null ? upToDate() : renderRecap(recap, user.id);
        });
      default:
        return refuse('Unknown command.');
    }
  }

  /**
   * The spec named by the options. Games this bot does not offer are refused at once, privately
   * (the host would refuse them too, but only after the public "thinking…" reply).
   */
  #spec(game: unknown, premise: unknown): GameSpec | string {
    if (typeof game !== 'string' || game.length === 0 || game.length > 64) {
      return '⚠️ Name a game to boot.';
    }
    if (!this.#gameChoices.some((c) => c.value === game)) {
      return game === 'llm'
        ? '⚠️ The LLM narrator is not configured on this bot.'
        : `⚠️ No cartridge is called ${JSON.stringify(oneLine(game, 64, '?'))}.`;
    }
    if (game !== 'llm') return { kind: 'ink', cartridge: game };
    if (premise === undefined) return { kind: 'llm' };
    if (typeof premise !== 'string' || premise.length > 500) return '⚠️ The premise is too long.';
    return { kind: 'llm', premise };
  }

  /** What `/gamegirl boot game:` offers, listed once (autocomplete asks on every keystroke). */
  get #gameChoices(): APIApplicationCommandOptionChoice<string>[] {
    if (this.#offered === null) {
      const all = this.#options
        .cartridges()
        .map((c) => ({ name: `${c.title} (${c.id})`, value: c.id }));
      if (this.#options.llm) all.push({ name: 'LLM narrator (llm)', value: 'llm' });
      this.#offered = all;
    }
    return this.#offered;
  }

  async #autocomplete(
    command: string,
    focused: { name: string; value: string } | null,
    res: Responder,
  ): Promise<void> {
    const typed = (focused?.value ?? '').toLowerCase();
    let choices: APIApplicationCommandOptionChoice<string>[] = [];
    if (command === COMMAND_NAME && focused?.name === 'game') {
      choices = this.#gameChoices.filter((c) => c.name.toLowerCase().includes(typed));
    } else if (command === COMMAND_NAME && focused?.name === 'id') {
      const games = await within(this.#host.listGames({ max: 100 }), this.#ackAfter).catch(
        (): typeof TIMEOUT => TIMEOUT,
      );
      if (games !== TIMEOUT) {
        choices = games
          .filter((g) => g.gameId.length <= LIMITS.autocompleteValue)
          .map((g) => ({
            name: `${g.gameName || 'Untitled'} · turn ${g.turnNumber} · ${g.gameId}`,
            value: g.gameId,
          }))
          .filter((c) => c.name.toLowerCase().includes(typed));
      }
    }
    await res.autocomplete(
      choices
        .slice(0, 25)
        .map((c) => ({ name: oneLine(c.name, LIMITS.autocompleteName, c.value), value: c.value })),
    );
  }
}
