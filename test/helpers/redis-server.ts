// Real redis-server processes for tests: free ports picked here (never 6379), temp dirs, always
// stopped (the test's `after` hook, and a process 'exit' handler as a last resort).
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './net.js';

const run = promisify(execFile);
const REDIS_SERVER = process.env.REDIS_SERVER ?? '/usr/bin/redis-server';
const REDIS_CLI = process.env.REDIS_CLI ?? '/usr/bin/redis-cli';

const live = new Set<ChildProcess>();
const dirs: string[] = [];
// Last resort when a test file ends without its `after` hook (an uncaught error, a timeout that
// SIGTERMs the file): no server outlives the process that started it. A SIGKILLed process
// cannot run this; scripts/run-tests.mjs' watchdog kills the whole process group then.
const cleanup = () => {
  for (const p of live) p.kill('SIGKILL');
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
};
process.on('exit', cleanup);
for (const sig of ['SIGTERM', 'SIGINT'] as const)
  process.once(sig, () => {
    cleanup();
    process.exit(sig === 'SIGTERM' ? 143 : 130);
  });

/** PING over a raw socket; true when the server answers PONG. */
function ping(port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = createConnection({ port, host: '127.0.0.1' });
    const done = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(timeoutMs, () => done(false));
    sock.once('error', () => done(false));
    sock.once('connect', () => sock.write('PING\r\n'));
    sock.once('data', (d) => done(d.toString().startsWith('+PONG')));
  });
}

export async function cli(port: number, ...args: string[]): Promise<string> {
  const { stdout } = await run(REDIS_CLI, ['-h', '127.0.0.1', '-p', String(port), ...args], {
    timeout: 20000,
  });
  return stdout;
}

export interface RedisNodeOptions {
  /** AOF with `appendfsync always` (every acknowledged write is on disk). */
  aof?: boolean;
  cluster?: boolean;
  extra?: string[];
}

export class RedisNode {
  proc: ChildProcess | null = null;
  readonly url: string;

  constructor(
    readonly port: number,
    readonly dir: string,
    readonly options: RedisNodeOptions,
  ) {
    this.url = `redis://127.0.0.1:${port}`;
  }

  args(): string[] {
    const a = ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--dir', this.dir];
    a.push('--hz', '100', '--enable-debug-command', 'local', '--daemonize', 'no');
    a.push('--appendonly', this.options.aof ? 'yes' : 'no');
    if (this.options.aof) a.push('--appendfsync', 'always');
    if (this.options.cluster) {
      a.push('--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf');
      a.push('--cluster-node-timeout', '1000', '--cluster-replica-validity-factor', '0');
    }
    return [...a, ...(this.options.extra ?? [])];
  }

  async start(): Promise<void> {
    const p = spawn(REDIS_SERVER, this.args(), { stdio: 'ignore' });
    live.add(p);
    p.once('exit', () => live.delete(p));
    this.proc = p;
    const until = Date.now() + 10000;
    while (Date.now() < until) {
      if (p.exitCode !== null) throw new Error(`redis-server exited with ${p.exitCode}`);
      if (await ping(this.port)) return;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`redis-server on ${this.port} did not start`);
  }

  /** Sends a signal (SIGKILL, SIGSTOP, SIGCONT…) to the server process. */
  signal(sig: NodeJS.Signals): void {
    this.proc?.kill(sig);
  }

  async stop(sig: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const p = this.proc;
    if (p === null || p.exitCode !== null || p.signalCode !== null) return;
    const exited = new Promise<void>((r) => p.once('exit', () => r()));
    p.kill('SIGCONT');
    p.kill(sig);
    const t = setTimeout(() => p.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(t);
    this.proc = null;
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }
}

export async function startRedis(options: RedisNodeOptions = {}): Promise<RedisNode> {
  const dir = mkdtempSync(join(tmpdir(), 'gg-redis-'));
  dirs.push(dir);
  const node = new RedisNode(await freePort(options.cluster), dir, options);
  await node.start();
  return node;
}

export interface RedisClusterHandle {
  nodes: RedisNode[];
  urls: string[];
  /** Resolves once every replica has caught up with its master's replication offset. */
  synced(): Promise<void>;
  stop(): Promise<void>;
}

/** A local Cluster: `masters` masters with `replicas` replicas each, all slots covered. */
export async function startCluster(masters = 3, replicas = 0): Promise<RedisClusterHandle> {
  const nodes: RedisNode[] = [];
  for (let i = 0; i < masters * (1 + replicas); i++)
    nodes.push(await startRedis({ cluster: true }));
  const addrs = nodes.map((n) => `127.0.0.1:${n.port}`);
  await run(
    REDIS_CLI,
    ['--cluster', 'create', ...addrs, '--cluster-replicas', String(replicas), '--cluster-yes'],
    { timeout: 30000 },
  );
  const until = Date.now() + 20000;
  for (const n of nodes) {
    for (;;) {
      const info = await cli(n.port, 'cluster', 'info');
      if (info.includes('cluster_state:ok') && info.includes('cluster_slots_ok:16384')) break;
      if (Date.now() > until) throw new Error(`cluster did not converge: ${info}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return {
    nodes,
    urls: nodes.map((n) => n.url),
    synced: () => replicasSynced(nodes),
    stop: async () => {
      await Promise.all(nodes.map((n) => n.stop()));
    },
  };
}

async function replicasSynced(nodes: RedisNode[]): Promise<void> {
  const until = Date.now() + 20000;
  for (const n of nodes) {
    if (n.proc === null) continue;
    for (;;) {
      const info = await cli(n.port, 'INFO', 'replication');
      if (!info.includes('role:master')) break;
      const offset = Number(/master_repl_offset:(\d+)/.exec(info)?.[1] ?? 0);
      const replicas = [...info.matchAll(/slave\d+:.*state=(\w+),offset=(\d+)/g)];
      if (replicas.every((m) => m[1] === 'online' && Number(m[2]) >= offset)) break;
      if (Date.now() > until) throw new Error(`replicas of ${n.port} did not catch up`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/** Stops every server this process started and removes their directories. */
export async function stopAllRedis(
  nodes: Array<RedisNode | RedisClusterHandle | null>,
): Promise<void> {
  await Promise.all(nodes.map((n) => n?.stop()));
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}
