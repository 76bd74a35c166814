// `gamegirl serve` run in this process: it listens for SIGTERM before it prints "running at",
// so a supervisor (or a test) that signals as soon as it reads that line gets a drained exit 0,
// not a process killed by the signal's default action.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runServe } from '../src/app/serve.js';
import { loadConfig } from '../src/config.js';

test('serve listens for SIGTERM before it says it is running; a SIGTERM on that line drains', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gg-stop-'));
  try {
    const config = await loadConfig(
      { port: '0', host: '127.0.0.1', dataDir: dir, logLevel: 'silent' },
      {},
    );
    const before = process.listenerCount('SIGTERM');
    let listening: boolean | null = null;
    const lines: string[] = [];
    const io = {
      out: (line: string) => {
        lines.push(line);
        if (listening !== null || !line.includes('running at')) return;
        listening = process.listenerCount('SIGTERM') > before;
        // Without a listener yet the signal would kill this test process: send it once there
        // is one (the assertion below then fails), or at once.
        if (listening) process.kill(process.pid, 'SIGTERM');
        else setTimeout(() => process.kill(process.pid, 'SIGTERM'), 200);
      },
      err: (line: string) => lines.push(line),
    };
    const code = await runServe(config, io);
    assert.equal(listening, true, 'a SIGTERM listener when "running at" was printed');
    assert.equal(code, 0, lines.join('\n'));
    assert.equal(process.listenerCount('SIGTERM'), before, 'listeners removed after the stop');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
