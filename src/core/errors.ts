/**
 * Every error the package throws on purpose extends GameSessionError, so callers can
 * `catch (e) { if (e instanceof GameSessionError) ... }` and switch on the stable `code`.
 */
export class GameSessionError extends Error {
  /** A stable, machine-readable identifier (never changes between releases). */
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** A serialised dict or a stored row is malformed. `field` names the offending path. */
export class SessionDataError extends GameSessionError {
  readonly field: string;
  constructor(field: string, message: string, options?: { cause?: unknown }) {
    super('SESSION_DATA', `${field}: ${message}`, options);
    this.field = field;
  }
}

/** A caller-supplied value (id, name, choice, option) is out of bounds. Nothing was changed. */
export class InvalidInputError extends GameSessionError {
  readonly field: string;
  constructor(field: string, message: string) {
    super('INVALID_INPUT', `${field}: ${message}`);
    this.field = field;
  }
}

/** The session is not active (never booted, exited, or swapped out of its channel). */
export class SessionInactiveError extends GameSessionError {
  constructor(message = 'the game session is not active') {
    super('SESSION_INACTIVE', message);
  }
}

/** `waitForCountdown` was called before any countdown window was opened. */
export class CountdownNotStartedError extends GameSessionError {
  constructor(message = 'no countdown window has been opened yet') {
    super('COUNTDOWN_NOT_STARTED', message);
  }
}

/** The countdown window was cancelled (the game exited or was swapped out) before it closed. */
export class CountdownCancelledError extends GameSessionError {
  constructor(
    message = 'the countdown window was cancelled; pending choices were saved with the game',
  ) {
    super('COUNTDOWN_CANCELLED', message);
  }
}

/** A press named a turn that is no longer the current one (an old button). */
export class StaleTurnError extends GameSessionError {
  readonly currentTurn: number;
  readonly pressedTurn: number;
  constructor(pressedTurn: number, currentTurn: number) {
    super('STALE_TURN', `turn ${pressedTurn} is over; the game is on turn ${currentTurn}`);
    this.currentTurn = currentTurn;
    this.pressedTurn = pressedTurn;
  }
}

/** A press arrived after the window's deadline but before the window was resolved. */
export class WindowClosedError extends GameSessionError {
  readonly turn: number;
  constructor(turn: number) {
    super('WINDOW_CLOSED', `the countdown window of turn ${turn} has closed`);
    this.turn = turn;
  }
}

/** No saved game has the requested id. */
export class GameNotFoundError extends GameSessionError {
  readonly gameId: string;
  constructor(gameId: string) {
    super('GAME_NOT_FOUND', `no saved game has id ${JSON.stringify(gameId)}`);
    this.gameId = gameId;
  }
}

/** The store could not be reached or refused the operation. Nothing is reported as stored. */
export class StoreError extends GameSessionError {
  constructor(message: string, options?: { cause?: unknown }, code = 'STORE') {
    super(code, message, options);
  }
}

/**
 * The store did not answer in time, or the connection dropped while the call was in flight: the
 * operation may have been applied, or not (a stalled Redis runs it when it resumes). The caller
 * must re-read before it tells anyone what happened.
 */
export class StoreUncertainError extends StoreError {
  /** Settles once the call has landed or failed for good (a stalled Redis answered it, or the
   *  connection dropped): a read made after it sees what the call did. */
  readonly settled: Promise<void>;
  constructor(message: string, options?: { cause?: unknown; settled?: Promise<void> }) {
    super(message, options, 'STORE_UNCERTAIN');
    this.settled = options?.settled ?? Promise.resolve();
  }
}

/** A turn's commit was refused because its resolver no longer holds the turn's lease (another
 *  process took the turn over, or the lease expired): nothing was stored. */
export class FencedCommitError extends GameSessionError {
  constructor(message = 'the turn was taken over by another resolver; nothing was committed') {
    super('FENCED_COMMIT', message);
  }
}

/** `boot` was called on a session that is already running a game. */
export class SessionActiveError extends GameSessionError {
  constructor(message = 'a game is already running in this session; exit it or hot-swap first') {
    super('SESSION_ACTIVE', message);
  }
}

/** The store was closed on purpose; retrying cannot help. */
export class StoreClosedError extends StoreError {
  constructor(message = 'the store is closed') {
    super(message);
  }
}
