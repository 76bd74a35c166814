/** gamegirl/discord — GameGirl Color as a Discord bot (gateway or HTTP interactions). The
 *  `gamegirl discord` command (src/app/discord.ts) assembles these around a GameHost. */

export { registerCommands } from './commands.js';
export { type GatewayOptions, startGateway } from './gateway.js';
export { type DiscordHost, type HandlerOptions, InteractionHandler } from './handler.js';
export {
  createInteractionServer,
  type InteractionServerOptions,
  publicKeyFromHex,
  verifySignature,
} from './http.js';
export { type Logger, restMessenger } from './messenger.js';
export { Presenter, scenePostClaim } from './presenter.js';
