// Child processes running test/redis/child.ts, with their JSON-line output collected.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CHILD = fileURLToPath(new URL('../redis/child.ts', import.meta.url));
const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const p of live) p.kill('SIGKILL');
});

export interface ChildEvent {
  ev: string;
  [k: string]: unknown;
}

export class Child {
  readonly proc: ChildProcess;
  readonly events: ChildEvent[] = [];
  readonly #waiters = new Set<{
    pred: (e: ChildEvent) => boolean;
    resolve: (e: ChildEvent) => void;
  }>();
  readonly exited: Promise<void>;

  constructor(mode: 'press' | 'worker', env: Record<string, string>) {
    this.proc = spawn(process.execPath, ['--import', 'tsx', CHILD, mode], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    live.add(this.proc);
    this.exited = new Promise((r) =>
      this.proc.once('exit', () => {
        live.delete(this.proc);
        r();
      }),
    );
    let buf = '';
    this.proc.stdout?.on('data', (d: Buffer) => {
      buf += d.toString();
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        let e: ChildEvent;
        try {
          e = JSON.parse(line) as ChildEvent;
        } catch {
          continue;
        }
        this.events.push(e);
        for (const w of this.#waiters) {
          if (w.pred(e)) {
            this.#waiters.delete(w);
            w.resolve(e);
          }
        }
      }
    });
  }

  /** The first event (past or future) matching `pred`; rejects after `timeoutMs`. */
  wait(pred: (e: ChildEvent) => boolean, timeoutMs = 20000): Promise<ChildEvent> {
    const seen = this.events.find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const w = { pred, resolve };
      this.#waiters.add(w);
      const t = setTimeout(() => {
        this.#waiters.delete(w);
        reject(new Error(`child ${this.proc.pid}: no matching event within ${timeoutMs} ms`));
      }, timeoutMs);
      t.unref();
    });
  }

  kill(sig: NodeJS.Signals = 'SIGKILL'): void {
    this.proc.kill(sig);
  }

  async stop(): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    this.proc.kill('SIGCONT');
    this.proc.kill('SIGTERM');
    const t = setTimeout(() => this.proc.kill('SIGKILL'), 5000);
    await this.exited;
    clearTimeout(t);
  }
}

export async function stopChildren(children: Iterable<Child>): Promise<void> {
  await Promise.all([...children].map((c) => c.stop()));
}
