#!/usr/bin/env node
// gamegirl: the GameGirl Color command line (serve the web console, list games, check setup).
import { createServer } from 'node:net';
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { type CommandIo, processIo } from './app/io.js';
import {
  type Config,
  ConfigError,
  loadConfig,
  openStore,
  redactUrl,
  settingFlagOptions,
  settingsFromFlags,
  settingsHelp,
} from './config.js';
import { systemClock } from './core/clock.js';
import { underDeadline } from './core/deadline.js';
import { type GameSpend, llmSpendOf, shortCount } from './narrator/llm-state.js';

// Commands import what they need when they run, so `--help` and errors answer fast.
async function catalog(dir: string | undefined) {
  const { listCartridges } = await import('./narrator/cartridges.js');
  return listCartridges(dir);
}

const USAGE = `gamegirl: multiplayer, narrator-driven games in the browser and in chat channels

Usage: gamegirl <command> [options]

Commands:
  serve    serve the web console (what \`npm start\` runs)
  games    list saved games
  invite   print a channel's invite link (with its join code when --join-codes is on)
  doctor   check the configuration, the store and the narrators (exit code 0 = all good)
  export   write a saved game as Markdown or a JSON archive (\`--all\`: every game, NDJSON)
  import   read games written by \`export\` into the configured store (SQLite or Redis)
  backup   copy the SQLite data folder's database, consistent while serving
  discord  run the Discord bot (gateway, or --http); \`discord register [--guild ID]\` registers /gamegirl

Run \`gamegirl <command> --help\` for a command's options.`;

const COMMAND_HELP: Record<string, string> = {
  serve: `Usage: gamegirl serve [options]

Serves the GameGirl Color web console. Games are saved in a SQLite file in the data folder, or in
Redis when REDIS_URL is set; built-in ink cartridges are always available, an LLM narrator when
GAMEGIRL_LLM_BASE_URL (and GAMEGIRL_LLM_MODEL, GAMEGIRL_LLM_API_KEY) are set: comma-separated
lists for fallback providers; GAMEGIRL_LLM_TIMEOUT_MS, GAMEGIRL_LLM_CONTEXT_TOKENS (prompt budget,
default 3000) and GAMEGIRL_LLM_MAX_TOKENS_PER_GAME (cap per game, default none) tune it.

Options (each also read from its environment variable):
${settingsHelp()}
  -h, --help                show this help`,
  games: `Usage: gamegirl games [options]

Lists saved games, newest first, with the tokens each LLM game has spent (prompt in / completion
out).

Options:
  --json                    print JSON instead of a table
  --limit <n>               show at most n games (default 100)
  --data-dir <dir>          env: GAMEGIRL_DATA_DIR (default ./data)
  --redis-url <url>         env: REDIS_URL
  -h, --help                show this help`,
  doctor: `Usage: gamegirl doctor [options]

Checks the configuration, that the store opens and answers, that the cartridges compile, that each
LLM provider (if configured) answers, what the LLM games have spent against the cap, and that the
port is free. Exit code 0 when every check passes, 1 otherwise.

Options: the same as \`gamegirl serve\` (see \`gamegirl serve --help\`).`,
};

const io: CommandIo = processIo;

async function games(values: Record<string, unknown>): Promise<number> {
  const limitText = typeof values.limit === 'string' ? values.limit : '100';
  const limit = Number(limitText);
  if (!/^\d+$/.test(limitText) || limit < 1) {
    io.err(
      `gamegirl games: --limit must be a whole number of at least 1 (got ${JSON.stringify(limitText)})`,
    );
    return 2;
  }
  const config = await loadConfig(settingsFromFlags(values));
  const { listAllGames } = await import('./core/games.js');
  const { store } = await openStore(config);
  try {
    const list = await listAllGames(store, { max: limit });
    const spends = await gameSpends(store, list);
    if (values.json === true) {
      const withSpend = list.map((g, i) => ({ ...g, llmSpend: spends[i] ?? null }));
      io.out(JSON.stringify(withSpend, null, 2));
      return 0;
    }
    if (list.length === 0) {
      io.out('No saved games yet. Start one with `gamegirl serve`.');
      return 0;
    }
    const rows = list.map((g, i) => {
      const spend = spends[i];
      return [
        g.gameId,
        g.gameName || '(untitled)',
        String(g.turnNumber),
        g.active ? `playing in #${g.channelId}` : 'saved',
        spend ? `${shortCount(spend.prompt)} in / ${shortCount(spend.completion)} out` : '-',
        new Date(g.updatedAt).toISOString().replace('T', ' ').slice(0, 19),
      ];
    });
    const head = ['ID', 'NAME', 'TURN', 'STATE', 'LLM TOKENS', 'UPDATED (UTC)'];
    const widths = head.map((h, i) =>
      Math.max(h.length, ...rows.map((r) => (r[i] as string).length)),
    );
    const line = (r: string[]) =>
      r
        .map((c, i) => c.padEnd(widths[i] as number))
        .join('  ')
        .trimEnd();
    io.out(line(head));
    for (const r of rows) io.out(line(r));
    return 0;
  } finally {
    await store.close();
  }
}

/** Each game's LLM spend (from its saved narrator state), null for ink games. */
async function gameSpends(
  store: import('./core/store-port.js').SessionStore,
  list: readonly { gameId: string }[],
): Promise<Array<GameSpend | null>> {
  const out: Array<GameSpend | null> = [];
  for (const g of list) {
    const d = await store.loadGame(g.gameId);
    out.push(llmSpendOf(d?.extra.narratorState));
  }
  return out;
}

/** The doctor's spend line: what every LLM game has used, against the cap. */
async function spendReport(config: Config): Promise<string | null> {
  const { listAllGames } = await import('./core/games.js');
  const { store } = await openStore(config);
  try {
    const spends = (await gameSpends(store, await listAllGames(store, { max: 1000 }))).filter(
      (x): x is GameSpend => x !== null,
    );
    const cap = config.llm?.maxTokensPerGame ?? null;
    if (spends.length === 0 && config.llm === null) return null;
    const prompt = spends.reduce((a, s) => a + s.prompt, 0);
    const completion = spends.reduce((a, s) => a + s.completion, 0);
    const games = `${spends.length} LLM game${spends.length === 1 ? '' : 's'}`;
    const atCap =
      cap === null ? 0 : spends.filter((s) => s.prompt + s.completion >= cap * 0.9).length;
    const capText =
      cap === null
        ? 'no cap per game (GAMEGIRL_LLM_MAX_TOKENS_PER_GAME)'
        : `cap ${cap.toLocaleString('en-US')} per game, ${atCap} within 10% of it`;
    return `${games}: ${prompt.toLocaleString('en-US')} prompt + ${completion.toLocaleString('en-US')} completion tokens; ${capText}`;
  } finally {
    await store.close();
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  const timeoutError = () => new Error(`${what} did not answer within ${ms / 1000} s`);
  return underDeadline(() => promise, {
    controller: new AbortController(),
    clock: systemClock,
    timeoutMs: ms,
    timeoutError,
    abortError: timeoutError,
  });
}

async function doctor(values: Record<string, unknown>): Promise<number> {
  let failed = 0;
  const report = (ok: boolean | 'skip', name: string, detail: string) => {
    if (ok === false) failed++;
    io.out(`${ok === 'skip' ? '-' : ok ? '✓' : '✗'} ${name.padEnd(11)}${detail}`);
  };
  let config: Config;
  try {
    config = await loadConfig(settingsFromFlags(values));
    const c = config.channelSettings;
    report(
      true,
      'config',
      `port ${config.port}, countdown ${config.countdownSeconds} s, aggregation ${c.aggregation}` +
        `${c.closeWhenAllChosen ? ', closes when all chose' : ''}` +
        `${c.anyoneMayManage ? ', anyone may manage' : ''}`,
    );
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    for (const p of err.problems) report(false, 'config', p);
    return 1;
  }
  try {
    const { store, where } = await withTimeout(openStore(config), 5000, 'the store');
    try {
      const page = await withTimeout(store.listGames({ limit: 1 }), 5000, 'the store');
      report(true, 'store', `${where} (${page.games.length === 0 ? 'no games yet' : 'has games'})`);
    } finally {
      await store.close();
    }
  } catch (err) {
    report(false, 'store', (err as Error).message);
  }
  try {
    const carts = await catalog(config.cartridgesDir);
    if (carts.length === 0) report(false, 'cartridges', 'no cartridges found');
    else report(true, 'cartridges', carts.map((c) => c.id).join(', '));
  } catch (err) {
    report(false, 'cartridges', (err as Error).message);
  }
  if (config.llm === null) {
    report('skip', 'llm', 'not configured (set GAMEGIRL_LLM_BASE_URL to enable)');
  } else {
    const { providersOf } = await import('./narrator/llm-config.js');
    const providers = providersOf(config.llm);
    for (const [i, p] of providers.entries()) {
      const name = providers.length === 1 ? 'llm' : `llm ${i + 1}`;
      const url = `${p.baseURL.replace(/\/+$/, '')}/models`;
      try {
        const headers: Record<string, string> = p.apiKey
          ? { Authorization: `Bearer ${p.apiKey}` }
          : {};
        const res = await fetch(url, { headers, signal: AbortSignal.timeout(5000) });
        if (res.status === 401 || res.status === 403) {
          report(false, name, `${redactUrl(url)} refused the API key (HTTP ${res.status})`);
        } else if (res.status >= 500) {
          report(false, name, `${redactUrl(url)} answered HTTP ${res.status}`);
        } else {
          report(
            true,
            name,
            `${redactUrl(p.baseURL)} answers (HTTP ${res.status}), model ${p.model}`,
          );
        }
      } catch (err) {
        report(false, name, `${redactUrl(url)} is unreachable: ${(err as Error).message}`);
      }
    }
  }
  try {
    const line = await withTimeout(spendReport(config), 10_000, 'the store');
    if (line !== null) report(true, 'llm spend', line);
  } catch (err) {
    report(false, 'llm spend', (err as Error).message);
  }
  const free = await new Promise<boolean>((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(config.port, config.host, () => probe.close(() => resolve(true)));
  });
  // A busy port is not a failure: the console may be the one using it.
  report(
    free ? true : 'skip',
    'port',
    free
      ? `${config.host}:${config.port} is free`
      : `${config.host}:${config.port} is in use (a running console?)`,
  );
  io.out(failed === 0 ? 'All checks passed.' : `${failed} check(s) failed.`);
  return failed === 0 ? 0 : 1;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    io.out(USAGE);
    return command === undefined ? 2 : 0;
  }
  if (command === 'discord') {
    // The Discord adapter parses its own flags (register, --http, --guild, settings).
    const { runDiscord } = await import('./app/discord.js');
    return runDiscord({ argv: rest });
  }
  if (command === 'invite') {
    const { runInvite } = await import('./app/invite.js');
    return runInvite(rest, io);
  }
  if (command === 'export' || command === 'import' || command === 'backup') {
    // Saved games between stores and files (src/app/): each parses its own flags.
    const run =
      command === 'export'
        ? (await import('./app/export.js')).runExport
        : command === 'import'
          ? (await import('./app/import.js')).runImport
          : (await import('./app/backup.js')).runBackup;
    return run(rest, io);
  }
  if (command === 'cartridge') {
    // The author's commands parse their own flags (src/cartridge-kit/cli.ts).
    const { runCartridge } = await import('./cartridge-kit/cli.js');
    return runCartridge(rest, io);
  }
  if (!(command in COMMAND_HELP)) {
    io.err(`gamegirl: unknown command ${JSON.stringify(command)}\n\n${USAGE}`);
    return 2;
  }
  const options: ParseArgsConfig['options'] = {
    ...settingFlagOptions(),
    help: { type: 'boolean', short: 'h' },
  };
  if (command === 'games') {
    options.json = { type: 'boolean' };
    options.limit = { type: 'string' };
  }
  let values: Record<string, unknown>;
  try {
    ({ values } = parseArgs({
      args: rest,
      options,
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    io.err(`gamegirl ${command}: ${(err as Error).message}\nRun \`gamegirl ${command} --help\`.`);
    return 2;
  }
  if (values.help === true) {
    io.out(COMMAND_HELP[command] as string);
    return 0;
  }
  try {
    if (command === 'doctor') return await doctor(values);
    if (command === 'games') return await games(values);
    const { runServe } = await import('./app/serve.js');
    return await runServe(await loadConfig(settingsFromFlags(values)), io);
  } catch (err) {
    if (err instanceof ConfigError) {
      io.err(`gamegirl ${command}: ${err.message}`);
      return 2;
    }
    io.err(`gamegirl ${command}: ${(err as Error).message}`);
    return 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    io.err(`gamegirl: ${(err as Error).stack ?? String(err)}`);
    process.exitCode = 1;
  },
);
