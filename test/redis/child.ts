// A child process for the multi-process Redis tests. Mode from argv[2]; settings from env.
// Prints one JSON object per line on stdout.
//   press  — connect, wait until GO_AT (Unix ms), press once, print the outcome.
//   worker — run a RedisStore + scheduler; narration takes NARRATE_MS (or HANG=1: forever).
import { createRedisScheduler } from '../../src/redis/scheduler.js';
import { RedisStore } from '../../src/redis/store.js';

const env = process.env;
const out = (o: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(o)}\n`);
const target = env.STORE_CLUSTER ? (env.STORE_URL ?? '').split(',') : (env.STORE_URL ?? '');
const store = await RedisStore.connect(target, { prefix: env.PREFIX ?? 'gg' });

if (process.argv[2] === 'press') {
  // One press per game in GAMES, the i-th at GO_AT + i * STEP_MS (Unix ms).
  const games = (env.GAMES ?? '').split(',');
  for (const [i, game] of games.entries()) {
    const goAt = Number(env.GO_AT) + i * Number(env.STEP_MS ?? 100);
    while (Date.now() < goAt - 2) await new Promise((r) => setTimeout(r, 1));
    while (Date.now() < goAt) {
      // spin the last ms so both processes leave together
    }
    try {
      const r = await store.press(`c-${game}`, {
        gameId: game,
        userId: env.USER_ID ?? 'u',
        userName: 'Racer',
        choice: 'go',
        nowMs: Date.now(),
      });
      out({
        ev: 'pressed',
        game,
        first: r.isFirstChoice,
        deadlineMs: r.deadlineMs,
        turn: r.turnNumber,
      });
    } catch (e) {
      out({ ev: 'error', game, name: (e as Error).name, message: (e as Error).message });
    }
  }
  await store.close();
} else {
  const narrateMs = Number(env.NARRATE_MS ?? 0);
  const jitterMs = Number(env.NARRATE_JITTER_MS ?? 0);
  const scheduler = await createRedisScheduler({
    store,
    connection: env.BULL_URL ?? '',
    workerId: env.WORKER_ID,
    leaseMs: Number(env.LEASE_MS ?? 2000),
    sweepIntervalMs: Number(env.SWEEP_MS ?? 500),
    queueName: env.QUEUE ?? 'gg-expiry',
    async onWindowClosed(w, signal) {
      out({ ev: 'claimed', g: w.gameId, t: w.turn, n: w.choices.size });
      if (env.HANG === '1') await new Promise(() => {});
      await new Promise((r) => setTimeout(r, narrateMs + Math.random() * jitterMs));
      if (signal.aborted) throw new Error('lease lost');
      return {
        narrativeSummary: `turn ${w.turn} by ${env.WORKER_ID}`,
        patch: { extra: { lastTurn: w.turn, by: env.WORKER_ID ?? '' } },
      };
    },
    onMetric(m) {
      out({ ev: m.type, ...m });
    },
  });
  out({ ev: 'ready', pid: process.pid });
  process.on('SIGTERM', () => {
    void scheduler
      .close()
      .then(() => store.close())
      .finally(() => process.exit(0));
  });
}
