// The turn loop as a TurnDriver sees it (the port in gamegirl/host that the local and Redis
// drivers implement): how each resolution under a lease ends, and what a lost lease does. A
// driver written here, passed to GameHost like any other, records every outcome and can take a
// lease back or hand the loop a turn again, which the local driver never does.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FencedCommitError } from '../../src/core/errors.js';
import { type GamePatch, windowCommitKey } from '../../src/core/store-port.js';
import type { TurnRecord } from '../../src/core/turn-record.js';
import type {
  ClosedTurn,
  HostEvent,
  TurnDriver,
  TurnLease,
  TurnLoop,
  TurnOutcome,
} from '../../src/host/index.js';
import { NarratorError } from '../../src/narrator/port.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { ALICE, BOB, CH, flush, rig, SCRIPT, waitForView } from './_harness.js';

/** One process, like LocalTurnDriver, that keeps what each resolution returned. */
class ProbeDriver implements TurnDriver {
  readonly sharesChannels = false;
  loop: TurnLoop | null = null;
  readonly outcomes: TurnOutcome[] = [];
  readonly closed: ClosedTurn[] = [];
  readonly leases = new Set<AbortController>();
  readonly #waiters = new Set<() => void>();
  /** When set, the next commit runs through it (once): it may hold the commit or refuse it. */
  aroundCommit: ((record: () => Promise<TurnRecord>) => Promise<TurnRecord>) | null = null;

  async start(loop: TurnLoop): Promise<void> {
    this.loop = loop;
  }
  windowClosed(closed: ClosedTurn): Promise<void> {
    this.closed.push(closed);
    return this.run(closed, false);
  }
  retry(closed: ClosedTurn): Promise<void> {
    return this.run(closed, true);
  }
  /** Has the loop resolve `closed` under a new lease; resolves with how that ended. */
  async run(closed: ClosedTurn, retry: boolean): Promise<void> {
    const controller = new AbortController();
    this.leases.add(controller);
    const lease: TurnLease = {
      signal: controller.signal,
      retry,
      commit: (session, choices, summary, scene) => {
        const record = (): Promise<TurnRecord> =>
          session.recordTurn(choices, summary, undefined, {
            key: windowCommitKey(closed.turn),
            scene,
          });
        const around = this.aroundCommit;
        this.aroundCommit = null;
        return around === null ? record() : around(record);
      },
    };
    try {
      this.outcomes.push(await (this.loop as TurnLoop).resolve(closed, lease));
    } finally {
      this.leases.delete(controller);
    }
  }
  publish(channelId: string, event: HostEvent): void {
    this.loop?.deliver(channelId, event, false);
  }
  /** How many watches of each channel are open. */
  readonly watching = new Map<string, number>();
  async watch(channelId: string): Promise<void> {
    this.watching.set(channelId, (this.watching.get(channelId) ?? 0) + 1);
  }
  unwatch(channelId: string): void {
    const n = (this.watching.get(channelId) ?? 0) - 1;
    if (n < 0) throw new Error(`unwatch of ${channelId} without a watch`);
    if (n === 0) this.watching.delete(channelId);
    else this.watching.set(channelId, n);
  }
  awaitDecision(_gameId: string, _turn: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const wake = (): void => {
        this.#waiters.delete(wake);
        resolve();
      };
      this.#waiters.add(wake);
      signal.addEventListener('abort', () => reject(signal.reason), { once: true });
    });
  }
  decided(): void {
    for (const wake of [...this.#waiters]) wake();
  }
  async ready(): Promise<boolean> {
    return true;
  }
  async delivered(): Promise<void> {}
  async close(): Promise<void> {
    for (const c of this.leases) c.abort(new Error('closing'));
  }
}

async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 1000 && !cond(); i++) await new Promise((r) => setImmediate(r));
  assert.ok(cond(), `waited for ${what}`);
}

test('each resolution says how it ended: committed, failed, skipped (not its time), interrupted', async () => {
  const driver = new ProbeDriver();
  const r = rig({ host: { driver } });
  const a = await r.host.boot(CH, ALICE, SCRIPT);
  await r.host.press(CH, ALICE, 0, 'Left');
  r.clock.advance(10_000);
  await until(() => driver.outcomes.length === 1, 'the first turn');
  assert.deepEqual(driver.outcomes, ['committed']);
  const first = driver.closed[0] as ClosedTurn;
  assert.equal(first.gameId, a.game?.gameId);
  assert.equal(first.channelId, CH);
  assert.equal(first.turn, 0);

  // The same closed turn again (a late or second lease): not its time any more, nothing recorded.
  await driver.run(first, false);
  await driver.run({ ...first, gameId: 'another-game', turn: 1 }, false);
  assert.deepEqual(driver.outcomes.slice(1), ['skipped', 'skipped']);
  assert.equal((await r.host.history(CH)).length, 1);

  // A failed turn is resolved again only on a player's retry.
  await r.host.press(CH, BOB, 1, 'Right');
  r.narrator.failNext(new NarratorError('http', 'HTTP 500'));
  r.clock.advance(10_000);
  await until(() => driver.outcomes.length === 4, 'the failed turn');
  assert.equal(driver.outcomes[3], 'failed');
  const failed = driver.closed[1] as ClosedTurn;
  await driver.run(failed, false);
  assert.equal(driver.outcomes[4], 'skipped');
  assert.equal((await r.host.view(CH)).status, 'failed');
  await r.host.retry(CH, BOB);
  assert.equal(driver.outcomes[5], 'committed');

  // An exit in the middle of a narration: interrupted, and nothing of it is kept as a failure.
  await r.host.press(CH, ALICE, 2, 'Wait');
  r.narrator.hangNext();
  r.clock.advance(10_000);
  await until(() => r.narrator.turns.length === 4, 'the third narration');
  await r.host.exit(CH, ALICE);
  await until(() => driver.outcomes.length === 7, 'the interrupted turn');
  assert.equal(driver.outcomes[6], 'interrupted');
  await r.host.close();
});

test('a lost lease aborts the narration: the turn is left to whoever holds it now', async () => {
  const driver = new ProbeDriver();
  const r = rig({ host: { driver } });
  await r.host.boot(CH, ALICE, SCRIPT);
  await r.host.press(CH, ALICE, 0, 'Left');
  r.narrator.hangNext();
  r.clock.advance(10_000);
  await until(() => r.narrator.turns.length === 1, 'the narration');
  for (const c of driver.leases) c.abort(new Error('another process took the turn'));
  await until(() => driver.outcomes.length === 1, 'the lost turn');
  assert.deepEqual(driver.outcomes, ['interrupted']);
  assert.equal(r.narrator.turns[0]?.signal?.aborted, true);
  const v = await r.host.view(CH);
  assert.equal(v.status, 'narrating', 'not failed: another process is on it');
  assert.equal(v.error, null);
  assert.deepEqual(await r.host.history(CH), []);

  // The new holder (here: a lease granted again) narrates it; the host shows its scene.
  await driver.run(driver.closed[0] as ClosedTurn, false);
  assert.equal(driver.outcomes[1], 'committed');
  const next = await waitForView(r.host, CH, (x) => x.status === 'playing' && x.turn === 1);
  assert.equal(next.scene?.text, 'Scene 1 after Left');
  await r.host.close();
});

test("a closed turn that is not the channel's now is skipped, and the narration under way goes on", async () => {
  const driver = new ProbeDriver();
  const r = rig({ host: { driver } });
  const a = await r.host.boot(CH, ALICE, SCRIPT);
  const gameId = a.game?.gameId ?? '';
  // The window of turn 0 is still open: its turn is not to be resolved yet.
  await driver.run({ channelId: CH, gameId, turn: 0, choices: new Map() }, false);
  assert.deepEqual(driver.outcomes, ['skipped']);
  await r.host.press(CH, ALICE, 0, 'Left');
  const release = r.narrator.hold();
  r.clock.advance(10_000);
  await until(() => r.narrator.turns.length === 1, 'the narration');
  // While turn 0 is narrated: another game's window of the same turn, and turns around it.
  const closed = driver.closed[0] as ClosedTurn;
  await driver.run({ ...closed, gameId: 'another-game' }, false);
  await driver.run({ ...closed, turn: 1 }, false);
  await driver.run({ ...closed, turn: -1 }, false);
  assert.deepEqual(driver.outcomes, ['skipped', 'skipped', 'skipped', 'skipped']);
  assert.equal(r.narrator.turns.length, 1, 'nothing was narrated again');
  assert.equal(r.narrator.turns[0]?.signal?.aborted, false, 'the narration under way goes on');
  release();
  await until(() => driver.outcomes.length === 5, 'the narrated turn');
  assert.equal(driver.outcomes[4], 'committed');
  assert.equal((await r.host.history(CH)).length, 1);

  // After an exit the channel holds no game: a turn of the exited game is skipped too.
  await r.host.exit(CH, ALICE);
  await driver.run({ ...closed, turn: 1 }, false);
  assert.equal(driver.outcomes[5], 'skipped');
  await r.host.close();
});

test('an exit while the turn is committed: the turn stands, the channel stays idle, the game resumes after it', async () => {
  const driver = new ProbeDriver();
  const r = rig({ host: { driver } });
  const a = await r.host.boot(CH, ALICE, SCRIPT);
  await r.host.press(CH, ALICE, 0, 'Left');
  let recorded = (): void => {};
  let go = (): void => {};
  const gate = new Promise<void>((resolve) => {
    go = resolve;
  });
  const stored = new Promise<void>((resolve) => {
    recorded = resolve;
  });
  driver.aroundCommit = async (record) => {
    const rec = await record();
    recorded();
    await gate; // the answer is on its way back when the game is exited
    return rec;
  };
  r.clock.advance(10_000);
  await stored;
  const idle = await r.host.exit(CH, ALICE);
  const after = r.events.length;
  go();
  await until(() => driver.outcomes.length === 1, 'the committed turn');
  assert.deepEqual(driver.outcomes, ['committed']);
  await flush();
  assert.deepEqual(
    r.events.slice(after).map((e) => e.type),
    [],
    'nothing is shown in the channel after the exit',
  );
  assert.equal((await r.host.view(CH)).status, idle.status);
  assert.equal((await r.host.view(CH)).scene, null);
  const back = await r.host.load(CH, ALICE, a.game?.gameId ?? '');
  assert.equal(back.status, 'playing');
  assert.equal(back.scene?.text, 'Scene 1 after Left');
  assert.equal((await r.host.history(CH)).length, 1);
  assert.equal(r.narrator.turns.length, 1);
  await r.host.close();
});

test('a commit refused because the lease was lost leaves the game as it was, for the new holder', async () => {
  const driver = new ProbeDriver();
  const r = rig({ host: { driver } });
  const a = await r.host.boot(CH, ALICE, SCRIPT);
  const gameId = a.game?.gameId ?? '';
  await r.host.press(CH, ALICE, 0, 'Left');
  driver.aroundCommit = async () => {
    throw new FencedCommitError();
  };
  r.clock.advance(10_000);
  await until(() => driver.outcomes.length === 1, 'the refused commit');
  assert.deepEqual(driver.outcomes, ['interrupted']);
  const v = await r.host.view(CH);
  assert.equal(v.status, 'narrating', 'not failed: another process is on it');
  assert.equal(v.error, null);
  // A write of the game now (the countdown changed) stores the scene on screen, not the one
  // whose commit was refused.
  await r.host.setCountdown(CH, ALICE, 20);
  const saved = await r.store.loadGame(gameId);
  assert.equal(saved?.extra.sceneTurn, 0);
  assert.equal(
    (saved?.extra.scene as { text?: string } | undefined)?.text,
    'Scene 0 after nothing',
  );
  assert.equal(saved?.extra.unresolved, null);

  await driver.run(driver.closed[0] as ClosedTurn, false);
  assert.equal(driver.outcomes[1], 'committed');
  const next = await waitForView(r.host, CH, (x) => x.status === 'playing' && x.turn === 1);
  assert.equal(next.scene?.text, 'Scene 1 after Left');
  await r.host.close();
});

/** A MemoryStore that counts plain game updates and can hold them until released. */
class HeldUpdates extends MemoryStore {
  updates = 0;
  held: Promise<void> | null = null;
  waiting = 0;
  override async updateGame(gameId: string, patch: GamePatch, nowMs: number): Promise<void> {
    this.updates++;
    if (this.held !== null) {
      this.waiting++;
      await this.held;
    }
    return super.updateGame(gameId, patch, nowMs);
  }
}

test('a plain turn writes only its commit; a retry is stored as narrating first, and an exit then interrupts it', async () => {
  const driver = new ProbeDriver();
  const store = new HeldUpdates();
  const r = rig({ store, host: { driver } });
  await r.host.boot(CH, ALICE, SCRIPT);
  await r.host.press(CH, ALICE, 0, 'Left');
  const before = store.updates;
  r.clock.advance(10_000);
  await until(() => driver.outcomes.length === 1, 'the first turn');
  assert.deepEqual(driver.outcomes, ['committed']);
  assert.equal(store.updates, before, 'the new scene is stored with the turn, in one write');

  await r.host.press(CH, BOB, 1, 'Right');
  r.narrator.failNext(new NarratorError('http', 'HTTP 500'));
  r.clock.advance(10_000);
  await until(() => driver.outcomes.length === 2, 'the failed turn');
  let release = (): void => {};
  store.held = new Promise((resolve) => {
    release = resolve;
  });
  const retried = r.host.retry(CH, BOB);
  await until(() => store.waiting === 1, 'the retry being stored');
  store.held = null;
  const exiting = r.host.exit(CH, ALICE);
  await until(
    () => r.events.some((e) => e.type === 'view' && e.view.status === 'idle'),
    'the exit',
  );
  release();
  await exiting;
  await retried;
  assert.deepEqual(driver.outcomes.slice(1), ['failed', 'interrupted']);
  assert.equal(r.narrator.turns.length, 2, 'the retry was not narrated');
  await r.host.close();
});

test('the host watches a channel while it holds it or has listeners on it, and undoes each watch once', async () => {
  const driver = new ProbeDriver();
  const r = rig({ host: { driver, evictIdleAfterMs: 60_000 } });
  assert.equal(driver.watching.get(CH), 1, "the rig's listener");
  await r.host.view('lobby');
  assert.equal(driver.watching.get('lobby'), 1, 'held from its first read');
  const off = r.host.subscribe('lobby', () => {});
  const alsoOff = r.host.subscribe('lobby', () => {});
  assert.equal(
    driver.watching.get('lobby'),
    2,
    'held, and listened to (one watch for all listeners)',
  );
  off();
  off(); // a second call changes nothing
  assert.equal(driver.watching.get('lobby'), 2, 'another listener is left');
  alsoOff();
  assert.equal(driver.watching.get('lobby'), 1, 'still held');
  r.clock.advance(61_000);
  await r.host.view('elsewhere'); // a use of the host lets idle channels go
  assert.equal(driver.watching.has('lobby'), false, 'let go with the channel');
  assert.equal(driver.watching.get('elsewhere'), 1);
  assert.equal(driver.watching.get(CH), 1);
});
