import { readArchive } from '../core/archive.js';
import type { Clock } from '../core/clock.js';
import type { GameSession } from '../core/game-session.js';
import { listAllGames } from '../core/games.js';
import { checkChannelId, checkUserId } from '../core/limits.js';
import type { GamePage, SessionStore } from '../core/store-port.js';
import type { TurnRecord } from '../core/turn-record.js';
import type { GameExport } from './adapter-host.js';
import type { ChannelRunner } from './channel-runner.js';
import { loadableGames } from './game-list.js';
import type { HostExtra } from './saved-state.js';
import { type Aggregation, type StoryTurn, storyTurn } from './story.js';
import {
  checkPageOptions,
  type Recap,
  recapFor,
  type StoryPage,
  storyPage,
} from './story-so-far.js';
import type { ChannelSettings, GameSummary } from './types.js';

export interface StoryReadsDeps {
  store: SessionStore;
  clock: Clock;
  settings(channelId: string): ChannelSettings;
  /** The channel's runner, up to date (GameHost's: refuses once the host is closed). */
  ready(channelId: string): Promise<ChannelRunner>;
  /** Throws WrongStateError once the host is closed. */
  checkOpen(): void;
}

/**
 * GameHost's reads of the stories: the games one may load, the channel game's turns, its
 * archive, pages of its story so far and a player's recap. Nothing here changes a game; the
 * documentation is on GameHost's methods of the same names.
 */
export class StoryReads {
  readonly #d: StoryReadsDeps;

  constructor(deps: StoryReadsDeps) {
    this.#d = deps;
  }

  async loadableGames(
    channelId: string,
    options?: { cursor?: string | null; limit?: number },
  ): Promise<GamePage> {
    checkChannelId(channelId);
    this.#d.checkOpen();
    return loadableGames(this.#d.store, channelId, options);
  }

  async listGames(options?: { max?: number }): Promise<GameSummary[]> {
    this.#d.checkOpen();
    return listAllGames(this.#d.store, options);
  }

  async history(channelId: string, count: number): Promise<TurnRecord[]> {
    const r = await this.#d.ready(channelId);
    const s = r.session;
    return s === null || !r.running ? [] : s.getTurnHistory(undefined, count);
  }

  async story(channelId: string, count: number): Promise<StoryTurn[]> {
    const r = await this.#d.ready(channelId);
    const s = r.session;
    const x = r.extra;
    if (s === null || x === null || !r.running) return [];
    const rule = this.#d.settings(r.channelId).aggregation;
    const records = await s.getTurnHistory(undefined, count);
    return records.map((t) => storyTurn(t, s.players, x.outcomes, rule, x.bootedBy));
  }

  async exportGame(channelId: string): Promise<GameExport | null> {
    const r = await this.#d.ready(channelId);
    const s = r.session;
    if (s === null || !r.running) return null;
    const archive = await readArchive(this.#d.store, s.gameId, this.#d.clock.now());
    return archive === null ? null : { archive, rule: this.#d.settings(r.channelId).aggregation };
  }

  async storyPage(
    channelId: string,
    options: { count?: number; before?: number },
  ): Promise<StoryPage | null> {
    const page = checkPageOptions(options);
    const game = await this.#game(channelId);
    return game === null ? null : storyPage(game, page);
  }

  async recap(channelId: string, userId: string): Promise<Recap | null> {
    checkUserId(userId);
    const game = await this.#game(channelId);
    return game === null ? null : recapFor(game, userId);
  }

  /** The channel's running game, for reading its story. */
  async #game(
    channelId: string,
  ): Promise<{ session: GameSession; extra: HostExtra; rule: Aggregation } | null> {
    const r = await this.#d.ready(channelId);
    const s = r.session;
    const x = r.extra;
    if (s === null || x === null || !r.running) return null;
    return { session: s, extra: x, rule: this.#d.settings(r.channelId).aggregation };
  }
}
