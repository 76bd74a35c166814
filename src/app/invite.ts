import { ConfigError, loadConfig, settingsFromFlags } from '../config.js';
import { checkChannelId } from '../core/limits.js';
import { SessionKeys } from '../web/identity.js';
import { loadSessionSecret } from '../web/session-secret.js';
import { type CommandIo, parseCommandArgs } from './io.js';

const INVITE_HELP = `Usage: gamegirl invite <channel> [options]

Prints the invite link of a channel: with --join-codes (GAMEGIRL_JOIN_CODES) a private channel is
joined only through it. The link carries the channel's join code, derived from the console's
session secret (GAMEGIRL_SESSION_SECRET, else session.key in the data folder): run it with the
same settings as \`gamegirl serve\`.`;

/** `gamegirl invite <channel>`: the channel's invite link (its join code included). */
export async function runInvite(argv: string[], io: CommandIo): Promise<number> {
  const args = parseCommandArgs('invite', argv, INVITE_HELP, io);
  if (typeof args === 'number') return args;
  const { values, positionals } = args;
  const channel = positionals[0];
  if (channel === undefined || positionals.length > 1) {
    io.err(`gamegirl invite: name one channel\n\n${INVITE_HELP}`);
    return 2;
  }
  try {
    checkChannelId(channel);
    const config = await loadConfig(settingsFromFlags(values));
    const keys = new SessionKeys(
      loadSessionSecret(config.dataDir, process.env.GAMEGIRL_SESSION_SECRET),
    );
    const publicHost = config.web.publicHosts[0];
    const scheme = config.web.secureCookie ? 'https' : 'http';
    const local = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
    const base = publicHost ? `${scheme}://${publicHost}/` : `http://${local}:${config.port}/`;
    const code = config.web.joinCodes ? `?code=${keys.joinCode(channel)}` : '';
    io.out(`${base}#${encodeURIComponent(channel)}${code}`);
    if (!config.web.joinCodes)
      io.err('gamegirl invite: join codes are off: anyone may join this channel without the code');
    return 0;
  } catch (err) {
    io.err(`gamegirl invite: ${err instanceof ConfigError ? err.message : (err as Error).message}`);
    return err instanceof ConfigError ? 2 : 1;
  }
}
