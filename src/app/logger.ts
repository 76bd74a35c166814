// The one logger convention: pino, JSON lines on stderr (stdout is for what the user asked for).
import { type Logger, pino } from 'pino';
import type { Config } from '../config.js';

export type { Logger };

/** The process' logger, named after the command (`gamegirl`, `gamegirl-discord`). */
export function createLogger(level: Config['logLevel'], name: string): Logger {
  return pino({ level, base: { name } }, pino.destination({ fd: 2, sync: false }));
}
