import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { StaleTurnError } from '../../src/core/errors.js';
import type { SessionDict } from '../../src/core/session-state.js';
import type { SessionStore } from '../../src/core/store-port.js';
import { type GameHost, PermissionError, WrongStateError } from '../../src/host/game-host.js';
import type { ChannelSettings, ChannelView, HostEvent } from '../../src/host/types.js';
import { NarratorError } from '../../src/narrator/port.js';
import type { RedisStore } from '../../src/redis/store.js';
import { startClusterHost } from '../helpers/cluster-host.js';
import { type RedisNode, startRedis, stopAllRedis } from '../helpers/redis-server.js';
import { ScriptNarrator } from '../helpers/script-narrator.js';
import { ALICE, BOB, CH, SCRIPT, waitForView } from './_harness.js';

let node: RedisNode;
const closers: Array<() => Promise<void>> = [];

before(async () => {
  node = await startRedis();
});
after(async () => {
  for (const close of closers) await close().catch(() => {});
  await stopAllRedis([node]);
});

/** One "process": its own store connection, scheduler worker and pub/sub connections. */
async function host(
  name: string,
  narrator: ScriptNarrator,
  ns: string,
  follow = true,
  settings: Partial<ChannelSettings> = {},
): Promise<{ host: GameHost; views: ChannelView[] }> {
  const started = await startClusterHost({ url: node.url, ns, name, narrator, settings });
  closers.push(started.close);
  const h = started.host;
  const views: ChannelView[] = [];
  h.subscribe(CH, (e: HostEvent) => {
    if (e.type === 'view') views.push(e.view);
  });
  if (follow) await h.view(CH); // follow the channel (else: listeners only, like a presenter)
  return { host: h, views };
}

const bothSee = (
  hs: [GameHost, GameHost],
  pred: (v: ChannelView) => boolean,
  ms = 4000,
): Promise<[ChannelView, ChannelView]> =>
  Promise.all([waitForView(hs[0], CH, pred, ms), waitForView(hs[1], CH, pred, ms)]);

test('two hosts on one Redis share a channel: one narration per turn, same views', async () => {
  // Narration takes a moment, as a real one does, so every host can see the 'narrating' state.
  const narrator = new ScriptNarrator({ delayMs: 300 });
  const ns = `d${process.pid}a`;
  const a = await host('A', narrator, ns);
  const b = await host('B', narrator, ns);
  const c = await host('C', narrator, ns, false);

  await a.host.boot(CH, ALICE, SCRIPT, { title: 'Shared' });
  const [, booted] = await bothSee([a.host, b.host], (v) => v.status === 'playing');
  assert.equal(booted.scene?.text, 'Scene 0 after nothing');

  for (let i = 0; i < 3; i++) {
    const turn = (await b.host.view(CH)).turn;
    const release = narrator.hold();
    await a.host.press(CH, ALICE, turn, 'Left');
    await b.host.press(CH, BOB, turn, 'Right');
    // Pending choices of both players, through either host.
    await bothSee([a.host, b.host], (v) => v.turn === turn && v.window?.chosen.length === 2);
    // The window closes; the (held) narration shows as narrating everywhere.
    await bothSee([a.host, b.host], (v) => v.status === 'narrating');
    release();
    const [va, vb] = await bothSee(
      [a.host, b.host],
      (v) => v.status === 'playing' && v.turn === turn + 1,
    );
    assert.equal(va.scene?.text, vb.scene?.text);
    assert.match(va.scene?.text ?? '', new RegExp(`^Scene ${i + 1} after `));
    assert.equal(narrator.turns.length, i + 1, 'exactly one narration per turn');
  }
  const last = (await a.host.view(CH)).scene?.text ?? '';
  assert.equal(last, 'Scene 3 after Left+Right, Left+Right, Left+Right');
  assert.equal((await b.host.history(CH)).length, 3);
  // Both hosts' subscribers saw every state (pending, narrating, each new scene).
  for (const views of [a.views, b.views]) {
    assert.ok(views.some((v) => v.status === 'counting'));
    assert.equal(new Set(views.filter((v) => v.status === 'narrating').map((v) => v.turn)).size, 3);
    for (let t = 1; t <= 3; t++)
      assert.ok(views.some((v) => v.status === 'playing' && v.turn === t));
  }

  // A narrator failure: failed on both, no automatic re-run; retry from the other host.
  narrator.failNext(new NarratorError('http', 'the service returned 503'));
  const turn = (await a.host.view(CH)).turn;
  await a.host.press(CH, ALICE, turn, 'Wait');
  const [fa, fb] = await bothSee([a.host, b.host], (v) => v.status === 'failed');
  assert.equal(fa.error, fb.error);
  assert.match(fa.error ?? '', /returned an error/);
  await new Promise((r) => setTimeout(r, 600));
  assert.equal(narrator.turns.length, 4, 'a failed turn waits for a retry');
  assert.equal((await b.host.view(CH)).status, 'failed');
  const retried = await b.host.retry(CH, BOB);
  assert.equal(retried.status, 'playing');
  assert.equal(retried.turn, turn + 1);
  await bothSee([a.host, b.host], (v) => v.status === 'playing' && v.turn === turn + 1);
  assert.equal(narrator.turns.length, 5);
  assert.match((await a.host.view(CH)).scene?.text ?? '', /^Scene 4 after .*Wait$/);

  // Booted on A, exited on B (by the player who booted it).
  const exited = await b.host.exit(CH, ALICE);
  assert.equal(exited.status, 'idle');
  await waitForView(a.host, CH, (v) => v.status === 'idle');
  assert.equal(narrator.opens.length, 1);
  // A process whose only follower is a listener (never asked for a view) got every scene too.
  for (let t = 1; t <= 4; t++)
    assert.ok(c.views.some((v) => v.status === 'playing' && v.turn === t));
  for (let i = 0; i < 100 && c.views.at(-1)?.status !== 'idle'; i++)
    await new Promise((r) => setTimeout(r, 20));
  assert.equal(c.views.at(-1)?.status, 'idle');
  assert.equal(narrator.turns.length, 5, 'three workers, still one narration per attempt');
});

test("'host' aggregation across processes: the decision shows everywhere and counts from any host", async () => {
  const narrator = new ScriptNarrator();
  const ns = `d${process.pid}h`;
  const settings: Partial<ChannelSettings> = { aggregation: 'host' };
  const a = await host('A', narrator, ns, true, settings);
  const b = await host('B', narrator, ns, true, settings);
  const booted = await a.host.boot(CH, ALICE, SCRIPT, { title: 'Decided' });
  await bothSee([a.host, b.host], (v) => v.status === 'playing');
  await b.host.press(CH, BOB, 0, 'Right');
  await a.host.press(CH, ALICE, 0, 'Left');
  const [da, db] = await bothSee([a.host, b.host], (v) => (v.decision ?? null) !== null);
  assert.deepEqual(da.decision, { userId: ALICE.id, options: ['Right', 'Left'] });
  assert.deepEqual(db.decision, da.decision);
  assert.equal(db.status, 'narrating');
  await assert.rejects(b.host.decide(CH, BOB, 'Right'), PermissionError);
  await assert.rejects(b.host.decide(CH, ALICE, 'Wait'), { code: 'INVALID_INPUT' });
  await assert.rejects(
    b.host.decide(CH, ALICE, 'Right', { gameId: booted.game?.gameId as string, turn: 0 }),
    StaleTurnError,
  );
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(narrator.turns.length, 0, 'nothing is narrated before the decision');
  // Exited and loaded again (through the other host): the decision is still pending.
  await a.host.exit(CH, ALICE);
  await bothSee([a.host, b.host], (v) => v.status === 'idle');
  await b.host.load(CH, ALICE, booted.game?.gameId as string);
  const [again] = await bothSee([a.host, b.host], (v) => (v.decision ?? null) !== null);
  assert.deepEqual(again.decision, da.decision);
  // Decided through B, whatever process holds the turn's lease.
  await b.host.decide(CH, ALICE, 'Right', { gameId: booted.game?.gameId as string, turn: 1 });
  const [pa] = await bothSee([a.host, b.host], (v) => v.status === 'playing' && v.turn === 1);
  assert.equal(pa.decision, null);
  assert.equal(narrator.turns.length, 1);
  assert.equal(narrator.turns[0]?.decidedChoice, 'Right');
  await assert.rejects(a.host.decide(CH, ALICE, 'Left'), WrongStateError);
  // One choice only: nothing to decide.
  await a.host.press(CH, BOB, 1, 'Wait');
  await bothSee([a.host, b.host], (v) => v.status === 'playing' && v.turn === 2);
  assert.equal(narrator.turns[1]?.decidedChoice, 'Wait');
  await a.host.exit(CH, ALICE);
});

/**
 * A process' RedisStore with a door on channel reads: while it is shut, a read is made at once
 * but its answer waits until the door opens (a slow round trip, or a busy event loop).
 */
class ChannelReadDoor {
  #shut: Promise<void> | null = null;
  #open = (): void => {};
  #onHeld = (): void => {};
  /** Settles once a read's answer waits at the shut door. */
  held: Promise<void> = Promise.resolve();
  /** Channel reads made so far. */
  reads = 0;

  shut(): void {
    this.#shut = new Promise((resolve) => {
      this.#open = resolve;
    });
    this.held = new Promise((resolve) => {
      this.#onHeld = resolve;
    });
  }

  open(): void {
    this.#shut = null;
    this.#open();
  }

  wrap(store: RedisStore): SessionStore {
    const loadChannel = async (channelId: string): Promise<SessionDict | null> => {
      this.reads++;
      const saved = await store.loadChannel(channelId);
      const shut = this.#shut;
      if (shut !== null) {
        this.#onHeld();
        await shut;
      }
      return saved;
    };
    return new Proxy(store, {
      get(target, key) {
        if (key === 'loadChannel') return loadChannel;
        const v: unknown = Reflect.get(target, key, target);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
  }
}

test('a channel read from before this process committed its turn does not take the channel back to narrating', async () => {
  const narrator = new ScriptNarrator();
  const ns = `d${process.pid}r`;
  const door = new ChannelReadDoor();
  const started = await startClusterHost({
    url: node.url,
    ns,
    name: 'A',
    narrator,
    hostStore: (s) => door.wrap(s),
  });
  closers.push(started.close);
  const a = started.host;
  // A page on A follows the channel: A reads it again as soon as another process changes it.
  a.subscribe(CH, () => {});
  await a.view(CH);
  await a.boot(CH, ALICE, SCRIPT);
  await waitForView(a, CH, (v) => v.status === 'playing');
  const release = narrator.hold();
  await a.press(CH, ALICE, 0, 'Left');
  // A is the only process: its turn closes and A narrates it (held).
  for (let i = 0; i < 400 && narrator.turns.length === 0; i++)
    await new Promise((r) => setTimeout(r, 10));
  assert.equal(narrator.turns.length, 1);
  // Another process changes the channel (a longer window from the next one): A reads it again,
  // and that read is answered only after A has committed the turn.
  const b = await host('B', narrator, ns);
  door.shut();
  await b.host.setCountdown(CH, ALICE, 20);
  await door.held;
  release();
  await waitForView(b.host, CH, (v) => v.status === 'playing' && v.turn === 1);
  door.open();
  const v = await a.view(CH);
  assert.equal(v.status, 'playing', 'A shows the scene it committed, not its closed turn again');
  assert.equal(v.turn, 1);
  assert.equal(v.scene?.text, 'Scene 1 after Left');
  // And the channel plays on from there.
  await a.press(CH, BOB, 1, 'Right');
  await bothSee([a, b.host], (v) => v.window?.chosen.length === 1);
});

/**
 * Process B boots the channel and Alice presses: the window closes and B narrates its turn,
 * held until `release()` (B holds the turn's lease meanwhile). `ns` names the test's keys.
 */
async function narratingOnB(suffix: string) {
  const narrator = new ScriptNarrator();
  const ns = `d${process.pid}${suffix}`;
  const b = await host('B', narrator, ns);
  await b.host.boot(CH, ALICE, SCRIPT);
  await waitForView(b.host, CH, (v) => v.status === 'playing');
  const release = narrator.hold();
  await b.host.press(CH, ALICE, 0, 'Left');
  for (let i = 0; i < 400 && narrator.turns.length === 0; i++)
    await new Promise((r) => setTimeout(r, 10));
  assert.equal(narrator.turns.length, 1);
  return { narrator, release, ns, b };
}

test('a change of mind that reaches a process after the window closed is refused at once, without reading the channel again', async () => {
  const { narrator, release, ns } = await narratingOnB('c');
  // A loads the channel now: it shows the closed window's turn being narrated, elsewhere.
  const door = new ChannelReadDoor();
  const started = await startClusterHost({
    url: node.url,
    ns,
    name: 'A',
    narrator,
    hostStore: (s) => door.wrap(s),
  });
  closers.push(started.close);
  const a = started.host;
  const shown = await a.view(CH);
  assert.equal(shown.status, 'narrating');
  // Alice changes her mind on the scene both processes show (the page names its game): its
  // window closed with her first choice, so the change is refused whatever the store says.
  const reads = door.reads;
  const gameId = shown.game?.gameId ?? '';
  await assert.rejects(a.press(CH, ALICE, 0, 'Right', { gameId }), { code: 'NARRATING' });
  assert.equal(door.reads, reads, 'no reload of the channel for a press on its closed window');
  release();
  await waitForView(a, CH, (v) => v.status === 'playing' && v.turn === 1);
  const [record] = await a.history(CH);
  assert.deepEqual(Object.fromEntries(record?.choices ?? []), { [ALICE.id]: 'Left' });
});

test('a press on a scene another process committed is accepted by a process whose copy still shows the turn narrated', async () => {
  const { narrator, release, ns, b } = await narratingOnB('p');
  // A loads the channel while B narrates, and then hears none of B's events (as if pub/sub
  // lost them): its copy stays on the closed turn after B has committed it.
  const started = await startClusterHost({
    url: node.url,
    ns,
    name: 'A',
    narrator,
    eventChannel: `${ns}:elsewhere`,
  });
  closers.push(started.close);
  const a = started.host;
  const shown = await a.view(CH);
  assert.equal(shown.status, 'narrating');
  release();
  await waitForView(b.host, CH, (v) => v.status === 'playing' && v.turn === 1);
  assert.equal((await a.view(CH)).status, 'narrating', "A's copy is behind the store");
  // Bob saw the new scene (through B) and presses it through A: taken, not refused NARRATING.
  const gameId = shown.game?.gameId ?? '';
  const pressed = await a.press(CH, BOB, 1, 'Right', { gameId });
  assert.equal(pressed.view.status, 'counting');
  assert.equal(pressed.view.turn, 1);
});
