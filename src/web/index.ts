/** gamegirl/web — the web console server (HTTP + WebSocket) for a GameHost. */

export { ChannelFullError } from './channel-feed.js';
export { JoinCodeError } from './connection.js';
export {
  createWebConsole,
  type WebConsole,
  type WebConsoleOptions,
  webTitleScreen,
} from './server.js';
export { loadSessionSecret } from './session-secret.js';
export type { WireTurn, WireView } from './wire-view.js';
