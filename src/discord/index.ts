/** gamegirl/discord — GameGirl Color as a Discord bot (gateway or HTTP interactions). */

export { type GatewayOptions, startGateway } from './gateway.js';
export { type InteractionServerOptions, publicKeyFromHex, verifySignature } from './http.js';
export { DISCORD_HELP, type RunDiscordOptions, runDiscord } from './main.js';
