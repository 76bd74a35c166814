// The limits a host may need to raise (or lower) as its community grows: connection caps, the
// join deadline, players per channel, rate limits, page sizes and timings. Each is a setting with
// a flag and an environment variable, read by loadConfig (src/config.ts) with the others.
import { z } from 'zod';

/** At most `presses` in any `perMs` (a sliding window); written `5/2s`, `10/1m`, `3/500ms`. */
export interface Rate {
  presses: number;
  perMs: number;
}

export interface Limits {
  /** Simultaneous WebSocket connections of the web console. */
  maxConnections: number;
  /** Simultaneous WebSocket connections from one client address. */
  maxConnectionsPerAddress: number;
  /** Players (connections) in one channel of the web console. */
  maxPlayersPerChannel: number;
  /** A WebSocket connection must join a channel within this time. */
  joinDeadlineMs: number;
  /** Ping interval that finds dead WebSocket connections. */
  heartbeatMs: number;
  /** Games per page of the web console's saved-games menu. */
  gamesPageSize: number;
  /** Presses per player, boots per player, LLM boots per player (on top of boots). */
  pressRate: Rate;
  bootRate: Rate;
  llmBootRate: Rate;
  /** Boots and LLM boots per client address of the web console, whoever the player. */
  addressBootRate: Rate;
  addressLlmBootRate: Rate;
  /** The host's bound on one narration; null: 60 s, or the LLM's own timeout if longer. */
  narratorTimeoutMs: number | null;
  /** How long a Discord player who pressed or joined counts as at the table. */
  discordPresenceMs: number;
  /** An idle channel is let go from memory after this long (Infinity: never); null: the
   *  host's default (10 min). */
  evictIdleAfterMs: number | null;
}

export const LIMIT_SETTINGS = {
  maxConnections: {
    flag: '--max-connections',
    env: 'GAMEGIRL_MAX_CONNECTIONS',
    help: 'simultaneous WebSocket connections the console accepts (default 1000)',
  },
  maxConnectionsPerAddress: {
    flag: '--max-connections-per-address',
    env: 'GAMEGIRL_MAX_CONNECTIONS_PER_ADDRESS',
    help: 'WebSocket connections from one client address (default 20)',
  },
  maxPlayersPerChannel: {
    flag: '--max-players-per-channel',
    env: 'GAMEGIRL_MAX_PLAYERS_PER_CHANNEL',
    help: 'players (connections) in one channel of the console (default 300)',
  },
  joinDeadline: {
    flag: '--join-deadline-seconds',
    env: 'GAMEGIRL_JOIN_DEADLINE_SECONDS',
    help: 'a WebSocket connection that has not joined a channel by then is closed (default 10)',
  },
  heartbeat: {
    flag: '--heartbeat-seconds',
    env: 'GAMEGIRL_HEARTBEAT_SECONDS',
    help: 'ping interval that finds dead WebSocket connections (default 30)',
  },
  gamesPageSize: {
    flag: '--games-page-size',
    env: 'GAMEGIRL_GAMES_PAGE_SIZE',
    help: 'games per page of the saved-games menu, 1 to 100 (default 20)',
  },
  pressRate: {
    flag: '--press-rate',
    env: 'GAMEGIRL_PRESS_RATE',
    help: 'presses per player, as count/time (default 5/2s)',
  },
  bootRate: {
    flag: '--boot-rate',
    env: 'GAMEGIRL_BOOT_RATE',
    help: 'new games per player (default 10/1m)',
  },
  llmBootRate: {
    flag: '--llm-boot-rate',
    env: 'GAMEGIRL_LLM_BOOT_RATE',
    help: 'new LLM stories per player, on top of --boot-rate (default 3/1m)',
  },
  addressBootRate: {
    flag: '--address-boot-rate',
    env: 'GAMEGIRL_ADDRESS_BOOT_RATE',
    help: 'new games per client address of the console (default 20/1m)',
  },
  addressLlmBootRate: {
    flag: '--address-llm-boot-rate',
    env: 'GAMEGIRL_ADDRESS_LLM_BOOT_RATE',
    help: 'new LLM stories per client address of the console (default 5/1m)',
  },
  narratorTimeout: {
    flag: '--narrator-timeout-seconds',
    env: 'GAMEGIRL_NARRATOR_TIMEOUT_SECONDS',
    help: 'a narration taking longer fails the turn visibly (default 60, or the LLM timeout + 5)',
  },
  discordPresence: {
    flag: '--discord-presence-minutes',
    env: 'GAMEGIRL_DISCORD_PRESENCE_MINUTES',
    help: 'a Discord player counts as at the table this long after pressing (default 15)',
  },
  evictIdle: {
    flag: '--evict-idle-minutes',
    env: 'GAMEGIRL_EVICT_IDLE_MINUTES',
    help: 'an idle channel is let go from memory (reloaded on use) after this long; 0 = never (default 10)',
  },
} as const;

const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

function wholeNumber(min: number, max: number, fallback: number) {
  const message = `must be a whole number from ${min} to ${max}`;
  return z.preprocess(
    blankToUndefined,
    z
      .string()
      .trim()
      .regex(/^\d{1,9}$/, message)
      .transform(Number)
      .refine((n) => n >= min && n <= max, message)
      .default(fallback),
  );
}

function seconds(min: number, max: number, unit: 'seconds' | 'minutes') {
  const message = `must be a number of ${unit} from ${min} to ${max}`;
  return z.preprocess(
    blankToUndefined,
    z
      .string()
      .trim()
      .regex(/^\d{1,7}(\.\d{1,3})?$/, message)
      .transform(Number)
      .refine((n) => n >= min && n <= max, message)
      .optional(),
  );
}

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;
const RATE_MESSAGE = 'must be count/time, e.g. 5/2s, 10/1m or 3/500ms (1 to 1000000 per up to 24h)';

/** `5/2s` → { presses: 5, perMs: 2000 }. */
function rate(fallback: Rate) {
  return z.preprocess(
    blankToUndefined,
    z
      .string()
      .trim()
      .transform((s, ctx) => {
        const m = /^(\d{1,7})\/(\d{1,6}(?:\.\d{1,3})?)(ms|s|m|h)$/.exec(s);
        const presses = Number(m?.[1]);
        const perMs = Number(m?.[2]) * UNIT_MS[(m?.[3] ?? 'ms') as keyof typeof UNIT_MS];
        if (
          m === null ||
          presses < 1 ||
          presses > 1_000_000 ||
          !(perMs >= 1 && perMs <= 86_400_000)
        ) {
          ctx.addIssue({ code: 'custom', message: RATE_MESSAGE });
          return z.NEVER;
        }
        return { presses, perMs: Math.round(perMs) };
      })
      .default(fallback),
  );
}

export const limitsSchema = {
  maxConnections: wholeNumber(1, 1_000_000, 1000),
  maxConnectionsPerAddress: wholeNumber(1, 1_000_000, 20),
  maxPlayersPerChannel: wholeNumber(1, 100_000, 300),
  joinDeadline: seconds(1, 3600, 'seconds'),
  heartbeat: seconds(1, 3600, 'seconds'),
  gamesPageSize: wholeNumber(1, 100, 20),
  pressRate: rate({ presses: 5, perMs: 2000 }),
  bootRate: rate({ presses: 10, perMs: 60_000 }),
  llmBootRate: rate({ presses: 3, perMs: 60_000 }),
  addressBootRate: rate({ presses: 20, perMs: 60_000 }),
  addressLlmBootRate: rate({ presses: 5, perMs: 60_000 }),
  narratorTimeout: seconds(1, 3600, 'seconds'),
  discordPresence: seconds(1, 1440, 'minutes'),
  evictIdle: seconds(0, 1440, 'minutes'),
};

type Parsed = z.output<z.ZodObject<typeof limitsSchema>>;

export function limitsFrom(d: Parsed): Limits {
  return {
    maxConnections: d.maxConnections,
    maxConnectionsPerAddress: d.maxConnectionsPerAddress,
    maxPlayersPerChannel: d.maxPlayersPerChannel,
    joinDeadlineMs: (d.joinDeadline ?? 10) * 1000,
    heartbeatMs: (d.heartbeat ?? 30) * 1000,
    gamesPageSize: d.gamesPageSize,
    pressRate: d.pressRate,
    bootRate: d.bootRate,
    llmBootRate: d.llmBootRate,
    addressBootRate: d.addressBootRate,
    addressLlmBootRate: d.addressLlmBootRate,
    narratorTimeoutMs: d.narratorTimeout === undefined ? null : d.narratorTimeout * 1000,
    discordPresenceMs: (d.discordPresence ?? 15) * 60_000,
    evictIdleAfterMs:
      d.evictIdle === undefined
        ? null
        : d.evictIdle === 0
          ? Number.POSITIVE_INFINITY
          : d.evictIdle * 60_000,
  };
}

/** The host's bound on a narration: the setting, else 60 s or the LLM's timeout + 5 s if longer
 *  (so that raising GAMEGIRL_LLM_TIMEOUT_MS is not cut short by the host). */
export function narratorTimeoutMs(limits: Limits, llmTimeoutMs: number | null): number {
  if (limits.narratorTimeoutMs !== null) return limits.narratorTimeoutMs;
  return Math.max(60_000, llmTimeoutMs === null ? 0 : llmTimeoutMs + 5000);
}
