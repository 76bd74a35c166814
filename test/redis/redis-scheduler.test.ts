import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { FencedCommitError, WindowClosedError } from '../../src/core/errors.js';
import { Resolution } from '../../src/redis/resolution.js';
import {
  type ClosedWindowInfo,
  createRedisScheduler,
  type RedisScheduler,
  type SchedulerMetric,
} from '../../src/redis/scheduler.js';
import { RedisStore } from '../../src/redis/store.js';
import { gameDict } from '../helpers/game-dict.js';
import { Child, stopChildren } from '../helpers/redis-procs.js';
import { type RedisNode, startRedis, stopAllRedis } from '../helpers/redis-server.js';

let node: RedisNode;
let n = 0;
const stores: RedisStore[] = [];
const schedulers: RedisScheduler[] = [];
const children: Child[] = [];

before(async () => {
  node = await startRedis();
});
after(async () => {
  await stopChildren(children);
  for (const s of schedulers) await s.close().catch(() => {});
  for (const s of stores) await s.close().catch(() => {});
  await stopAllRedis([node]);
});

function ns() {
  n++;
  return { prefix: `s${process.pid}x${n}`, queue: `q${process.pid}x${n}` };
}

async function store(prefix: string): Promise<RedisStore> {
  const s = await RedisStore.connect(node.url, { prefix });
  stores.push(s);
  return s;
}

const dict = (gameId: string, channelId: string, countdownSeconds: number) =>
  gameDict(gameId, channelId, countdownSeconds, 'Sched');

const press = (s: RedisStore, g: string, u: string, turn?: number) =>
  s.press(`c-${g}`, {
    gameId: g,
    userId: u,
    userName: u,
    choice: `choice of ${u}`,
    turn,
    nowMs: Date.now(),
  });

async function until(pred: () => Promise<boolean> | boolean, timeoutMs = 10000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await pred())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('a press opens a window; the delayed job closes it once and the turn is committed once', async () => {
  const { prefix, queue } = ns();
  const s = await store(prefix);
  const calls: ClosedWindowInfo[] = [];
  const metrics: SchedulerMetric[] = [];
  const sched = await createRedisScheduler({
    store: s,
    connection: node.url,
    queueName: queue,
    async onWindowClosed(w) {
      calls.push(w);
      return { narrativeSummary: `after ${w.turn}`, patch: { extra: { scene: w.turn + 1 } } };
    },
    onMetric: (m) => metrics.push(m),
  });
  schedulers.push(sched);
  await s.bootGame(dict('g1', 'c-g1', 0.3));
  await press(s, 'g1', 'u1', 0);
  await press(s, 'g1', 'u2', 0);
  await until(async () => (await s.recentTurns('g1', 5)).length === 1);
  const [rec] = await s.recentTurns('g1', 5);
  assert.equal(rec?.turn, 1);
  assert.deepEqual(rec?.choices, { u1: 'choice of u1', u2: 'choice of u2' });
  assert.equal(calls.length, 1);
  const g = await s.loadGame('g1');
  assert.equal(g?.turn_number, 1);
  assert.deepEqual(g?.extra, { scene: 1 });
  const closed = metrics.find((m) => m.type === 'closed');
  assert.ok(closed && closed.type === 'closed' && closed.by === 'job' && closed.latenessMs < 200);
});

test('duplicate and late jobs change nothing: the turn number fences them', async () => {
  const { prefix, queue } = ns();
  const s = await store(prefix);
  let calls = 0;
  const sched = await createRedisScheduler({
    store: s,
    connection: node.url,
    queueName: queue,
    async onWindowClosed(w) {
      calls++;
      return { narrativeSummary: `after ${w.turn}` };
    },
  });
  schedulers.push(sched);
  await s.bootGame(dict('g2', 'c-g2', 0.2));
  const first = await press(s, 'g2', 'u1', 0);
  // Duplicate job for the same window: same id, a no-op; run the resolution twice by hand too.
  await sched.schedule({ gameId: 'g2', turn: 0, deadlineMs: first.deadlineMs });
  await until(async () => (await s.loadGame('g2'))?.turn_number === 1 && calls === 1);
  await Promise.all([sched.resolveGame('g2', 0, 'job'), sched.resolveGame('g2', 0, 'job')]);
  // Turn 1's window is open with a long time left; a late job of turn 0 must not close it.
  await s.updateGame('g2', {}, Date.now());
  const second = await press(s, 'g2', 'u1', 1);
  await sched.schedule({ gameId: 'g2', turn: 0, deadlineMs: Date.now() - 1000 });
  await sched.resolveGame('g2', 0, 'job');
  await new Promise((r) => setTimeout(r, 50));
  const g = await s.loadGame('g2');
  assert.equal(g?.turn_number, 1);
  assert.equal(g?.window_deadline_ms, second.deadlineMs);
  assert.equal(calls, 1);
  assert.equal((await s.recentTurns('g2', 10)).length, 1);
});

test('a commit after the lease ran out is refused and changes nothing', async () => {
  const { prefix } = ns();
  const s = await store(prefix);
  const res = new Resolution(s);
  await s.bootGame(dict('g3', 'c-g3', 0.05));
  await press(s, 'g3', 'u1', 0);
  await new Promise((r) => setTimeout(r, 80));
  assert.equal((await res.closeDue('g3', 0)).status, 'closed');
  const a = await res.claim('g3', 'A', 100);
  assert.equal(a.status, 'claimed');
  assert.equal((await res.claim('g3', 'B', 100)).status, 'busy');
  await new Promise((r) => setTimeout(r, 150));
  const b = await res.claim('g3', 'B', 5000);
  assert.equal(b.status, 'claimed');
  if (a.status !== 'claimed' || b.status !== 'claimed') return;
  await assert.rejects(res.commit(a, 'stale resolver'), FencedCommitError);
  assert.equal(await res.extend(a, 1000), false);
  assert.equal(await res.commit(b, 'the resolver'), true);
  await assert.rejects(res.commit(b, 'twice'), FencedCommitError);
  const hist = await s.recentTurns('g3', 10);
  assert.deepEqual(
    hist.map((r) => r.narrative_summary),
    ['the resolver'],
  );
});

test('two processes press first at the same instant: one opener, one deadline', async () => {
  const { prefix } = ns();
  const s = await store(prefix);
  const games = Array.from({ length: 10 }, (_, i) => `race${i}`);
  for (const g of games) await s.bootGame(dict(g, `c-${g}`, 10));
  const goAt = Date.now() + 2500;
  const racers = ['a', 'b'].map(
    (u) =>
      new Child('press', {
        STORE_URL: node.url,
        PREFIX: prefix,
        GAMES: games.join(','),
        USER_ID: u,
        GO_AT: String(goAt),
        STEP_MS: '50',
      }),
  );
  children.push(...racers);
  await Promise.all(racers.map((c) => c.exited));
  for (const g of games) {
    const res = racers.map((c) => c.events.find((e) => e.game === g));
    assert.deepEqual(
      res.map((r) => r?.ev),
      ['pressed', 'pressed'],
    );
    assert.equal(res.filter((r) => r?.first === true).length, 1, `one opener in ${g}`);
    assert.equal(res[0]?.deadlineMs, res[1]?.deadlineMs);
    assert.equal(Object.keys((await s.loadGame(g))?.pending_choices ?? {}).length, 2);
  }
});

function worker(prefix: string, queue: string, id: string, env: Record<string, string> = {}) {
  const c = new Child('worker', {
    STORE_URL: node.url,
    BULL_URL: node.url,
    PREFIX: prefix,
    QUEUE: queue,
    WORKER_ID: id,
    LEASE_MS: '1000',
    SWEEP_MS: '200',
    ...env,
  });
  children.push(c);
  return c;
}

test('a resolver killed between claim and commit: another worker finishes the turn within 5 s', async () => {
  const { prefix, queue } = ns();
  const s = await store(prefix);
  const a = worker(prefix, queue, 'A', { HANG: '1' });
  await a.wait((e) => e.ev === 'ready');
  await s.bootGame(dict('g4', 'c-g4', 0.2));
  await press(s, 'g4', 'u1', 0);
  await a.wait((e) => e.ev === 'claimed' && e.g === 'g4');
  const b = worker(prefix, queue, 'B');
  await b.wait((e) => e.ev === 'ready');
  a.kill('SIGKILL');
  const killedAt = Date.now();
  await b.wait((e) => e.ev === 'committed' && e.gameId === 'g4', 10000);
  const takeover = Date.now() - killedAt;
  assert.ok(takeover < 5000, `takeover took ${takeover} ms`);
  const hist = await s.recentTurns('g4', 10);
  assert.deepEqual(
    hist.map((r) => [r.turn, r.narrative_summary]),
    [[1, 'turn 0 by B']],
  );
});

test('a resolver paused past its lease (SIGSTOP, SIGCONT): its commit is refused', async () => {
  const { prefix, queue } = ns();
  const s = await store(prefix);
  const a = worker(prefix, queue, 'A', { NARRATE_MS: '400' });
  await a.wait((e) => e.ev === 'ready');
  await s.bootGame(dict('g5', 'c-g5', 0.2));
  await press(s, 'g5', 'u1', 0);
  await a.wait((e) => e.ev === 'claimed' && e.g === 'g5');
  a.kill('SIGSTOP');
  const b = worker(prefix, queue, 'B');
  await b.wait((e) => e.ev === 'committed' && e.gameId === 'g5', 15000);
  a.kill('SIGCONT');
  await a.wait((e) => e.ev === 'refused' && e.gameId === 'g5', 10000);
  assert.equal(
    a.events.some((e) => e.ev === 'committed'),
    false,
  );
  const hist = await s.recentTurns('g5', 10);
  assert.deepEqual(
    hist.map((r) => r.narrative_summary),
    ['turn 0 by B'],
  );
  assert.deepEqual((await s.loadGame('g5'))?.extra, { lastTurn: 0, by: 'B' });
});

test('a countdown survives a restart of every worker; a late press triggers resolution', async () => {
  const { prefix, queue } = ns();
  const s = await store(prefix);
  await s.bootGame(dict('g6', 'c-g6', 0.3));
  await press(s, 'g6', 'u1', 0); // no worker is running: nobody has a job or a timer for it
  await new Promise((r) => setTimeout(r, 500));
  const w = worker(prefix, queue, 'C');
  await w.wait((e) => e.ev === 'committed' && e.gameId === 'g6', 10000);
  assert.equal((await s.loadGame('g6'))?.turn_number, 1);
  await w.stop();
  // A press after the deadline, in a process whose scheduler has no job for that window (it was
  // opened through another connection) and whose sweep is far away: the press resolves it.
  const calls: number[] = [];
  const sched = await createRedisScheduler({
    store: s,
    connection: node.url,
    queueName: `${queue}-b`,
    sweepIntervalMs: 60000,
    async onWindowClosed(x) {
      calls.push(x.turn);
      return { narrativeSummary: 'late' };
    },
  });
  schedulers.push(sched);
  await new Promise((r) => setTimeout(r, 300)); // the start-up sweep is over
  const other = await store(prefix);
  await other.bootGame(dict('g7', 'c-g7', 0.1));
  await press(other, 'g7', 'u1', 0);
  await new Promise((r) => setTimeout(r, 150));
  await assert.rejects(press(s, 'g7', 'u2', 0), WindowClosedError);
  await until(async () => (await s.recentTurns('g7', 5)).length === 1, 5000);
  assert.deepEqual(calls, [0]);
  assert.equal((await s.loadGame('g7'))?.turn_number, 1);
});

test("a turn closed by one process is left to it for the grace; another's sweep takes it only after", async () => {
  const { prefix, queue } = ns();
  // The closing process: its store has no scheduler, as if it died right after the close.
  const closer = await store(prefix);
  const s = await store(prefix);
  const claimedAt: number[] = [];
  const sched = await createRedisScheduler({
    store: s,
    connection: node.url,
    queueName: queue,
    sweepIntervalMs: 50,
    claimGraceMs: 800,
    async onWindowClosed(w) {
      claimedAt.push(Date.now());
      return { narrativeSummary: `after ${w.turn}` };
    },
  });
  schedulers.push(sched);
  await closer.bootGame(dict('g9', 'c-g9', 60));
  await press(closer, 'g9', 'alice');
  const closedAt = Date.now();
  const closed = await closer.closeWindow('c-g9', {
    gameId: 'g9',
    turn: 0,
    early: true,
    nowMs: closedAt,
  });
  assert.equal(closed.status, 'closed');
  await until(() => claimedAt.length > 0, 5000);
  assert.equal(claimedAt.length, 1);
  const waited = (claimedAt[0] as number) - closedAt;
  assert.ok(waited >= 750, `taken ${waited} ms after the close, within the grace`);
  await until(async () => (await s.recentTurns('g9', 5)).length === 1, 5000);
});
