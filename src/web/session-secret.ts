import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The file in the data folder that keeps the console's session secret across restarts. */
const SESSION_KEY_FILE = 'session.key';

/**
 * The secret that signs the web console's session cookies (and derives handles and join codes):
 * GAMEGIRL_SESSION_SECRET when set (base64 or hex, at least 32 bytes: every process on one Redis
 * must share it), else `<dataDir>/session.key`, created 0600 with 32 random bytes on first use.
 */
export function loadSessionSecret(dataDir: string, fromEnv: string | undefined): Buffer {
  const given = fromEnv?.trim();
  if (given) {
    const bytes = /^[0-9a-f]+$/i.test(given)
      ? Buffer.from(given, 'hex')
      : Buffer.from(given, 'base64');
    if (bytes.length < 32)
      throw new RangeError('GAMEGIRL_SESSION_SECRET must hold at least 32 bytes (base64 or hex)');
    return bytes;
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = join(dataDir, SESSION_KEY_FILE);
  try {
    const bytes = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
    if (bytes.length >= 32) return bytes;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const secret = randomBytes(32);
  writeFileSync(file, `${secret.toString('base64')}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return secret;
}
