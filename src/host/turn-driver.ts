import type { GameSession } from '../core/game-session.js';
import type { SceneText, TurnRecord } from '../core/turn-record.js';
import type { HostEvent } from './events.js';

/** A closed countdown window whose turn is to be resolved. */
export interface ClosedTurn {
  channelId: string;
  gameId: string;
  /** The turn whose window closed; its history record is numbered `turn + 1`. */
  turn: number;
  choices: Map<string, string>;
}

/** The right to resolve one turn, granted by a driver. A turn is committed only through it. */
export interface TurnLease {
  /** Aborted when the lease is lost (another process took the turn over) or the driver stops. */
  readonly signal: AbortSignal;
  /** A player asked for this attempt: a turn that failed is narrated again only on a retry. */
  readonly retry: boolean;
  /**
   * Stores the turn's record (with `scene`, the next scene, kept for the story) together with
   * the session's `extra`, once. Rejects with FencedCommitError when the lease was lost
   * meanwhile (nothing is stored).
   */
  commit(
    session: GameSession,
    choices: Map<string, string>,
    summary: string,
    scene: SceneText,
  ): Promise<TurnRecord>;
}

/** How a resolution under a lease ended. 'failed': the failure is stored with the game and
 *  waits for a player's retry; 'skipped': not this turn's time (its game is not running, or it
 *  failed and nobody asked to retry); 'interrupted': the game was exited or swapped mid-way, or
 *  the lease was lost — whoever runs the game next resolves it. */
export type TurnOutcome = 'committed' | 'failed' | 'skipped' | 'interrupted';

/** What a driver calls back into: the host's one turn loop and this process' subscribers. */
export interface TurnLoop {
  /** Resolves a closed turn under `lease`: aggregate → narrate → commit → emit, or fail. */
  resolve(closed: ClosedTurn, lease: TurnLease): Promise<TurnOutcome>;
  /** Hands an event to this process' subscribers. `remote`: another process published it, so
   *  this process' copy of the channel may be out of date. */
  deliver(channelId: string, event: HostEvent, remote: boolean): void;
  /** Another process has just started watching the channel: publish again who this process
   *  knows to be at its table (a presence change is published once, when it happens, so the
   *  newcomer would otherwise wait for nobody until each player's next refresh). */
  rollCall(channelId: string): void;
}

/**
 * What differs between one process and many, and nothing else: who resolves a closed window and
 * under which lease, how a turn is committed, how events reach every subscriber, and how a
 * 'host decides' pick wakes the resolver. The rules (aggregate, narrate, commit, fail, retry)
 * live once, in the host's loop. `createLocalDriver` is the in-process default; the Redis
 * driver (src/redis) shares channels between processes.
 */
export interface TurnDriver {
  /** Whether other processes change this process' channels (Redis): its copy of a channel may
   *  then be behind the store for a moment, and a refusal drawn from it is checked again. */
  readonly sharesChannels: boolean;
  /** Starts the driver; rejects if it cannot (e.g. Redis unreachable). Called once by GameHost. */
  start(loop: TurnLoop): Promise<void>;
  /** A window closed (seen by a timer or a press here, or found closed when a game was loaded):
   *  have its turn resolved, here or in another process. Settles when this process is done
   *  with it; never rejects. */
  windowClosed(closed: ClosedTurn): Promise<void>;
  /** A player asks to narrate a failed turn again; settles once the attempt is over. */
  retry(closed: ClosedTurn): Promise<void>;
  /** Sends an event to the subscribers of every process that watches the channel, this one's
   *  included, in order. */
  publish(channelId: string, event: HostEvent): void;
  /**
   * This process holds a copy of the channel or has listeners on it: once the returned promise
   * settles, every event any process publishes for the channel reaches `deliver` here (Redis:
   * this process subscribes to the channel's own pub/sub topic, so a process decodes only the
   * channels it serves). Counted: each call is undone by one `unwatch`. Never rejects.
   */
  watch(channelId: string): Promise<void>;
  /** Undoes one `watch`; the last one stops the channel's events reaching this process. */
  unwatch(channelId: string): void;
  /** Waits until `decided(gameId, turn)` is called in any process (or a while has passed: the
   *  caller re-reads the store and waits again). Rejects when `signal` aborts. */
  awaitDecision(gameId: string, turn: number, signal: AbortSignal): Promise<void>;
  /** A 'host decides' pick was stored with the game: wake its resolver, wherever it runs. */
  decided(gameId: string, turn: number): void;
  /** Whether the driver can take turns now (Redis: its scheduler and pub/sub are connected). */
  ready(): Promise<boolean>;
  /** Settles once every event published so far has reached this process' subscribers (Redis:
   *  come back over pub/sub), so a draining process shows its last scene before it closes.
   *  Never rejects; the caller bounds the wait. */
  delivered(): Promise<void>;
  /** Stops the driver: leases are given up (their signals abort), nothing more is delivered. */
  close(): Promise<void>;
}
