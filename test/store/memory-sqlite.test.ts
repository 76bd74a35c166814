import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { MemoryStore, SqliteStore } from '../../src/index.js';
import { runStoreContract } from './contract.js';

runStoreContract('MemoryStore', async () => new MemoryStore());
runStoreContract('SqliteStore(:memory:)', async () => new SqliteStore(':memory:'));

const dir = mkdtempSync(join(tmpdir(), 'gamegirl-sqlite-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const file = join(dir, 'games.db');
runStoreContract('SqliteStore(file)', async () => new SqliteStore(file), {
  twin: async () => new SqliteStore(file),
});
