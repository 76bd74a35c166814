// `gamegirl serve` as a user runs it: a child process answering HTTP, stopping on SIGTERM,
// reporting a busy port, and applying the channel settings (flags and GAMEGIRL_* variables)
// that two players then play through the WebSocket.

import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { run, start } from './helpers/cli.js';
import { freePort } from './helpers/net.js';
import { TestClient } from './web/harness.js';

/** `gamegirl serve` on any free port, its WebSocket URL once it says it is running, and a stop
 *  that sends SIGTERM and resolves with the exit code. */
async function startServe(
  args: string[],
  env: Record<string, string>,
): Promise<{ wsUrl: string; stop(): Promise<number | null> }> {
  const child = start(['serve', '--port', '0', ...args], { GAMEGIRL_LOG_LEVEL: 'warn', ...env });
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  let stdout = '';
  let stderr = '';
  child.stderr?.on('data', (d) => {
    stderr += d;
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${stderr}`)), 30_000);
    child.stdout?.on('data', (d) => {
      stdout += d;
      const m = /running at (http:\/\/\S+)/.exec(stdout);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code} before it started: ${stderr}`));
    });
  });
  return {
    wsUrl: `${url.replace(/^http/, 'ws')}ws`,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      try {
        return await exited;
      } finally {
        clearTimeout(killer);
      }
    },
  };
}

type View = NonNullable<ReturnType<TestClient['lastView']>>;

/**
 * Two players in one channel of a running `serve`: Ann boots a cartridge, both press different
 * choices, then both press again; Bob (who did not boot) exits. Reports what the channel
 * settings decide: whether Ann was asked to decide the first turn ('host' aggregation), whether
 * the second window closed before its deadline (close-when-all-chosen), and whether Bob's exit
 * was allowed (anyone-may-manage).
 */
async function playTwoTurns(wsUrl: string): Promise<{
  askedAnnToDecide: boolean;
  closedEarly: boolean;
  bobMayExit: boolean;
}> {
  const ann = await TestClient.open(wsUrl);
  const bob = await TestClient.open(wsUrl);
  try {
    const channelId = 'settings-den';
    for (const [c, name] of [
      [ann, 'Ann'],
      [bob, 'Bob'],
    ] as const) {
      const join = c.send({ type: 'join', channelId, name });
      assert.equal((await c.reply(join)).type, 'ok');
    }
    const annHandle = (await ann.waitFor((m) => m.type === 'joined')).you;
    const from = ann.messages.length;
    const boot = ann.send({ type: 'boot', spec: { kind: 'ink', cartridge: 'midnight-arcade' } });
    assert.equal((await ann.reply(boot, 20_000)).type, 'ok');
    const playing = (m: { type: string; view?: View }) =>
      m.type === 'view' && m.view?.status === 'playing' && m.view.turn === 0;
    const first = (await ann.waitFor(playing, 20_000, from)).view as View;
    const [a, b] = first.scene?.choices ?? [];
    assert.ok(a !== undefined && b !== undefined, 'the first scene offers two choices');

    // Turn 0: two different choices; the window runs to its deadline (a new game has no
    // active players yet, so it is never closed early).
    const pressA = ann.send({ type: 'press', turn: 0, choice: a });
    assert.equal((await ann.reply(pressA)).type, 'ok');
    const pressB = bob.send({ type: 'press', turn: 0, choice: b });
    assert.equal((await bob.reply(pressB)).type, 'ok');
    // The window of turn t is recorded as turn t + 1.
    const next = await ann.waitFor(
      (m) =>
        (m.type === 'view' && (m.view as View).decision?.player === annHandle) ||
        (m.type === 'turn' && (m.record as { turn: number }).turn === 1),
      20_000,
      from,
    );
    const askedAnnToDecide = next.type === 'view';
    if (askedAnnToDecide) {
      const decide = ann.send({ type: 'decide', choice: a });
      assert.equal((await ann.reply(decide, 20_000)).type, 'ok');
    }
    const second = (
      await ann.waitFor(
        (m) =>
          m.type === 'view' && (m.view as View).status === 'playing' && (m.view as View).turn === 1,
        20_000,
        from,
      )
    ).view as View;
    const again = second.scene?.choices[0];
    assert.ok(again !== undefined, 'the second scene offers a choice');

    // Turn 1: both players were active in turn 0; the window closes when both have chosen, or
    // at its deadline.
    const before = ann.messages.length;
    for (const c of [ann, bob]) {
      const press = c.send({ type: 'press', turn: 1, choice: again });
      assert.equal((await c.reply(press)).type, 'ok');
    }
    const counting = (
      await ann.waitFor(
        (m) => m.type === 'view' && (m.view as View).window !== null && (m.view as View).turn === 1,
        10_000,
        before,
      )
    ).view as View;
    const deadlineMs = counting.window?.deadlineMs ?? 0;
    await ann.waitFor(
      (m) => m.type === 'turn' && (m.record as { turn: number }).turn === 2,
      20_000,
      before,
    );
    const closedEarly = Date.now() < deadlineMs;

    const exit = bob.send({ type: 'exit' });
    const reply = await bob.reply(exit, 20_000);
    if (reply.type === 'error') assert.equal(reply.code, 'PERMISSION');
    return { askedAnnToDecide, closedEarly, bobMayExit: reply.type === 'ok' };
  } finally {
    await ann.close();
    await bob.close();
  }
}

describe('gamegirl CLI: serve', { timeout: 120_000 }, () => {
  let dataDir: string;

  before(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'gg-cli-serve-'));
  });
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it('serve answers HTTP and shuts down cleanly on SIGTERM', async () => {
    // How fast it starts is measured by bench/startup.bench.ts, not asserted here.
    const port = await freePort();
    const child = start(['serve', '--port', String(port)], {
      GAMEGIRL_DATA_DIR: join(dataDir, 'serve'),
      GAMEGIRL_LOG_LEVEL: 'warn',
    });
    try {
      let stdout = '';
      child.stdout?.on('data', (d) => {
        stdout += d;
      });
      const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
      let answered = false;
      const started = performance.now();
      while (!answered && performance.now() - started < 30_000) {
        try {
          const res = await fetch(`http://127.0.0.1:${port}/`);
          assert.equal(res.status, 200);
          assert.match(res.headers.get('content-security-policy') ?? '', /script-src 'self'/);
          assert.match(await res.text(), /GameGirl Color/);
          answered = true;
        } catch (err) {
          if (err instanceof assert.AssertionError) throw err;
          await new Promise((r) => setTimeout(r, 25));
        }
      }
      assert.ok(answered, 'serve never answered');
      assert.match(stdout, new RegExp(`running at http://127\\.0\\.0\\.1:${port}/`));
      assert.ok(existsSync(join(dataDir, 'serve', 'gamegirl.sqlite')), 'the data dir was created');
      child.kill('SIGTERM');
      assert.equal(await exited, 0);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  });

  const ALL_ON = { askedAnnToDecide: true, closedEarly: true, bobMayExit: true };
  const settingsCases: Array<{
    name: string;
    args: string[];
    /** Data folder (under the suite's temp dir) and environment. */
    dir: string;
    env: Record<string, string>;
    expected: Awaited<ReturnType<typeof playTwoTurns>>;
  }> = [
    {
      name: 'serve --aggregation host --close-when-all-chosen --anyone-may-manage: every channel plays by them',
      args: ['--aggregation', 'host', '--close-when-all-chosen', '--anyone-may-manage'],
      dir: 'settings-flags',
      env: {},
      expected: ALL_ON,
    },
    {
      name: 'serve reads the channel settings from GAMEGIRL_* variables',
      args: [],
      dir: 'settings-env',
      env: {
        GAMEGIRL_AGGREGATION: 'host',
        GAMEGIRL_CLOSE_WHEN_ALL_CHOSEN: 'YES',
        GAMEGIRL_ANYONE_MAY_MANAGE: '1',
      },
      expected: ALL_ON,
    },
    {
      // The settings off, aggregation by its flag (which wins over its variable).
      name: 'serve with the settings off: every choice is narrated, windows run out, only the booter exits',
      args: ['--aggregation', 'all'],
      dir: 'settings-off',
      env: {
        GAMEGIRL_AGGREGATION: 'host',
        GAMEGIRL_ANYONE_MAY_MANAGE: 'no',
        GAMEGIRL_CLOSE_WHEN_ALL_CHOSEN: 'no', // on by default in the console
      },
      expected: { askedAnnToDecide: false, closedEarly: false, bobMayExit: false },
    },
  ];
  for (const c of settingsCases) {
    it(c.name, async () => {
      const serve = await startServe([...c.args, '--countdown', '3'], {
        ...c.env,
        GAMEGIRL_DATA_DIR: join(dataDir, c.dir),
      });
      try {
        assert.deepEqual(await playTwoTurns(serve.wsUrl), c.expected);
      } finally {
        assert.equal(await serve.stop(), 0);
      }
    });
  }

  it('serve reports a busy port clearly', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const { port } = blocker.address() as { port: number };
    try {
      const r = await run(['serve', '--port', String(port)], {
        GAMEGIRL_DATA_DIR: join(dataDir, 'busy'),
        GAMEGIRL_LOG_LEVEL: 'silent',
      });
      assert.equal(r.code, 1);
      assert.match(r.stderr, new RegExp(`port ${port} is already in use`));
    } finally {
      blocker.close();
    }
  });
});
