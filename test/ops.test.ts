// The operator's view of a running `gamegirl serve`, through HTTP as Prometheus and a load
// balancer see it: /metrics (prom-client text), /healthz (alive) and /readyz (ready: store and,
// in Redis mode, the scheduler connected), on the players' port or on a port of their own.

import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { run } from './helpers/cli.js';
import { freePort } from './helpers/net.js';
import { startRedis } from './helpers/redis-server.js';
import { startServe } from './helpers/serve.js';
import { TestClient } from './web/harness.js';

async function get(url: string): Promise<{ status: number; body: string; type: string }> {
  const res = await fetch(url);
  return {
    status: res.status,
    body: await res.text(),
    type: res.headers.get('content-type') ?? '',
  };
}

/** A metric's value from Prometheus text (the first sample whose line starts with `sample`). */
function sample(text: string, sample: string): number | null {
  for (const line of text.split('\n')) {
    if (line.startsWith(sample)) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return null;
}

/** Ann joins, boots a cartridge and presses once; resolves once the press was accepted. */
async function pressOnce(wsUrl: string, channelId: string): Promise<void> {
  const ann = await TestClient.open(wsUrl);
  try {
    assert.equal((await ann.reply(ann.send({ type: 'join', channelId, name: 'Ann' }))).type, 'ok');
    const from = ann.messages.length;
    const boot = ann.send({ type: 'boot', spec: { kind: 'ink', cartridge: 'midnight-arcade' } });
    assert.equal((await ann.reply(boot, 20_000)).type, 'ok');
    const view = await ann.waitFor(
      (m) => m.type === 'view' && (m.view as { status: string }).status === 'playing',
      20_000,
      from,
    );
    const choice = (view.view as { scene: { choices: string[] } }).scene.choices[0] as string;
    assert.equal((await ann.reply(ann.send({ type: 'press', turn: 0, choice }))).type, 'ok');
    // A stale press (an old turn) is refused and counted as such.
    const stale = await ann.reply(ann.send({ type: 'press', turn: 7, choice }));
    assert.equal(stale.type, 'error');
  } finally {
    await ann.close();
  }
}

describe('operations: metrics and health over HTTP', { timeout: 120_000 }, () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'gg-ops-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('serves /metrics, /healthz and /readyz on the players’ port by default', async () => {
    // Windows run their full length here: the metrics count an open one.
    const served = await startServe(['--countdown', '30'], {
      GAMEGIRL_DATA_DIR: join(dir, 'a'),
      GAMEGIRL_CLOSE_WHEN_ALL_CHOSEN: 'no',
    });
    try {
      assert.equal((await get(`${served.url}healthz`)).status, 200);
      const ready = await get(`${served.url}readyz`);
      assert.deepEqual([ready.status, ready.body], [200, 'ready']);
      await pressOnce(served.wsUrl, 'ops-den');
      const m = await get(`${served.url}metrics`);
      assert.equal(m.status, 200);
      assert.match(m.type, /^text\/plain; version=0\.0\.4/);
      assert.equal(sample(m.body, 'gamegirl_presses_total{outcome="accepted"}'), 1);
      assert.equal(sample(m.body, 'gamegirl_presses_total{outcome="stale"}'), 1);
      assert.equal(sample(m.body, 'gamegirl_open_windows'), 1);
      assert.equal(
        sample(m.body, 'gamegirl_narration_seconds_count{kind="opening",result="ok"}'),
        1,
      );
      assert.ok((sample(m.body, 'gamegirl_store_call_seconds_count{method="press"}') ?? 0) >= 1);
      assert.ok((sample(m.body, 'process_cpu_user_seconds_total') ?? -1) >= 0, 'Node defaults');
      assert.match(m.body, /^gamegirl_websocket_connections \d+$/m);
      assert.match(m.body, /^# TYPE gamegirl_close_to_scene_seconds histogram$/m);
    } finally {
      assert.equal(await served.stop(), 0);
    }
  });

  it('with --metrics-port they move to their own listener', async () => {
    const port = await freePort();
    const served = await startServe(['--metrics-port', String(port)], {
      GAMEGIRL_DATA_DIR: join(dir, 'b'),
    });
    try {
      assert.equal(served.metricsUrl, `http://127.0.0.1:${port}/`);
      assert.equal((await get(`${served.metricsUrl}metrics`)).status, 200);
      assert.equal((await get(`${served.metricsUrl}readyz`)).status, 200);
      assert.equal((await get(`${served.metricsUrl}`)).status, 404);
      assert.equal((await get(`${served.url}metrics`)).status, 404, 'not on the players’ port');
    } finally {
      assert.equal(await served.stop(), 0);
    }
  });

  it('in Redis mode /readyz follows the Redis connection while /healthz stays alive', async () => {
    const redis = await startRedis();
    const served = await startServe([], { REDIS_URL: redis.url });
    try {
      assert.equal((await get(`${served.url}readyz`)).status, 200);
      await redis.stop();
      let status = 200;
      for (let i = 0; i < 100 && status === 200; i++) {
        status = (await get(`${served.url}readyz`)).status;
        if (status === 200) await new Promise((r) => setTimeout(r, 50));
      }
      assert.equal(status, 503, 'not ready without Redis');
      assert.equal((await get(`${served.url}healthz`)).status, 200, 'still alive');
      await redis.start();
      for (let i = 0; i < 200 && status !== 200; i++) {
        status = (await get(`${served.url}readyz`)).status;
        if (status !== 200) await new Promise((r) => setTimeout(r, 50));
      }
      assert.equal(status, 200, 'ready again once Redis is back');
    } finally {
      await served.stop('SIGKILL');
      await redis.stop();
    }
  });

  it('one process per data folder: a second serve refuses (exit 3); a stale lock does not block', async () => {
    const data = join(dir, 'locked');
    const first = await startServe([], { GAMEGIRL_DATA_DIR: data });
    try {
      const second = await run(['serve', '--port', '0'], { GAMEGIRL_DATA_DIR: data });
      assert.equal(second.code, 3);
      assert.match(second.stderr, /already served by process \d+/);
    } finally {
      assert.equal(await first.stop(), 0);
    }
    assert.equal(existsSync(join(data, 'gamegirl.lock')), false, 'released on exit');
    // A crashed process' lock (its pid is gone) is taken over.
    mkdirSync(data, { recursive: true });
    writeFileSync(join(data, 'gamegirl.lock'), '2147483646\n');
    const third = await startServe([], { GAMEGIRL_DATA_DIR: data });
    assert.equal(await third.stop(), 0);
  });
});
