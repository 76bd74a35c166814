import { GameSessionError } from '../core/errors.js';

/** Why a `gamegirl cartridge` command could not do its work (not a finding about the story). */
export type KitFailure = 'NOT_FOUND' | 'BAD_REPLAY' | 'EXISTS' | 'BAD_NAME';

/** A cartridge command failed; `code` is `CARTRIDGE_<failure>`. */
export class KitError extends GameSessionError {
  readonly failure: KitFailure;
  constructor(failure: KitFailure, message: string, options?: { cause?: unknown }) {
    super(`CARTRIDGE_${failure}`, message, options);
    this.failure = failure;
  }
}
