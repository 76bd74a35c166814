/** gamegirl/host — the game loop around a session, shared by the web console and the Discord bot. */

export type { AdapterHost } from './adapter-host.js';
export {
  GameEndedError,
  GameHost,
  NarratingError,
  PermissionError,
  RateLimitedError,
  WrongStateError,
} from './game-host.js';
export { LocalTurnDriver } from './local-driver.js';
export { SpectatingError } from './presence.js';
export type {
  ClosedTurn,
  TurnDriver,
  TurnLease,
  TurnLoop,
  TurnOutcome,
} from './turn-driver.js';
export type * from './types.js';
export { XCARD_MAX, XCARD_TURNS, XCardError } from './xcard.js';
