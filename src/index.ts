/**
 * gamegirl — the GameGirl Color session state machine and its stores.
 * Heavy backends load lazily: better-sqlite3 when a SqliteStore is made.
 */
export { type Clock, ManualClock, systemClock, type TimerHandle } from './core/clock.js';
export {
  CountdownCancelledError,
  CountdownNotStartedError,
  FencedCommitError,
  GameNotFoundError,
  GameSessionError,
  InvalidInputError,
  SessionActiveError,
  SessionDataError,
  SessionInactiveError,
  StaleTurnError,
  StoreClosedError,
  StoreError,
  StoreUncertainError,
  WindowClosedError,
} from './core/errors.js';
export {
  GameSession,
  type GameSessionOptions,
  type RecordTurnOptions,
  type SubmitResult,
  type TitleScreen,
} from './core/game-session.js';
export { type HotSwapOptions, hotSwap, listAllGames, loadByGameId } from './core/games.js';
export {
  CHANNEL_ID_MAX_LENGTH,
  CHOICE_MAX_LENGTH,
  DEFAULT_COUNTDOWN_SECONDS,
  GAME_ID_MAX_LENGTH,
  GAME_NAME_MAX_LENGTH,
  MAX_COUNTDOWN_SECONDS,
  MIN_COUNTDOWN_SECONDS,
  NARRATIVE_SUMMARY_MAX_LENGTH,
  SCENE_CHOICES_MAX,
  SCENE_TEXT_MAX_LENGTH,
  USER_ID_MAX_LENGTH,
  USER_NAME_MAX_LENGTH,
} from './core/limits.js';
export { type PlayerDict, PlayerState } from './core/player-state.js';
export {
  defaultRegistry,
  getSession,
  removeSession,
  SessionRegistry,
  setSession,
} from './core/registry.js';
export type {
  ClosedWindow,
  CloseInput,
  CloseOutcome,
  JsonValue,
  PressInput,
  PressOutcome,
  SessionDict,
  SessionState,
} from './core/session-state.js';
export {
  type AppendTurnOptions,
  type AppendTurnOutcome,
  CHANNEL_SETTINGS_MAX_BYTES,
  type GamePage,
  type GamePatch,
  type GameSummary,
  type ListGamesOptions,
  type SessionStore,
  type StoredPressOutcome,
  windowCommitKey,
} from './core/store-port.js';
export {
  isTitleScreenUri,
  TITLE_URI_PREFIX,
  titleScreenUri,
} from './core/title-card.js';
export {
  type ChoicesInput,
  type SceneText,
  TurnRecord,
  type TurnRecordDict,
} from './core/turn-record.js';
export {
  RedisStore,
  type RedisStoreOptions,
  type RedisTarget,
  type WindowEvent,
} from './redis/store.js';
export { MemoryStore } from './store/memory-store.js';
export { SqliteStore } from './store/sqlite-store.js';
export {
  renderTitlePng,
  renderTitleSvg,
  type TitleScreenOptions,
  type TitleSource,
} from './title/title-screen.js';
