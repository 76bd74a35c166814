// The gamegirl CLI as a child process, for the CLI tests: a clean environment, starting it and
// running a command to completion.

import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

const CLI = join(import.meta.dirname, '..', '..', 'src', 'cli.ts');

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Env without the caller's GAMEGIRL_* / REDIS_URL / PORT settings, plus `extra`. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!/^(GAMEGIRL_|REDIS_URL$|PORT$)/.test(k)) env[k] = v;
  }
  return { ...env, ...extra };
}

export function start(args: string[], env: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
    env: cleanEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

export function run(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const child = start(args, env);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d) => {
    stdout += d;
  });
  child.stderr?.on('data', (d) => {
    stderr += d;
  });
  // A command that hangs must fail the test, not hang the suite.
  const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  return new Promise((resolve) =>
    child.on('close', (code) => {
      clearTimeout(killer);
      resolve({ code, stdout, stderr });
    }),
  );
}
