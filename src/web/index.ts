/** gamegirl/web — the web console server (HTTP + WebSocket) for a GameHost. */
export {
  createWebConsole,
  type WebConsole,
  type WebConsoleOptions,
  webTitleScreen,
} from './server.js';
