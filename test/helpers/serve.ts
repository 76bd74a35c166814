// `gamegirl serve` as a child process for tests: started on any free port, its URLs once it says
// it is running, its output, and a stop by signal that resolves with the exit code.
import type { ChildProcess } from 'node:child_process';
import { start } from './cli.js';

export interface Served {
  child: ChildProcess;
  /** e.g. http://127.0.0.1:40123/ */
  url: string;
  wsUrl: string;
  /** The separate metrics listener's base URL, when --metrics-port was given. */
  metricsUrl: string | null;
  output(): { stdout: string; stderr: string };
  /** Resolves with the exit code once the process ended. */
  exited: Promise<number | null>;
  /** Sends `signal` (default SIGTERM) and resolves with the exit code (SIGKILL after 40 s). */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export async function startServe(args: string[], env: Record<string, string>): Promise<Served> {
  const child = start(['serve', '--port', '0', ...args], { GAMEGIRL_LOG_LEVEL: 'warn', ...env });
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  let stdout = '';
  let stderr = '';
  child.stderr?.on('data', (d) => {
    stderr += d;
  });
  child.stdout?.on('data', (d) => {
    stdout += d;
  });
  const wantsMetrics = args.includes('--metrics-port');
  const started = Date.now();
  for (;;) {
    const url = /running at (http:\/\/\S+)/.exec(stdout)?.[1];
    const metrics = /metrics and health: (http:\/\/\S+)metrics/.exec(stdout)?.[1] ?? null;
    if (url !== undefined && (!wantsMetrics || metrics !== null)) {
      return {
        child,
        url,
        wsUrl: `${url.replace(/^http/, 'ws')}ws`,
        metricsUrl: metrics,
        output: () => ({ stdout, stderr }),
        exited,
        async stop(signal = 'SIGTERM') {
          if (child.exitCode === null && child.signalCode === null) child.kill(signal);
          const killer = setTimeout(() => child.kill('SIGKILL'), 40_000);
          try {
            return await exited;
          } finally {
            clearTimeout(killer);
          }
        },
      };
    }
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`serve exited with ${child.exitCode} before it started: ${stderr}`);
    if (Date.now() - started > 30_000) {
      child.kill('SIGKILL');
      throw new Error(`serve did not start: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}
