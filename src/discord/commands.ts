import {
  ApplicationCommandOptionType,
  ApplicationIntegrationType,
  InteractionContextType,
  REST,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
  Routes,
} from 'discord.js';

/** The one top-level slash command; everything else is a subcommand. */
export const COMMAND_NAME = 'gamegirl';

/** `/gamegirl boot|exit|games|load|history|export|settings|status|story|recap`, as Discord's API wants it. */
export function commandDefinitions(): RESTPostAPIChatInputApplicationCommandsJSONBody[] {
  return [
    {
      name: COMMAND_NAME,
      description: 'GameGirl Color: narrator-driven games in this channel',
      contexts: [InteractionContextType.Guild],
      integration_types: [ApplicationIntegrationType.GuildInstall],
      options: [
        {
          type: ApplicationCommandOptionType.Subcommand,
          name: 'boot',
          description: 'Boot a new game in this channel',
          options: [
            {
              type: ApplicationCommandOptionType.String,
              name: 'game',
              description: 'A cartridge (or "llm" for the LLM narrator)',
              required: true,
              autocomplete: true,
              max_length: 64,
            },
            {
              type: ApplicationCommandOptionType.String,
              name: 'premise',
              description: 'LLM games only: what the story is about',
              required: false,
              max_length: 500,
            },
          ],
        },
        {
          type: ApplicationCommandOptionType.Subcommand,
          name: 'exit',
          description: 'Save and exit the game running in this channel',
        },
        {
          type: ApplicationCommandOptionType.Subcommand,
          name: 'games',
          description: 'List saved games',
        },
        {
          type: ApplicationCommandOptionType.Subcommand,
          name: 'load',
          description: 'Load a saved game into this channel (hot-swap)',
          options: [
            {
              type: ApplicationCommandOptionType.String,
              name: 'id',
              description: 'The saved game id',
              required: true,
              autocomplete: true,
              max_length: 128,
            },
          ],
        },
        {
          type: ApplicationCommandOptionType.Subcommand,
          name: 'history',
          description: "Show this channel's recent turns",
          options: [
            {
              type: ApplicationCommandOptionType.Integer,
              name: 'count',
              description: 'How many turns (default 10)',
              required: false,
              min_value: 1,
              max_value: 25,
            },
          ],
        },
        {
          type: ApplicationCommandOptionType.Subcommand,
          name: 'export',
          description: "Download this channel's game: the whole story as Markdown, or as JSON",
          options: [
            {
              type: ApplicationCommandOptionType.String,
              name: 'format',
              description: 'markdown (a readable transcript, default) or json (the game archive)',
              required: false,
              choices: [
                { name: 'markdown', value: 'markdown' },
                { name: 'json', value: 'json' },
              ],
            },
          ],
        },
        {
          type: ApplicationCommandOptionType.Subcommand,
          name: 'settings',
          description: "Show or change this channel's settings (the game's booter or a manager)",
          options: [
            {
              type: ApplicationCommandOptionType.Integer,
              name: 'countdown',
              description: 'Seconds a window stays open, from the next one (5-300)',
              required: false,
              min_value: 5,
              max_value: 300,
            },
          ],
        },
        {
          type: ApplicationCommandOptionType.Subcommand,
          name: 'status',
          description: "Show this channel's game and countdown",
        },
        {
          type: ApplicationCommandOptionType.Subcommand,
          name: 'story',
          description: 'Re-read the story so far: every scene, who chose what (only you see it)',
          options: [
            {
              type: ApplicationCommandOptionType.Integer,
              name: 'turn',
              description: 'Start reading at this turn (default: the newest turns)',
              required: false,
              min_value: 0,
              max_value: 999_999_999,
            },
          ],
        },
        {
          type: ApplicationCommandOptionType.Subcommand,
          name: 'recap',
          description: 'What happened since your last choice (only you see it)',
        },
      ],
    },
  ];
}

export interface RegisterOptions {
  token: string;
  applicationId: string;
  /** Register in one guild (instant; for development). Without it: global (production). */
  guildId?: string | undefined;
  /** A REST client to use instead of a new one (tests point it at a fake Discord). */
  rest?: REST | undefined;
}

/**
 * Registers (overwrites) the slash commands, in one guild or globally. Returns the names Discord
 * confirmed. Global commands can take a while to appear; guild commands are immediate.
 */
export async function registerCommands(options: RegisterOptions): Promise<string[]> {
  const rest = options.rest ?? new REST({ version: '10' }).setToken(options.token);
  const route = options.guildId
    ? Routes.applicationGuildCommands(options.applicationId, options.guildId)
    : Routes.applicationCommands(options.applicationId);
  const result = await rest.put(route, { body: commandDefinitions() });
  if (!Array.isArray(result)) throw new Error('Discord answered the registration with no list');
  return result.map((c: unknown) =>
    typeof c === 'object' && c !== null && 'name' in c ? String(c.name) : '?',
  );
}
