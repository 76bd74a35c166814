import { type GamePatch, windowCommitKey } from '../core/store-port.js';
import { type SceneText, TurnRecord } from '../core/turn-record.js';
import { encodePatch, pairs } from './codec.js';
import type { RedisStore } from './store.js';

/** A claimed (leased) turn: the fencing token is (turn, token). */
export interface Claim {
  gameId: string;
  channelId: string;
  turn: number;
  token: string;
  choices: Map<string, string>;
}

export type CloseDue =
  | { status: 'none' | 'past' }
  | { status: 'open'; msRemaining: number }
  | { status: 'closed'; turn: number; latenessMs: number };

/**
 * The resolution primitives over RedisStore's key layout (all single-slot scripts):
 * close a due window, claim the lowest unresolved turn with a lease, keep the lease alive,
 * and commit the turn only while the lease (turn + token) is still held.
 */
export class Resolution {
  readonly #store: RedisStore;

  constructor(store: RedisStore) {
    this.#store = store;
  }

  #k(gameId: string) {
    return this.#store.internals.keys.game(gameId);
  }

  #run(
    name: Parameters<RedisStore['internals']['run']>[0],
    keys: string[],
    args: string[],
    id?: string,
  ) {
    return this.#store.internals.run(name, keys, args, id);
  }

  async closeDue(gameId: string, turn?: number): Promise<CloseDue> {
    const k = this.#k(gameId);
    const r = (await this.#run(
      'closeDue',
      [k.game, k.idx, k.open, k.ur, k.unres],
      [gameId, turn === undefined ? '' : String(turn)],
      gameId,
    )) as string[];
    if (r[0] === 'open') return { status: 'open', msRemaining: Number(r[1]) };
    if (r[0] === 'closed')
      return { status: 'closed', turn: Number(r[1]), latenessMs: Number(r[2]) };
    return { status: r[0] === 'past' ? 'past' : 'none' };
  }

  /** Game ids in bucket `b` whose window is due, and whose resolution is due: `graceMs` past
   *  the window's close or its lease's end. */
  async due(
    b: number,
    graceMs: number,
    max = 200,
  ): Promise<{ windows: string[]; resolutions: string[] }> {
    const p = this.#store.internals.keys.bucket(b);
    const r = (await this.#run(
      'due',
      [`${p}open`, `${p}unres`],
      [String(max), String(graceMs)],
    )) as string[];
    const bar = r.indexOf('|');
    return { windows: r.slice(0, bar), resolutions: r.slice(bar + 1) };
  }

  /** Open windows of bucket `b` (for re-adding their jobs at start-up). */
  async windows(
    b: number,
  ): Promise<{ nowMs: number; list: Array<{ gameId: string; deadlineMs: number; turn: number }> }> {
    const p = this.#store.internals.keys.bucket(b);
    const r = (await this.#run('windows', [`${p}open`], [p])) as string[];
    const list: Array<{ gameId: string; deadlineMs: number; turn: number }> = [];
    for (let i = 1; i + 2 < r.length; i += 3)
      list.push({ gameId: String(r[i]), deadlineMs: Number(r[i + 1]), turn: Number(r[i + 2]) });
    return { nowMs: Number(r[0]), list };
  }

  async claim(
    gameId: string,
    owner: string,
    leaseMs: number,
  ): Promise<
    { status: 'none' } | { status: 'busy'; untilMs: number } | ({ status: 'claimed' } & Claim)
  > {
    const k = this.#k(gameId);
    const r = (await this.#run(
      'claim',
      [k.game, k.ur, k.unres, k.lease],
      [gameId, owner, String(leaseMs)],
      gameId,
    )) as string[];
    if (r[0] === 'busy') return { status: 'busy', untilMs: Number(r[1]) };
    if (r[0] !== 'claimed') return { status: 'none' };
    const turn = Number(r[1]);
    const choices = new Map(pairs('last_window.choices', r[3]));
    return {
      status: 'claimed',
      gameId,
      channelId: String(r[4]),
      turn,
      token: String(r[2]),
      choices,
    };
  }

  /** Extends a held lease; false when it was lost (expired or taken over). */
  async extend(c: Claim, leaseMs: number): Promise<boolean> {
    const k = this.#k(c.gameId);
    const r = await this.#run(
      'extend',
      [k.lease, k.unres],
      [c.gameId, String(c.turn), c.token, String(leaseMs)],
    );
    return Number(r) === 1;
  }

  /** Gives a lease back after a failed attempt; the turn is retried after `delayMs`. */
  async unlease(c: Claim, delayMs: number): Promise<void> {
    const k = this.#k(c.gameId);
    await this.#run(
      'unlease',
      [k.lease, k.unres],
      [c.gameId, String(c.turn), c.token, String(delayMs)],
    );
  }

  /**
   * Records the resolved turn (history record `turn + 1`, as GameSession.recordTurn numbers it)
   * and applies the patch, atomically and only while the lease is held: a resolver that lost
   * its lease (killed, paused past it, overtaken) is refused with FencedCommitError and changes
   * nothing. Returns whether the history record was new (its key, windowCommitKey(turn), was
   * unseen).
   */
  async commit(
    c: Claim,
    narrativeSummary: string,
    patch?: GamePatch,
    timestampS = Date.now() / 1000,
    scene: SceneText | null = null,
  ): Promise<boolean> {
    const rec = new TurnRecord(c.turn + 1, c.choices, narrativeSummary, timestampS, scene);
    const p = encodePatch(patch);
    if (p.error !== null) throw p.error;
    const k = this.#k(c.gameId);
    const r = await this.#run(
      'commit',
      [k.game, k.ur, k.unres, k.lease, k.hist, k.idx, k.hkeys],
      [
        c.gameId,
        String(c.turn),
        c.token,
        windowCommitKey(c.turn),
        JSON.stringify(rec.toDict()),
        String(this.#store.internals.historyCap),
        String(Math.round(timestampS * 1000)),
        ...p.args,
      ],
      c.gameId,
    );
    return Number(r) === 1;
  }
}
