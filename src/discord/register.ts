// Registers the /gamegirl slash commands: `node --import tsx src/discord/register.ts [--guild ID]`
// (or `gamegirl discord register [--guild ID]`), with DISCORD_TOKEN and DISCORD_APPLICATION_ID set.
import { runDiscord } from './main.js';

process.exitCode = await runDiscord({ argv: ['register', ...process.argv.slice(2)] });
