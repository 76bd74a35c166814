import {
  GameNotFoundError,
  InvalidInputError,
  SessionDataError,
  WindowClosedError,
} from '../core/errors.js';
import {
  checkAppendKey,
  checkChannelId,
  checkGameId,
  checkHistoryCap,
  checkPageLimit,
  checkTurnCount,
} from '../core/limits.js';
import {
  type CloseInput,
  type CloseOutcome,
  type JsonValue,
  type PressInput,
  type SessionDict,
  stateFromDict,
} from '../core/session-state.js';
import type {
  AppendTurnOptions,
  AppendTurnOutcome,
  GamePage,
  GamePatch,
  ListGamesOptions,
  SessionStore,
  StoredPressOutcome,
} from '../core/store-port.js';
import { decodeChannelSettings, encodeChannelSettings } from '../core/store-port.js';
import { TurnRecord, type TurnRecordDict } from '../core/turn-record.js';
import { compareIndex, decodeCursor, encodeCursor, isAfter } from '../store/cursor.js';
import {
  BUCKETS,
  bucketOf,
  encodePatch,
  fieldsToDict,
  flatToRecord,
  historyRecord,
  Keys,
  mapScriptError,
  parseWindow,
  pressOutcome,
  stateToFields,
  summaryRows,
} from './codec.js';
import { type RedisConnOptions, type RedisTarget, ScriptConn } from './conn.js';
import type { ScriptName } from './scripts.js';

export type { RedisTarget } from './conn.js';

export interface RedisStoreOptions extends RedisConnOptions {
  /** Key prefix (namespace). Default 'gg'. */
  prefix?: string;
  /**
   * Whose clock times windows: 'redis' (default) takes every press/close time from Redis
   * `TIME`, so processes with skewed clocks agree on one deadline; 'caller' uses the `nowMs`
   * the caller passes, exactly like MemoryStore/SqliteStore (tests with a ManualClock).
   */
  time?: 'redis' | 'caller';
  /** Turns kept per game (oldest dropped first). Default 1000. */
  historyCap?: number;
  /**
   * Return the window's pending choices with every press (default false). Off, a press costs
   * Redis about a third less; sessions then know the presses made through them, and
   * `GameSession.loadFromStore` (what a distributed GameHost does on every change) reads all.
   */
  returnPending?: boolean;
}

/** Emitted in this process after a press through this store opened or hit a window. */
export type WindowEvent =
  | {
      type: 'opened';
      channelId: string;
      gameId: string;
      turn: number;
      deadlineMs: number;
      nowMs: number;
    }
  | { type: 'due'; channelId: string; gameId: string; turn: number };

/**
 * The shared store: Redis (single node or Cluster) is the truth for every process. A press is
 * one EVALSHA; see docs/decisions.md ("Redis") for the key layout and the binding protocol.
 */
export class RedisStore implements SessionStore {
  readonly #conn: ScriptConn;
  readonly #keys: Keys;
  readonly #callerTime: boolean;
  readonly #returnPending: boolean;
  readonly #cap: number;
  readonly #listeners = new Set<(e: WindowEvent) => void>();

  private constructor(conn: ScriptConn, options: RedisStoreOptions) {
    this.#conn = conn;
    this.#keys = new Keys(options.prefix ?? 'gg');
    this.#callerTime = options.time === 'caller';
    this.#returnPending = options.returnPending === true;
    this.#cap = checkHistoryCap(options.historyCap);
  }

  /** Connects (node-redis is loaded only now). Rejects with StoreError if Redis is unreachable. */
  static async connect(target: RedisTarget, options: RedisStoreOptions = {}): Promise<RedisStore> {
    checkHistoryCap(options.historyCap);
    if (options.prefix !== undefined && !/^[A-Za-z0-9_.-]{1,32}$/.test(options.prefix))
      throw new InvalidInputError('prefix', 'must be 1-32 letters, digits, _ . or -');
    return new RedisStore(await ScriptConn.open(target, options), options);
  }

  /** Commands sent so far by this store (for benchmarks: one per press). */
  get commandsSent(): number {
    return this.#conn.commands;
  }

  /**
   * True for exactly one caller per `name` until `ttlMs` passes, across every process on this
   * Redis (SET NX PX): for work that must happen once per deployment, such as posting a scene's
   * Discord message when several workers follow the channel.
   */
  async claimOnce(name: string, ttlMs: number): Promise<boolean> {
    if (typeof name !== 'string' || name.length === 0 || name.length > 512)
      throw new InvalidInputError('name', 'must be 1-512 characters');
    if (!Number.isSafeInteger(ttlMs) || ttlMs < 1)
      throw new InvalidInputError('ttlMs', 'must be a positive integer');
    const key = `${this.#keys.bucket(bucketOf(name))}once:${name}`;
    return Number(await this.#run('once', [key], [String(ttlMs)])) === 1;
  }

  /** Subscribes to window events of presses made through this store; returns an unsubscribe. */
  onWindowEvent(listener: (e: WindowEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** @internal The scheduler's access to scripts and key layout. */
  get internals() {
    return {
      keys: this.#keys,
      buckets: BUCKETS,
      historyCap: this.#cap,
      run: (name: ScriptName, keys: string[], args: string[], gameId?: string) =>
        this.#run(name, keys, args, gameId),
    };
  }

  #run(name: ScriptName, keys: string[], args: string[], gameId?: string): Promise<unknown> {
    return this.#conn.run(name, keys, args, (m) =>
      mapScriptError(m, gameId === undefined ? {} : { gameId }),
    );
  }

  #emit(e: WindowEvent): void {
    for (const l of this.#listeners) {
      try {
        l(e);
      } catch {
        // a listener's failure is its own business
      }
    }
  }

  #gameKeys(
    gameId: string,
    which: Array<
      'game' | 'hist' | 'hkeys' | 'ur' | 'lease' | 'idx' | 'open' | 'unres' | 'aside' | 'asideHist'
    >,
  ) {
    const k = this.#keys.game(gameId);
    return which.map((w) => k[w]);
  }

  async #load(gameId: string): Promise<Record<string, string> | null> {
    const flat = await this.#run('load', this.#gameKeys(gameId, ['game']), [], gameId);
    const h = flatToRecord(flat);
    return h.id === undefined ? null : h;
  }

  // ---- channel binding (see the protocol in docs/decisions.md) -------------------------------

  /** Points the channel at `gameId` ('' = nothing) and exits every other claimant. */
  async #claimChannel(channelId: string, gameId: string, nowMs: number): Promise<string> {
    const ck = this.#keys.channel(channelId);
    const r = (await this.#run('claimChannel', [ck.chan, ck.claimants], [gameId])) as string[];
    const [fence, ...others] = r;
    const released = [...new Set(others)].filter((id) => id !== '' && id !== gameId);
    for (const id of released) {
      await this.#run('release', this.#gameKeys(id, ['game', 'idx', 'open']), [
        channelId,
        String(fence),
        String(nowMs),
      ]);
    }
    if (released.length > 0) await this.#forget(channelId, released);
    return String(fence);
  }

  async #forget(channelId: string, gameIds: string[]): Promise<void> {
    const ck = this.#keys.channel(channelId);
    await this.#run('forget', [ck.chan, ck.claimants], gameIds);
  }

  async #bind(
    mode: 'boot' | 'swap',
    channelId: string,
    gameId: string,
    nowMs: number,
    fields: string[],
  ) {
    const fence = await this.#claimChannel(channelId, gameId, nowMs);
    const r = (await this.#run(
      'bind',
      this.#gameKeys(gameId, ['game', 'idx', 'open']),
      [mode, channelId, fence, String(nowMs), ...fields],
      gameId,
    )) as string[];
    const [prevChannel, prevBound, ...flat] = r;
    if (prevBound === '1' && prevChannel && prevChannel !== channelId)
      await this.#forget(prevChannel, [gameId]);
    return flatToRecord(flat);
  }

  async bootGame(game: SessionDict): Promise<void> {
    const s = stateFromDict(game); // validates once
    await this.#bind('boot', s.channelId, s.gameId, s.updatedAtMs, stateToFields(s));
  }

  async swapIn(channelId: string, gameId: string, nowMs: number): Promise<SessionDict> {
    checkChannelId(channelId);
    checkGameId(gameId);
    if ((await this.#load(gameId)) === null) throw new GameNotFoundError(gameId);
    return fieldsToDict(await this.#bind('swap', channelId, gameId, nowMs, []));
  }

  async loadChannel(channelId: string): Promise<SessionDict | null> {
    checkChannelId(channelId);
    const ck = this.#keys.channel(channelId);
    const id = await this.#run('loadChannel', [ck.chan], []);
    if (typeof id !== 'string' || id === '') return null;
    const h = await this.#load(id);
    // The pointer is a hint; the game's own `bd`/`ch` fields say whether it is still bound.
    if (h === null || h.ch !== channelId || h.bd !== '1') return null;
    return fieldsToDict(h);
  }

  async loadGame(gameId: string): Promise<SessionDict | null> {
    checkGameId(gameId);
    const h = await this.#load(gameId);
    return h === null ? null : fieldsToDict(h);
  }

  async unbindChannel(channelId: string): Promise<void> {
    checkChannelId(channelId);
    await this.#claimChannel(channelId, '', Date.now());
  }

  async channelSettings(channelId: string): Promise<Record<string, JsonValue>> {
    checkChannelId(channelId);
    const json = await this.#run('chget', [this.#keys.channel(channelId).settings], []);
    return decodeChannelSettings(typeof json === 'string' ? json : null);
  }

  async setChannelSettings(channelId: string, settings: Record<string, JsonValue>): Promise<void> {
    checkChannelId(channelId);
    const json = encodeChannelSettings(settings);
    await this.#run('chset', [this.#keys.channel(channelId).settings], [json]);
  }

  async deleteGame(gameId: string): Promise<void> {
    checkGameId(gameId);
    const k = this.#gameKeys(gameId, [
      'game',
      'hist',
      'ur',
      'lease',
      'idx',
      'open',
      'unres',
      'hkeys',
    ]);
    const [ch, bound] = (await this.#run('delete', k, [gameId], gameId)) as string[];
    if (bound === '1' && ch) await this.#forget(ch, [gameId]);
  }

  async setAsideUnreadable(channelId: string, nowMs: number): Promise<string | null> {
    checkChannelId(channelId);
    const ck = this.#keys.channel(channelId);
    const id = await this.#run('loadChannel', [ck.chan], []);
    if (typeof id !== 'string' || id === '') return null;
    const h = await this.#load(id);
    if (h === null || h.ch !== channelId || h.bd !== '1') return null;
    let reason: string;
    try {
      fieldsToDict(h);
      return null;
    } catch (e) {
      if (!(e instanceof SessionDataError)) throw e;
      reason = e.message;
    }
    const k = this.#gameKeys(id, [
      'game',
      'hist',
      'hkeys',
      'ur',
      'lease',
      'idx',
      'open',
      'unres',
      'aside',
      'asideHist',
    ]);
    await this.#run('setAside', k, [id, String(nowMs), reason], id);
    await this.#forget(channelId, [id]);
    return id;
  }

  async listGames(options: ListGamesOptions = {}): Promise<GamePage> {
    const limit = checkPageLimit(options.limit);
    const after = options.cursor ? decodeCursor(options.cursor) : null;
    const score = after === null ? '' : String(after.updatedAt);
    const slices = await Promise.all(
      Array.from({ length: BUCKETS }, (_, b) => {
        const p = this.#keys.bucket(b);
        return this.#run('list', [`${p}idx`], [p, String(limit + 1), score]) as Promise<string[]>;
      }),
    );
    let rows = slices.flatMap(summaryRows);
    if (after !== null) rows = rows.filter((g) => isAfter(g, after));
    rows.sort(compareIndex);
    const games = rows.slice(0, limit);
    const last = games[games.length - 1];
    return { games, nextCursor: rows.length > limit && last ? encodeCursor(last) : null };
  }

  async press(channelId: string, input: PressInput): Promise<StoredPressOutcome> {
    const k = this.#keys.game(input.gameId);
    const keys = [k.game, k.idx, k.open];
    const now = this.#callerTime ? String(input.nowMs) : '';
    const turn = input.turn === undefined ? '' : String(input.turn);
    let r: string[];
    try {
      r = (await this.#run(
        'press',
        keys,
        [
          channelId,
          input.userId,
          input.userName,
          input.choice,
          turn,
          now,
          this.#returnPending ? '1' : '0',
        ],
        input.gameId,
      )) as string[];
    } catch (e) {
      if (e instanceof WindowClosedError)
        this.#emit({ type: 'due', channelId, gameId: input.gameId, turn: e.turn });
      throw e;
    }
    const { outcome: out, nowMs } = pressOutcome(r, this.#returnPending, input.gameId);
    if (out.isFirstChoice && this.#listeners.size > 0) {
      this.#emit({
        type: 'opened',
        channelId,
        gameId: input.gameId,
        turn: out.turnNumber,
        deadlineMs: out.deadlineMs,
        nowMs,
      });
    }
    return out;
  }

  async closeWindow(channelId: string, input: CloseInput): Promise<CloseOutcome> {
    const keys = this.#gameKeys(input.gameId, ['game', 'idx', 'open', 'ur', 'unres']);
    const now = this.#callerTime ? String(input.nowMs) : '';
    const r = (await this.#run(
      'close',
      keys,
      [channelId, String(input.turn), now, input.setAside ? '2' : input.early ? '1' : '0'],
      input.gameId,
    )) as string[];
    if (r[0] === 'open') return { status: 'open', turn: input.turn, msRemaining: Number(r[1]) };
    return { status: 'closed', turn: input.turn, choices: parseWindow(String(r[1])).choices };
  }

  async exitGame(
    channelId: string,
    gameId: string,
    nowMs: number,
    patch: GamePatch = {},
  ): Promise<SessionDict> {
    const p = encodePatch(patch);
    const keys = this.#gameKeys(gameId, ['game', 'idx', 'open']);
    const flat = await this.#runPatched(
      'exit',
      keys,
      [channelId, String(nowMs), ...p.args],
      gameId,
      p.error,
    );
    await this.#forget(channelId, [gameId]);
    return fieldsToDict(flatToRecord(flat));
  }

  async updateGame(gameId: string, patch: GamePatch, nowMs: number): Promise<void> {
    const p = encodePatch(patch);
    const keys = this.#gameKeys(gameId, ['game', 'idx']);
    await this.#runPatched('patch', keys, [String(nowMs), ...p.args], gameId, p.error);
  }

  async appendTurn(
    gameId: string,
    record: TurnRecordDict,
    patch?: GamePatch,
    options: AppendTurnOptions = {},
  ): Promise<AppendTurnOutcome> {
    const key = checkAppendKey(options.key);
    const dict = TurnRecord.fromDict(record).toDict();
    const p = encodePatch(patch);
    const keys = this.#gameKeys(gameId, ['game', 'hist', 'hkeys', 'idx']);
    const args = [
      key ?? '',
      JSON.stringify(dict),
      String(this.#cap),
      String(Math.round(dict.timestamp * 1000)),
      ...p.args,
    ];
    const [stored, member] = (await this.#runPatched('append', keys, args, gameId, p.error)) as [
      number,
      string,
    ];
    if (Number(stored) === 1) return { record: dict, stored: true };
    return { record: historyRecord(gameId, member), stored: false };
  }

  /** Runs a script that takes a patch; a patch found invalid in TS is reported in rule order. */
  async #runPatched(
    name: ScriptName,
    keys: string[],
    args: string[],
    gameId: string,
    invalid: Error | null,
  ): Promise<unknown> {
    try {
      return await this.#run(name, keys, args, gameId);
    } catch (e) {
      if (invalid !== null && e instanceof InvalidInputError && e.field === 'patch') throw invalid;
      throw e;
    }
  }

  async recentTurns(gameId: string, count: number): Promise<TurnRecordDict[]> {
    checkGameId(gameId);
    checkTurnCount(count);
    const list = (await this.#run('recent', this.#gameKeys(gameId, ['hist']), [
      String(count),
    ])) as string[];
    return list.map((member) => historyRecord(gameId, member));
  }

  async close(): Promise<void> {
    this.#listeners.clear();
    await this.#conn.close();
  }
}
