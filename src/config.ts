import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { LIMIT_SETTINGS, type Limits, limitsFrom, limitsSchema } from './app/limit-settings.js';
import { StoreError } from './core/errors.js';
import { MAX_COUNTDOWN_SECONDS, MIN_COUNTDOWN_SECONDS } from './core/limits.js';
import type { SessionStore } from './core/store-port.js';
import type { ChannelSettings, GameSpec, NarratorFactory } from './host/types.js';
import type { LlmNarratorOptions } from './narrator/llm-config.js';
import { type Narrator, NarratorError } from './narrator/port.js';

/** Where each setting comes from: a flag wins over its environment variable. */
const SETTINGS = {
  port: {
    flag: '--port',
    env: 'PORT',
    help: 'HTTP port of the web console (default 3000; 0 = any free port)',
  },
  host: {
    flag: '--host',
    env: 'GAMEGIRL_HOST',
    help: 'interface to listen on (default 127.0.0.1; 0.0.0.0 for all)',
  },
  dataDir: {
    flag: '--data-dir',
    env: 'GAMEGIRL_DATA_DIR',
    help: 'folder of the SQLite file (default ./data, created)',
  },
  redisUrl: {
    flag: '--redis-url',
    env: 'REDIS_URL',
    help: 'use Redis instead of SQLite, e.g. redis://localhost:6379',
  },
  countdown: {
    flag: '--countdown',
    env: 'GAMEGIRL_COUNTDOWN_SECONDS',
    help: 'length of a countdown window in seconds (default 10)',
  },
  cartridgesDir: {
    flag: '--cartridges-dir',
    env: 'GAMEGIRL_CARTRIDGES_DIR',
    help: 'folder of .ink cartridges (default: the built-in ones)',
  },
  logLevel: {
    flag: '--log-level',
    env: 'GAMEGIRL_LOG_LEVEL',
    help: 'fatal, error, warn, info, debug, trace or silent (default info)',
  },
  shutdownSeconds: {
    flag: '--shutdown-seconds',
    env: 'GAMEGIRL_SHUTDOWN_SECONDS',
    help: 'on SIGTERM, how long to drain (narrations finish, players told) before exiting (default 20)',
  },
  metricsPort: {
    flag: '--metrics-port',
    env: 'GAMEGIRL_METRICS_PORT',
    help: 'serve /metrics, /healthz and /readyz on this port instead of the main one (default: main port)',
  },
  metricsHost: {
    flag: '--metrics-host',
    env: 'GAMEGIRL_METRICS_HOST',
    help: 'interface of the metrics port (default 127.0.0.1)',
  },
  // Exposing the web console (see README "Exposing the console").
  publicHost: {
    flag: '--public-host',
    env: 'GAMEGIRL_PUBLIC_HOST',
    help: 'names the console is reached by (proxy), comma-separated; https:// marks cookies Secure',
  },
  joinCodes: {
    flag: '--join-codes',
    env: 'GAMEGIRL_JOIN_CODES',
    help: 'channels are private: joined only by invite link (gamegirl invite <channel>)',
    boolean: true,
  },
  trustProxy: {
    flag: '--trust-proxy',
    env: 'GAMEGIRL_TRUST_PROXY',
    help: "take the client's address from X-Forwarded-For (only behind a proxy)",
    boolean: true,
  },
  // Channel settings: process-wide defaults for every channel.
  aggregation: {
    flag: '--aggregation',
    env: 'GAMEGIRL_AGGREGATION',
    help: 'all, plurality (most chosen) or host (booter picks); default all',
  },
  closeWhenAllChosen: {
    flag: '--close-when-all-chosen',
    env: 'GAMEGIRL_CLOSE_WHEN_ALL_CHOSEN',
    help: 'close a window once every player here has chosen (default on; off: the variable set to no)',
    boolean: true,
  },
  anyoneMayManage: {
    flag: '--anyone-may-manage',
    env: 'GAMEGIRL_ANYONE_MAY_MANAGE',
    help: 'any player may exit or swap the game (default: its booter, managers)',
    boolean: true,
  },
  // Limits a host may raise (src/app/limit-settings.ts).
  ...LIMIT_SETTINGS,
} as const;

type SettingName = keyof typeof SETTINGS;
export type RawSettings = Partial<Record<SettingName, string>>;
type Setting = (typeof SETTINGS)[SettingName];

/** On/off settings: a bare flag (`--close-when-all-chosen`) or an env var (true/false, 1/0, yes/no). */
function isBoolean(s: Setting): boolean {
  return 'boolean' in s && s.boolean;
}

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  redisUrl: string | null;
  countdownSeconds: number;
  /** The folder of .ink cartridges; undefined for the built-in ones. */
  cartridgesDir: string | undefined;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** The LLM narrator's options (from GAMEGIRL_LLM_*), or null when no LLM is configured. */
  llm: LlmNarratorOptions | null;
  /** Every channel's settings (aggregation, early close, who may manage the game). */
  channelSettings: ChannelSettings;
  /** How long a SIGTERM drain may take before the process exits anyway. */
  shutdownMs: number;
  /** Connection caps, deadlines, rate limits, page sizes and timings. */
  limits: Limits;
  /** A separate listener for /metrics, /healthz and /readyz, or null to serve them on `port`. */
  metrics: { port: number; host: string } | null;
  /** How the web console is exposed. */
  web: {
    /** Host names besides loopback and the bind address (without scheme or path). */
    publicHosts: string[];
    /** A public host was given as https://: session cookies are Secure. */
    secureCookie: boolean;
    joinCodes: boolean;
    trustProxy: boolean;
  };
}

/** The configuration is invalid; `problems` are one line each, naming the flag or variable. */
export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

const TRUE_WORDS = new Set(['true', '1', 'yes']);
const FALSE_WORDS = new Set(['false', '0', 'no']);

const onOffWith = (byDefault: boolean) =>
  z.preprocess(
    blankToUndefined,
    z
      .string()
      .transform((s) => s.trim().toLowerCase())
      .refine((s) => TRUE_WORDS.has(s) || FALSE_WORDS.has(s), {
        message: 'must be true or false (also 1/0, yes/no)',
      })
      .transform((s) => TRUE_WORDS.has(s))
      .default(byDefault),
  );
const onOff = onOffWith(false);

const schema = z.object({
  port: z.preprocess(
    blankToUndefined,
    z
      .string()
      .regex(/^\d{1,5}$/, 'must be a whole number from 0 to 65535')
      .transform(Number)
      .refine((n) => n <= 65535, 'must be a whole number from 0 to 65535')
      .default(3000),
  ),
  host: z.preprocess(blankToUndefined, z.string().min(1).max(255).default('127.0.0.1')),
  dataDir: z.preprocess(blankToUndefined, z.string().min(1).default('./data')),
  redisUrl: z.preprocess(
    blankToUndefined,
    z
      .string()
      .refine((s) => /^rediss?:\/\/|^unix:\/\//.test(s) && URL.canParse(s), {
        message: 'must be a redis://, rediss:// or unix:// URL',
      })
      .nullable()
      .default(null),
  ),
  countdown: z.preprocess(
    blankToUndefined,
    z
      .string()
      .regex(/^\d+(\.\d+)?$/, 'must be a number of seconds')
      .transform(Number)
      .refine((n) => n >= MIN_COUNTDOWN_SECONDS && n <= MAX_COUNTDOWN_SECONDS, {
        message: `must be between ${MIN_COUNTDOWN_SECONDS} and ${MAX_COUNTDOWN_SECONDS} seconds`,
      })
      .default(10),
  ),
  cartridgesDir: z.preprocess(blankToUndefined, z.string().min(1).optional()),
  shutdownSeconds: z.preprocess(
    blankToUndefined,
    z
      .string()
      .regex(/^\d+(\.\d+)?$/, 'must be a number of seconds')
      .transform(Number)
      .refine((n) => n >= 1 && n <= 600, 'must be between 1 and 600 seconds')
      .default(20),
  ),
  metricsPort: z.preprocess(
    blankToUndefined,
    z
      .string()
      .regex(/^\d{1,5}$/, 'must be a whole number from 0 to 65535')
      .transform(Number)
      .refine((n) => n <= 65535, 'must be a whole number from 0 to 65535')
      .optional(),
  ),
  metricsHost: z.preprocess(blankToUndefined, z.string().min(1).max(255).default('127.0.0.1')),
  logLevel: z.preprocess(
    blankToUndefined,
    z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ),
  aggregation: z.preprocess(
    blankToUndefined,
    z
      .enum(['all', 'plurality', 'host'], { message: 'must be all, plurality or host' })
      .default('all'),
  ),
  // On in the consoles: a group that has all chosen moves on (docs/decisions.md, "Fast
  // agreement"); GAMEGIRL_CLOSE_WHEN_ALL_CHOSEN=no runs every window to its end.
  closeWhenAllChosen: onOffWith(true),
  anyoneMayManage: onOff,
  publicHost: z.preprocess(
    blankToUndefined,
    z
      .string()
      .max(1000)
      .transform((s) =>
        s
          .split(',')
          .map((h) => h.trim())
          .filter((h) => h !== ''),
      )
      .refine(
        (hosts) => hosts.every((h) => URL.canParse(/^https?:\/\//.test(h) ? h : `http://${h}`)),
        {
          message: 'must be host names or URLs, comma-separated',
        },
      )
      .default([]),
  ),
  joinCodes: onOff,
  trustProxy: onOff,
  ...limitsSchema,
});

function shown(value: string | undefined): string {
  if (value === undefined) return '';
  const clipped = value.length > 60 ? `${value.slice(0, 57)}...` : value;
  return ` (got ${JSON.stringify(clipped)})`;
}

/**
 * Reads the configuration from flags (parsed by the CLI) over environment variables. Throws
 * ConfigError listing every problem, each naming where the value came from.
 */
export async function loadConfig(
  flags: RawSettings,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<Config> {
  const raw: RawSettings = {};
  const origin: Partial<Record<SettingName, string>> = {};
  for (const name of Object.keys(SETTINGS) as SettingName[]) {
    const fromFlag = flags[name];
    const setting = SETTINGS[name];
    if (fromFlag !== undefined) {
      raw[name] = fromFlag;
      origin[name] = setting.flag;
    } else if (env[setting.env] !== undefined) {
      raw[name] = env[setting.env];
      origin[name] = setting.env;
    }
  }
  const problems: string[] = [];
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const name = issue.path[0] as SettingName;
      const where = origin[name] ?? SETTINGS[name]?.env ?? String(name);
      problems.push(`${where}: ${issue.message}${shown(raw[name])}`);
    }
  }
  let llm: LlmNarratorOptions | null = null;
  try {
    if (env.GAMEGIRL_LLM_BASE_URL?.trim()) {
      const { llmNarratorOptionsFromEnv } = await import('./narrator/llm-config.js');
      llm = llmNarratorOptionsFromEnv(env);
    }
  } catch (err) {
    problems.push((err as Error).message);
  }
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  const d = parsed.data;
  return {
    port: d.port,
    host: d.host,
    dataDir: resolve(d.dataDir),
    redisUrl: d.redisUrl,
    countdownSeconds: d.countdown,
    cartridgesDir: d.cartridgesDir === undefined ? undefined : resolve(d.cartridgesDir),
    logLevel: d.logLevel,
    llm,
    channelSettings: {
      aggregation: d.aggregation,
      closeWhenAllChosen: d.closeWhenAllChosen,
      anyoneMayManage: d.anyoneMayManage,
      countdownSeconds: null, // every channel: the --countdown setting
    },
    shutdownMs: d.shutdownSeconds * 1000,
    limits: limitsFrom(d),
    metrics: d.metricsPort === undefined ? null : { port: d.metricsPort, host: d.metricsHost },
    web: {
      publicHosts: d.publicHost.map((h) =>
        new URL(/^https?:\/\//.test(h) ? h : `http://${h}`).host.toLowerCase(),
      ),
      secureCookie: d.publicHost.some((h) => h.startsWith('https://')),
      joinCodes: d.joinCodes,
      trustProxy: d.trustProxy,
    },
  };
}

/** The settings as `parseArgs` options (`--port <value>`, …; on/off settings as bare flags). */
export function settingFlagOptions(): Record<string, { type: 'string' | 'boolean' }> {
  const options: Record<string, { type: 'string' | 'boolean' }> = {};
  for (const s of Object.values(SETTINGS) as Setting[]) {
    options[s.flag.slice(2)] = { type: isBoolean(s) ? 'boolean' : 'string' };
  }
  return options;
}

/** The settings given as flags, from `parseArgs` values (flags win over env in loadConfig). */
export function settingsFromFlags(values: Record<string, unknown>): RawSettings {
  const raw: RawSettings = {};
  for (const [name, s] of Object.entries(SETTINGS) as Array<[SettingName, Setting]>) {
    const v = values[s.flag.slice(2)];
    if (typeof v === 'string') raw[name] = v;
    else if (v === true) raw[name] = 'true';
  }
  return raw;
}

/** The lines of `--help` describing every setting. */
export function settingsHelp(): string {
  return (Object.values(SETTINGS) as Setting[])
    .map((s) => {
      const usage = isBoolean(s) ? s.flag : `${s.flag} <value>`;
      const env = isBoolean(s) ? `${s.env} (true/false, 1/0, yes/no)` : s.env;
      // A long flag gets its description on the next line, in the same column.
      const head = usage.length < 26 ? usage.padEnd(26) : `${usage}\n  ${''.padEnd(26)}`;
      return `  ${head}${s.help}\n  ${''.padEnd(26)}env: ${env}`;
    })
    .join('\n');
}

/** The configured store: Redis when REDIS_URL is set, else the SQLite file in the data dir. */
export async function openStore(config: Config): Promise<{ store: SessionStore; where: string }> {
  if (config.redisUrl !== null) {
    const { RedisStore } = await import('./redis/store.js');
    // Every press returns the whole window: the view it produces goes to every process.
    const store = await RedisStore.connect(config.redisUrl, { returnPending: true });
    return { store, where: redactUrl(config.redisUrl) };
  }
  try {
    // Saved games are the players' words: the folder is the operator's alone.
    mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw new StoreError(
      `cannot create the data folder ${config.dataDir}: ${(err as Error).message}`,
    );
  }
  const file = join(config.dataDir, 'gamegirl.sqlite');
  const { SqliteStore } = await import('./store/sqlite-store.js');
  return { store: new SqliteStore(file), where: file };
}

/** A URL without its password, for logs and messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable URL)';
  }
}

/** Builds each game's narrator: an ink cartridge, or the configured LLM. */
export async function narratorFactory(config: Config): Promise<NarratorFactory> {
  const llm = config.llm;
  const { InkNarrator } = await import('./narrator/ink.js');
  // The OpenAI SDK and the tokenizer load only when an LLM is configured (they cost startup time).
  const mod = llm === null ? null : await import('./narrator/llm.js');
  // One pool for every game: a provider that asked to be left alone (429) is, by all of them.
  const pool =
    mod === null || llm === null ? null : new mod.ProviderPool(mod.providersOf(llm), llm.fetch);
  return (spec: GameSpec): Narrator => {
    if (spec.kind === 'ink') return new InkNarrator(spec.cartridge, config.cartridgesDir);
    if (llm === null || mod === null || pool === null) {
      throw new NarratorError('unreachable', 'no LLM is configured (set GAMEGIRL_LLM_BASE_URL)');
    }
    return new mod.LlmNarrator({ ...llm, premise: spec.premise }, pool);
  };
}
