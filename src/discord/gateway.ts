import {
  AttachmentBuilder,
  type AutocompleteInteraction,
  Client,
  type ClientOptions,
  type CommandInteractionOption,
  Events,
  GatewayIntentBits,
  type Interaction,
  type InteractionEditReplyOptions,
  type InteractionReplyOptions,
  MessageFlags,
  PermissionFlagsBits,
  type RepliableInteraction,
} from 'discord.js';
import type { HostUser } from '../host/types.js';
import type { InteractionHandler, InteractionRequest, Responder } from './handler.js';
import { type Logger, silentLogger } from './messenger.js';
import { type MessageBody, type MessageFile, NO_MENTIONS } from './render.js';
import { hostUser } from './users.js';

function userOf(i: Interaction): HostUser | null {
  const member = i.member;
  const nick = member === null ? null : 'nickname' in member ? member.nickname : member.nick;
  const canManage = i.memberPermissions?.has(PermissionFlagsBits.ManageChannels) ?? false;
  return hostUser(i.user.id, [nick, i.user.globalName, i.user.username], canManage);
}

function optionsOf(
  data: readonly CommandInteractionOption[],
): Map<string, string | number | boolean> {
  const out = new Map<string, string | number | boolean>();
  const leaf = data.length === 1 && data[0]?.options !== undefined ? (data[0].options ?? []) : data;
  for (const o of leaf) {
    if (
      typeof o.value === 'string' ||
      typeof o.value === 'number' ||
      typeof o.value === 'boolean'
    ) {
      out.set(o.name, o.value);
    }
  }
  return out;
}

/** A transport-neutral request from a discord.js interaction. */
function requestOf(i: Interaction): InteractionRequest {
  const base = {
    id: i.id,
    channelId: i.channelId,
    guildId: i.guildId,
    user: userOf(i),
  };
  if (i.isChatInputCommand()) {
    return {
      ...base,
      kind: 'command',
      command: i.commandName,
      subcommand: i.options.getSubcommand(false),
      options: optionsOf(i.options.data),
    };
  }
  if (i.isAutocomplete()) {
    const focused = i.options.getFocused(true);
    return {
      ...base,
      kind: 'autocomplete',
      command: i.commandName,
      subcommand: i.options.getSubcommand(false),
      focused: { name: focused.name, value: String(focused.value) },
    };
  }
  if (i.isButton()) {
    return { ...base, kind: 'button', customId: i.customId, messageId: i.message?.id ?? null };
  }
  return { ...base, kind: 'other' };
}

function replyOptions(body: MessageBody, ephemeral: boolean): InteractionReplyOptions {
  return {
    content: body.content,
    embeds: body.embeds,
    components: body.components,
    allowedMentions: NO_MENTIONS,
    flags: ephemeral ? MessageFlags.Ephemeral : undefined,
  };
}

function editOptions(body: MessageBody, files: MessageFile[] = []): InteractionEditReplyOptions {
  return {
    content: body.content ?? null,
    embeds: body.embeds ?? [],
    components: body.components ?? [],
    allowedMentions: NO_MENTIONS,
    files: files.map((f) => new AttachmentBuilder(f.data, { name: f.name })),
  };
}

/** A Responder over discord.js' interaction methods (they call the interaction callback). */
function gatewayResponder(i: RepliableInteraction | AutocompleteInteraction): Responder {
  const repliable = (): RepliableInteraction => {
    if (i.isAutocomplete()) throw new Error('an autocomplete interaction can only suggest');
    return i;
  };
  return {
    async deferUpdate() {
      if (!i.isButton()) throw new Error('only a button press can be deferred as an update');
      await i.deferUpdate();
    },
    async deferReply(ephemeral) {
      await repliable().deferReply(ephemeral ? { flags: MessageFlags.Ephemeral } : {});
    },
    async reply(body, ephemeral) {
      await repliable().reply(replyOptions(body, ephemeral));
    },
    async autocomplete(choices) {
      if (!i.isAutocomplete()) throw new Error('not an autocomplete interaction');
      await i.respond(choices);
    },
    async editReply(body, files) {
      await repliable().editReply(editOptions(body, files));
    },
    async deleteReply() {
      await repliable().deleteReply();
    },
    async followUp(body, ephemeral) {
      await repliable().followUp(replyOptions(body, ephemeral));
    },
  };
}

export interface GatewayOptions {
  token: string;
  handler: InteractionHandler;
  /** Extra client options (tests point `rest.api` at a fake Discord). */
  clientOptions?: Partial<ClientOptions>;
  log?: Logger;
}

/** Routes a discord.js interaction to the handler (exported for tests and custom clients). */
function dispatch(handler: InteractionHandler, i: Interaction): Promise<void> {
  if (i.isAutocomplete() || i.isRepliable()) {
    return handler.handle(requestOf(i), gatewayResponder(i));
  }
  return Promise.resolve();
}

/**
 * Gateway mode: a discord.js Client (intent Guilds only: interactions need no privileged
 * intents) that hands every interaction to the handler. Resolves once the client is ready.
 */
export async function startGateway(options: GatewayOptions): Promise<Client<true>> {
  const log = options.log ?? silentLogger;
  const client = new Client({ ...options.clientOptions, intents: [GatewayIntentBits.Guilds] });
  client.on(Events.InteractionCreate, (i) => {
    void dispatch(options.handler, i).catch((error: unknown) =>
      log.error({ err: error }, 'interaction failed'),
    );
  });
  client.on(Events.Error, (error) => log.error({ err: error }, 'discord client error'));
  const ready = new Promise<Client<true>>((resolve) => client.once(Events.ClientReady, resolve));
  await client.login(options.token);
  return ready;
}
