// `gamegirl serve`: the web console around a GameHost, assembled from the configuration.
import type { Config } from '../config.js';
import { listCartridges } from '../narrator/cartridges.js';
import { renderTitlePng } from '../title/title-screen.js';
import { createWebConsole, type WebConsole, webTitleScreen } from '../web/server.js';
import { loadSessionSecret } from '../web/session-secret.js';
import { DataDirLockedError } from './data-lock.js';
import { type CommandIo, EXIT } from './io.js';
import { listenForStop, runUntilStopped } from './lifecycle.js';
import { createLogger } from './logger.js';
import { listenOps, type OpsServer } from './ops-http.js';
import { HostStartError, type StartedHost, startHost } from './start-host.js';

/** A listen failure as one sentence for the operator, or null when it is not one we explain. */
export function listenProblem(err: unknown, port: number, flag: string): string | null {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') return `port ${port} is already in use; choose another with ${flag}`;
  if (code === 'EACCES') return `not allowed to listen on port ${port}; choose a port above 1023`;
  return null;
}

/** Of the shutdown bound, what is kept for closing connections and the store after draining. */
export const DRAIN_MARGIN_MS = 3000;

/** Serves the web console until SIGINT/SIGTERM; resolves with the exit code. */
export async function runServe(config: Config, io: CommandIo): Promise<number> {
  const logger = createLogger(config.logLevel, 'gamegirl');
  let started: StartedHost;
  try {
    started = await startHost(config, { titleScreen: webTitleScreen, log: logger });
  } catch (err) {
    if (err instanceof DataDirLockedError) {
      io.err(`gamegirl: ${err.message}`);
      return EXIT.locked;
    }
    if (!(err instanceof HostStartError)) throw err;
    io.err(`gamegirl: ${err.message}`);
    return EXIT.failed;
  }
  const { host, store, where } = started;
  let web: WebConsole;
  try {
    web = await createWebConsole({
      host,
      port: config.port,
      hostname: config.host,
      secret: loadSessionSecret(config.dataDir, process.env.GAMEGIRL_SESSION_SECRET),
      publicHosts: config.web.publicHosts,
      secureCookie: config.web.secureCookie,
      joinCodes: config.web.joinCodes,
      trustProxy: config.web.trustProxy,
      logger,
      maxConnections: config.limits.maxConnections,
      maxConnectionsPerAddress: config.limits.maxConnectionsPerAddress,
      maxPlayersPerChannel: config.limits.maxPlayersPerChannel,
      joinDeadlineMs: config.limits.joinDeadlineMs,
      heartbeatMs: config.limits.heartbeatMs,
      gamesPageSize: config.limits.gamesPageSize,
      bootsPerAddress: config.limits.addressBootRate,
      llmBootsPerAddress: config.limits.addressLlmBootRate,
      llmEnabled: config.llm !== null,
      cartridges: () => listCartridges(config.cartridgesDir),
      gameName: async (gameId) => (await store.loadGame(gameId))?.game_name ?? null,
      renderTitle: (name) => renderTitlePng(name),
      ...(config.metrics === null ? { routes: started.ops } : {}),
    });
  } catch (err) {
    await started.close();
    const problem = listenProblem(err, config.port, '--port or PORT');
    if (problem === null) throw err;
    io.err(`gamegirl: ${problem}`);
    return EXIT.failed;
  }
  const w = web;
  started.metrics.gauge('gamegirl_websocket_connections', 'Open WebSocket connections', () =>
    w.connections(),
  );
  let ops: OpsServer | null = null;
  if (config.metrics !== null) {
    try {
      ops = await listenOps(started.ops, config.metrics.port, config.metrics.host);
    } catch (err) {
      await web.close();
      await started.close();
      const problem = listenProblem(err, config.metrics.port, '--metrics-port');
      if (problem === null) throw err;
      io.err(`gamegirl: ${problem}`);
      return EXIT.failed;
    }
    io.out(`  metrics and health: ${ops.url}metrics`);
  }
  const stop = listenForStop();
  logger.info({ store: where, llm: config.llm !== null }, 'serving');
  io.out(`GameGirl Color is running at ${web.url}`);
  for (const line of web.exposure) io.err(line);
  const llmModels = config.llm
    ? (await import('../narrator/llm-config.js')).providersOf(config.llm).map((p) => p.model)
    : [];
  io.out(`  saved games: ${where}${llmModels.length ? `  ·  LLM: ${llmModels.join(' → ')}` : ''}`);
  return runUntilStopped({
    logger,
    stop,
    shutdownMs: config.shutdownMs,
    err: io.err,
    shutdown: async () => {
      // Not ready any more, no new players; narrations in progress finish within the bound
      // (keeping a margin to close), then every player is told the server is restarting.
      started.drain();
      web.stopAccepting();
      await host.drain(Math.max(0, config.shutdownMs - DRAIN_MARGIN_MS));
      await web.close({ restarting: true });
      await started.close();
      await ops?.close();
    },
  });
}
