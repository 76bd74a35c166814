/**
 * How long `gamegirl serve` (what `npm start` runs) takes from launch to its first HTTP answer,
 * on a fresh data dir, against a baseline measured in the same run: the same `node --import tsx`
 * launch serving a bare node:http "hello" (the floor of any TypeScript server started this way).
 * Prints one JSON line. Target: the console answers within 2 s of launch.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../test/helpers/net.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const BARE = `require('node:http').createServer((q, s) => s.end('ok')).listen(Number(process.env.PORT), '127.0.0.1')`;

async function timeToFirstAnswer(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
    env: { ...env, PORT: String(port) },
    stdio: 'ignore',
  });
  try {
    while (performance.now() - started < 30_000) {
      try {
        const res = await fetch(`http://127.0.0.1:${port}/`);
        await res.arrayBuffer();
        if (res.ok) return performance.now() - started;
      } catch {
        await new Promise((r) => setTimeout(r, 10));
      }
    }
    throw new Error('no answer within 30 s');
  } finally {
    child.kill('SIGKILL');
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

const consoleMs: number[] = [];
const bareMs: number[] = [];
for (let i = 0; i < ROUNDS; i++) {
  const dir = mkdtempSync(join(tmpdir(), 'gg-startup-'));
  try {
    bareMs.push(await timeToFirstAnswer(['-e', BARE], process.env));
    consoleMs.push(
      await timeToFirstAnswer(['src/cli.ts', 'serve'], {
        ...process.env,
        GAMEGIRL_DATA_DIR: dir,
        GAMEGIRL_LOG_LEVEL: 'silent',
      }),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
const consoleMedian = median(consoleMs);
console.log(
  JSON.stringify({
    bench: 'startup',
    rounds: ROUNDS,
    consoleFirstAnswerMsMedian: Math.round(consoleMedian),
    consoleFirstAnswerMsMax: Math.round(Math.max(...consoleMs)),
    baselineBareTsxServerMsMedian: Math.round(median(bareMs)),
    targetMs: 2000,
    pass: consoleMedian <= 2000,
  }),
);
