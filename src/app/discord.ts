// `gamegirl discord`: the Discord adapter around a GameHost, assembled from the configuration
// (gateway or HTTP interactions), or the registration of the slash commands.
import { once } from 'node:events';
import type { Server } from 'node:http';
import { parseArgs } from 'node:util';
import { type Client, REST } from 'discord.js';
import {
  ConfigError,
  loadConfig,
  settingFlagOptions,
  settingsFromFlags,
  settingsHelp,
} from '../config.js';
import { registerCommands } from '../discord/commands.js';
import { startGateway } from '../discord/gateway.js';
import { InteractionHandler } from '../discord/handler.js';
import { createInteractionServer, publicKeyFromHex } from '../discord/http.js';
import { restMessenger } from '../discord/messenger.js';
import { Presenter, scenePostClaim } from '../discord/presenter.js';
import { sharedInteractionClaims } from '../discord/replay-guard.js';
import { listCartridges } from '../narrator/cartridges.js';
import { RedisStore } from '../redis/store.js';
import { DataDirLockedError } from './data-lock.js';
import { EXIT } from './io.js';
import { listenForStop, runUntilStopped } from './lifecycle.js';
import { createLogger } from './logger.js';
import { listenOps, type OpsServer } from './ops-http.js';
import { DRAIN_MARGIN_MS, listenProblem } from './serve.js';
import { HostStartError, type StartedHost, startHost } from './start-host.js';

const DISCORD_HELP = `Usage: gamegirl discord [--http] [options]
       gamegirl discord register [--guild <id>]

Runs GameGirl Color as a Discord bot: one game per channel, /gamegirl commands, choice buttons.

Environment:
  DISCORD_TOKEN             the bot token (required)
  DISCORD_APPLICATION_ID    the application id (required)
  DISCORD_PUBLIC_KEY        the application's public key (required with --http)

Modes:
  (default)                 gateway: the bot connects to Discord (intent Guilds only)
  --http                    HTTP interactions: serve the Interactions Endpoint URL at
                            http://<--host>:<--port>/interactions (stateless; run several
                            workers behind a load balancer with REDIS_URL set)
  register                  register the slash commands (--guild <id>: in one server, instantly,
                            for development; without it: globally, for production)

Options (each also read from its environment variable):
${settingsHelp()}
  -h, --help                show this help`;

export interface RunDiscordOptions {
  /** The arguments after \`gamegirl discord\`. */
  argv: string[];
  env?: Readonly<Record<string, string | undefined>>;
  out?: (line: string) => void;
  err?: (line: string) => void;
  /** Stops the bot (default: SIGINT / SIGTERM). */
  signal?: AbortSignal;
  /** Discord's API base (tests point it at a fake Discord). */
  api?: string;
  /** Called once the bot is up, with the HTTP endpoint's URL in HTTP mode (tests). */
  onReady?: (info: { url: string | null }) => void;
}

/**
 * \`gamegirl discord\`: runs the bot (gateway or HTTP interactions) until stopped, or registers
 * the slash commands. Returns the process exit code (0 ok, 1 failure, 2 usage/configuration).
 */
export async function runDiscord(options: RunDiscordOptions): Promise<number> {
  const env = options.env ?? process.env;
  const out = options.out ?? ((s: string) => process.stdout.write(`${s}\n`));
  const err = options.err ?? ((s: string) => process.stderr.write(`${s}\n`));
  const flagOptions: Record<string, { type: 'string' | 'boolean'; short?: string }> = {
    http: { type: 'boolean' },
    guild: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  };
  Object.assign(flagOptions, settingFlagOptions());
  let values: Record<string, unknown>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: options.argv,
      options: flagOptions,
      allowPositionals: true,
      strict: true,
    }));
  } catch (e) {
    err(`gamegirl discord: ${(e as Error).message}\nRun \`gamegirl discord --help\`.`);
    return 2;
  }
  if (values.help === true) {
    out(DISCORD_HELP);
    return 0;
  }
  const register = positionals[0] === 'register';
  if (positionals.length > (register ? 1 : 0)) {
    err(
      `gamegirl discord: unexpected ${JSON.stringify(positionals.join(' '))}\nRun \`gamegirl discord --help\`.`,
    );
    return 2;
  }
  const token = env.DISCORD_TOKEN?.trim() ?? '';
  const applicationId = env.DISCORD_APPLICATION_ID?.trim() ?? '';
  const problems: string[] = [];
  if (token === '')
    problems.push('DISCORD_TOKEN is not set (the bot token from the Developer Portal)');
  if (!/^[0-9]{1,20}$/.test(applicationId))
    problems.push('DISCORD_APPLICATION_ID must be the application id (digits)');
  const guild = typeof values.guild === 'string' ? values.guild : undefined;
  if (guild !== undefined && !/^[0-9]{1,20}$/.test(guild))
    problems.push('--guild must be a server id (digits)');
  const http = values.http === true;
  let publicKey: ReturnType<typeof publicKeyFromHex> | null = null;
  if (http && !register) {
    try {
      publicKey = publicKeyFromHex(env.DISCORD_PUBLIC_KEY?.trim() ?? '');
    } catch (e) {
      problems.push((e as Error).message);
    }
  }
  if (problems.length > 0) {
    err(`gamegirl discord: invalid configuration:\n  ${problems.join('\n  ')}`);
    return 2;
  }
  const rest = new REST({ version: '10', ...(options.api ? { api: options.api } : {}) }).setToken(
    token,
  );
  if (register) {
    try {
      const names = await registerCommands({ token, applicationId, guildId: guild, rest });
      out(
        `Registered /${names.join(', /')} ${guild ? `in server ${guild}` : 'globally (may take a while to appear)'}.`,
      );
      return 0;
    } catch (e) {
      err(`gamegirl discord register: ${(e as Error).message}`);
      return 1;
    }
  }
  let config: Awaited<ReturnType<typeof loadConfig>>;
  try {
    config = await loadConfig(settingsFromFlags(values), env);
  } catch (e) {
    if (e instanceof ConfigError) {
      err(`gamegirl discord: ${e.message}`);
      return 2;
    }
    throw e;
  }
  const logger = createLogger(config.logLevel, 'gamegirl-discord');
  let started: StartedHost;
  try {
    started = await startHost(config, { log: logger });
  } catch (e) {
    if (e instanceof DataDirLockedError) {
      err(`gamegirl discord: ${e.message}`);
      return EXIT.locked;
    }
    if (!(e instanceof HostStartError)) throw e;
    err(`gamegirl discord: ${e.message}`);
    return EXIT.failed;
  }
  const { host, store, where } = started;
  // Workers sharing channels through Redis: one of them posts each scene.
  const shared = store instanceof RedisStore ? store : null;
  const presenter = new Presenter({
    messenger: restMessenger(rest),
    subscribe: (c, l) => host.subscribe(c, l),
    ...(shared === null ? {} : { claimPost: scenePostClaim(shared) }),
    log: logger,
  });
  const handler = new InteractionHandler({
    host,
    presenter,
    cartridges: () => listCartridges(config.cartridgesDir),
    llm: config.llm !== null,
    presenceTtlMs: config.limits.discordPresenceMs,
    log: logger,
    onAcknowledged: (kind, ms) => started.metrics.interaction(kind, ms),
  });
  let ops: OpsServer | null = null;
  let client: Client | null = null;
  let server: Server | null = null;
  const shutdown = async (): Promise<void> => {
    started.drain();
    try {
      await host.drain(Math.max(0, config.shutdownMs - DRAIN_MARGIN_MS));
      if (server !== null) {
        const s = server;
        s.closeAllConnections();
        await new Promise<void>((resolve) => s.close(() => resolve()));
      }
      await client?.destroy();
      await ops?.close();
      await Promise.race([
        handler.idle().then(() => presenter.settled()),
        new Promise((r) => setTimeout(r, 3000).unref()),
      ]);
      presenter.close();
    } finally {
      await started.close();
    }
  };
  const stop = listenForStop(options.signal);
  try {
    if (config.metrics !== null) {
      ops = await listenOps(started.ops, config.metrics.port, config.metrics.host);
      out(`  metrics and health: ${ops.url}metrics`);
    }
    if (publicKey !== null) {
      const s = createInteractionServer({
        publicKey,
        handler,
        rest,
        log: logger,
        // Workers behind one balancer: a replay sent to another worker is caught too.
        ...(shared === null ? {} : { claimInteraction: sharedInteractionClaims(shared) }),
        ...(config.metrics === null ? { routes: started.ops } : {}),
      });
      server = s;
      s.listen(config.port, config.host);
      await once(s, 'listening');
      const address = s.address();
      const port = typeof address === 'object' && address !== null ? address.port : config.port;
      const url = `http://${config.host}:${port}/interactions`;
      out(`GameGirl Color answers Discord interactions at ${url} (saved games: ${where})`);
      options.onReady?.({ url });
    } else {
      client = await startGateway({
        token,
        handler,
        clientOptions: options.api ? { rest: { api: options.api } } : {},
        log: logger,
      });
      out(`GameGirl Color is online as ${client.user?.tag ?? 'the bot'} (saved games: ${where})`);
      options.onReady?.({ url: null });
    }
  } catch (e) {
    stop.dispose();
    await shutdown().catch(() => {});
    err(
      `gamegirl discord: ${listenProblem(e, config.port, '--port or PORT') ?? (e as Error).message}`,
    );
    logger.flush();
    return EXIT.failed;
  }
  return runUntilStopped({
    logger,
    stop,
    shutdownMs: config.shutdownMs,
    err,
    shutdown,
  });
}
