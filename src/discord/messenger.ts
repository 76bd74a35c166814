import { type APIMessage, type REST, Routes } from 'discord.js';
import { type Logger as PinoLogger, pino } from 'pino';
import type { MessageBody } from './render.js';

/** Posting and editing channel messages (the bot's own, so they outlive interaction tokens). */
export interface ChannelMessenger {
  post(channelId: string, body: MessageBody): Promise<string>;
  edit(channelId: string, messageId: string, body: MessageBody): Promise<void>;
}

/** A messenger over discord.js' REST client (rate limits and 429 retries are handled there). */
export function restMessenger(rest: REST): ChannelMessenger {
  return {
    async post(channelId, body) {
      const message = (await rest.post(Routes.channelMessages(channelId), { body })) as APIMessage;
      return message.id;
    },
    async edit(channelId, messageId, body) {
      await rest.patch(Routes.channelMessage(channelId, messageId), { body });
    },
  };
}

/** The adapters log through pino (the composition root passes its logger, or a child of it). */
export type Logger = Pick<PinoLogger, 'warn' | 'error'>;

/** The logger when none is given: drops everything. */
export const silentLogger: Logger = pino({ level: 'silent' });
