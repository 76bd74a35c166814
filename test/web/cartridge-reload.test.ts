import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { GameHost } from '../../src/host/game-host.js';
import { InkNarrator, listCartridges } from '../../src/narrator/ink.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { createWebConsole } from '../../src/web/server.js';
import { TestClient } from './harness.js';

const cartridge = (title: string) => `# title: ${title}\nHello.\n* [Bye]\n  -> END\n`;

test('the console lists cartridges added or edited while it serves, and boots them', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gg-reload-'));
  const write = (id: string, title: string, mtime: number) => {
    writeFileSync(join(dir, `${id}.ink`), cartridge(title));
    utimesSync(join(dir, `${id}.ink`), mtime, mtime);
  };
  write('first', 'First', 1_000_000);
  const store = new MemoryStore();
  const host = new GameHost({
    store,
    narrators: (spec) => new InkNarrator(spec.kind === 'ink' ? spec.cartridge : '', dir),
  });
  const web = await createWebConsole({
    host,
    port: 0,
    cartridges: () => listCartridges(dir),
    catalogRefreshMs: 0,
    gameName: async () => null,
    renderTitle: () => Buffer.alloc(0),
  });
  const wsUrl = `${web.url.replace(/^http/, 'ws')}ws`;
  const hello = async () => {
    const client = await TestClient.open(wsUrl, { origin: web.url.replace(/\/$/, '') });
    const m = await client.waitFor((x) => x.type === 'hello');
    client.ws.close();
    return (m.cartridges as { id: string; title: string }[]).map((c) => `${c.id}:${c.title}`);
  };
  try {
    assert.deepEqual(await hello(), ['first:First']);
    write('second', 'Second', 1_000_000);
    write('first', 'First, edited', 1_000_100);
    assert.deepEqual(await hello(), ['first:First, edited', 'second:Second']);
    const view = await host.boot(
      'ch',
      { id: 'u', name: 'U' },
      { kind: 'ink', cartridge: 'second' },
    );
    assert.equal(view.game?.gameName, 'Second');
    assert.deepEqual(view.scene?.choices, ['Bye']);
  } finally {
    await web.close();
    await host.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
