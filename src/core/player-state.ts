import { InvalidInputError } from './errors.js';
import { checkUserId, checkUserName } from './limits.js';
import { parseDict, playerDictSchema } from './schema.js';

/** The serialised form of a player (the seed's field names). */
export interface PlayerDict {
  user_id: string;
  user_name: string;
  joined_turn: number;
}

/** Per-player state within a game session. */
export class PlayerState {
  userId: string;
  userName: string;
  joinedTurn: number;

  constructor(userId: string, userName: string, joinedTurn = 0) {
    this.userId = checkUserId(userId);
    this.userName = checkUserName(userName);
    if (!Number.isSafeInteger(joinedTurn) || joinedTurn < 0) {
      throw new InvalidInputError('joinedTurn', 'must be a non-negative integer');
    }
    this.joinedTurn = joinedTurn;
  }

  toDict(): PlayerDict {
    return { user_id: this.userId, user_name: this.userName, joined_turn: this.joinedTurn };
  }

  /** Validates `d`; throws SessionDataError naming the bad field. */
  static fromDict(d: unknown): PlayerState {
    const p = parseDict(playerDictSchema, d, 'player');
    return new PlayerState(p.user_id, p.user_name, p.joined_turn);
  }
}
