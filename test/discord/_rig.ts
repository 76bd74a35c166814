import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { type Client, REST } from 'discord.js';
import { pino } from 'pino';
import { ManualClock } from '../../src/core/clock.js';
import { startGateway } from '../../src/discord/gateway.js';
import { InteractionHandler } from '../../src/discord/handler.js';
import {
  createInteractionServer,
  type InteractionServerOptions,
  publicKeyFromHex,
} from '../../src/discord/http.js';
import { restMessenger } from '../../src/discord/messenger.js';
import { Presenter } from '../../src/discord/presenter.js';
import { GameHost } from '../../src/host/game-host.js';
import type { ChannelSettings } from '../../src/host/types.js';
import type { Narrator } from '../../src/narrator/port.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { FAKE_APP_ID, FakeDiscord } from '../helpers/fake-discord.js';
import { ScriptNarrator } from '../helpers/script-narrator.js';

const GUILD = '800000000000000001';
export const CHANNEL = '800000000000000010';
export const OTHER_CHANNEL = '800000000000000020';
export const MANAGE_CHANNELS = String(1n << 4n);

export interface TestUser {
  id: string;
  name: string;
  permissions?: string;
}

export const PLAYERS: TestUser[] = ['Ann', 'Ben', 'Cid', 'Dee', 'Eve'].map((name, i) => ({
  id: `70000000000000000${i + 1}`,
  name,
}));

let nextInteraction = 600_000_000_000_000_000n;
const interactionId = (): string => (nextInteraction++).toString();

function common(user: TestUser, channelId: string) {
  return {
    id: interactionId(),
    application_id: FAKE_APP_ID,
    token: `tok-${Math.random().toString(36).slice(2)}`,
    version: 1,
    guild_id: GUILD,
    channel_id: channelId,
    channel: { id: channelId, type: 0, guild_id: GUILD, name: 'games' },
    member: {
      user: {
        id: user.id,
        username: user.name.toLowerCase(),
        global_name: user.name,
        discriminator: '0',
        avatar: null,
      },
      nick: null,
      roles: [],
      joined_at: '2024-01-01T00:00:00.000Z',
      deaf: false,
      mute: false,
      flags: 0,
      permissions: user.permissions ?? '0',
    },
    app_permissions: '0',
    locale: 'en-US',
    guild_locale: 'en-US',
    entitlements: [],
    authorizing_integration_owners: { '0': GUILD },
    context: 0,
    attachment_size_limit: 8_388_608,
  };
}

/** A raw `/gamegirl <sub>` APPLICATION_COMMAND payload. */
export function command(
  user: TestUser,
  sub: string,
  options: Record<string, string | number> = {},
  channelId = CHANNEL,
  name = 'gamegirl',
) {
  const leaf = Object.entries(options).map(([n, value]) => ({
    name: n,
    type: typeof value === 'number' ? 4 : 3,
    value,
  }));
  return {
    ...common(user, channelId),
    type: 2,
    data: {
      id: '500000000000000001',
      name,
      type: 1,
      options: [{ name: sub, type: 1, options: leaf }],
    },
  };
}

/** A raw autocomplete payload for `/gamegirl <sub>` with option `option` focused. */
export function autocomplete(user: TestUser, sub: string, option: string, typed: string) {
  return {
    ...common(user, CHANNEL),
    type: 4,
    data: {
      id: '500000000000000001',
      name: 'gamegirl',
      type: 1,
      options: [
        { name: sub, type: 1, options: [{ name: option, type: 3, value: typed, focused: true }] },
      ],
    },
  };
}

/** A raw MESSAGE_COMPONENT (button) payload. */
export function button(user: TestUser, customId: string, messageId: string, channelId = CHANNEL) {
  return {
    ...common(user, channelId),
    type: 3,
    message: {
      id: messageId,
      channel_id: channelId,
      type: 0,
      content: '',
      embeds: [],
      components: [],
      attachments: [],
      author: {
        id: '900000000000000002',
        username: 'GameGirl',
        discriminator: '0',
        global_name: null,
        avatar: null,
        bot: true,
      },
      timestamp: '2024-01-01T00:00:00.000Z',
      edited_timestamp: null,
      tts: false,
      mention_everyone: false,
      mentions: [],
      mention_roles: [],
      pinned: false,
      flags: 0,
    },
    data: { custom_id: customId, component_type: 2 },
  };
}

export interface Rig {
  fake: FakeDiscord;
  /** Whatever the adapter logged as a failure. */
  errors: unknown[];
  host: GameHost;
  clock: ManualClock;
  narrator: ScriptNarrator;
  presenter: Presenter;
  handler: InteractionHandler;
  /** Sends one interaction through the transport; resolves when it was acknowledged. */
  send(payload: object): Promise<{ ackMs: number; response: unknown }>;
  /** Waits until every background task, post and edit has finished. */
  settle(): Promise<void>;
  close(): Promise<void>;
}

interface RigOptions {
  narrator?: ScriptNarrator;
  /** Wraps the script narrator (e.g. to make it slow on the manual clock). */
  wrap?: (narrator: ScriptNarrator, clock: ManualClock) => Narrator;
  editIntervalMs?: number;
  /** The host's channel settings (e.g. 'host' aggregation). */
  settings?: Partial<ChannelSettings>;
}

async function base(options: RigOptions) {
  const fake = await new FakeDiscord().start();
  const clock = new ManualClock(Date.now());
  const narrator = options.narrator ?? new ScriptNarrator({ title: 'Script Quest' });
  const host = new GameHost({
    store: new MemoryStore(),
    clock,
    narrators: () => (options.wrap ? options.wrap(narrator, clock) : narrator),
    titleScreen: ({ gameName }) => `https://example.test/title/${encodeURIComponent(gameName)}.png`,
    countdownSeconds: 10,
    settings: () => options.settings ?? {},
  });
  const rest = new REST({ version: '10', api: fake.api, retries: 1 }).setToken('bot-token');
  const errors: unknown[] = [];
  // A real pino logger whose lines (warnings and errors) are kept for the assertions.
  const log = pino({ level: 'warn' }, { write: (line: string) => errors.push(JSON.parse(line)) });
  const presenter = new Presenter({
    messenger: restMessenger(rest),
    subscribe: (c, l) => host.subscribe(c, l),
    editIntervalMs: options.editIntervalMs ?? 1000,
    log,
  });
  const handler = new InteractionHandler({
    host,
    presenter,
    cartridges: () => [{ id: 'script', title: 'Script Quest', description: '' }],
    log,
  });
  return { fake, clock, narrator, host, rest, presenter, handler, errors };
}

/** The reply/follow-up messages sent with one interaction's token. */
export function webhookBodies(rig: { fake: FakeDiscord }, payload: { token: string }) {
  return rig.fake.webhookMessages.filter((w) => w.token === payload.token).map((w) => w.body);
}

async function settleAll(handler: InteractionHandler, presenter: Presenter): Promise<void> {
  for (let i = 0; i < 3; i++) {
    await handler.idle();
    await presenter.settled();
    await new Promise((r) => setImmediate(r));
  }
}

/** The gateway path: a logged-in discord.js Client fed INTERACTION_CREATE by the fake gateway. */
export async function gatewayRig(options: RigOptions = {}): Promise<Rig & { client: Client }> {
  const b = await base(options);
  const client = await startGateway({
    token: 'bot-token',
    handler: b.handler,
    clientOptions: { rest: { api: b.fake.api, retries: 1 } },
  });
  return {
    ...b,
    client,
    async send(payload) {
      const start = Date.now();
      const before = b.fake.calls.length;
      b.fake.dispatch('INTERACTION_CREATE', payload);
      const id = (payload as { id: string }).id;
      // Acknowledged = the interaction callback reached "Discord".
      for (;;) {
        const ack = b.fake.calls
          .slice(before)
          .find((c) => c.path.startsWith(`/interactions/${id}/`));
        if (ack) return { ackMs: ack.at - start, response: ack.body };
        if (Date.now() - start > 10_000) throw new Error('no acknowledgement within 10 s');
        await new Promise((r) => setTimeout(r, 5));
      }
    },
    settle: () => settleAll(b.handler, b.presenter),
    async close() {
      await client.destroy();
      b.presenter.close();
      await b.host.close();
      await b.fake.close();
    },
  };
}

export function keyPair(): { publicKeyHex: string; privateKey: KeyObject } {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const jwk = publicKey.export({ format: 'jwk' });
  return { publicKeyHex: Buffer.from(jwk.x ?? '', 'base64url').toString('hex'), privateKey };
}

export function signed(
  privateKey: KeyObject,
  body: string,
  timestamp = String(Math.floor(Date.now() / 1000)),
) {
  const signature = sign(null, Buffer.from(timestamp + body), privateKey).toString('hex');
  return {
    'x-signature-ed25519': signature,
    'x-signature-timestamp': timestamp,
    'content-type': 'application/json',
  };
}

/** The HTTP interactions path: the adapter's endpoint, signed requests from "Discord". */
export async function httpRig(
  options: RigOptions = {},
  serverOptions: Partial<InteractionServerOptions> = {},
): Promise<Rig & { url: string; privateKey: KeyObject }> {
  const b = await base(options);
  const { publicKeyHex, privateKey } = keyPair();
  const server = createInteractionServer({
    publicKey: publicKeyFromHex(publicKeyHex),
    handler: b.handler,
    rest: b.rest,
    ...serverOptions,
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/interactions`;
  return {
    ...b,
    url,
    privateKey,
    async send(payload) {
      const body = JSON.stringify(payload);
      const start = Date.now();
      const res = await fetch(url, { method: 'POST', headers: signed(privateKey, body), body });
      const response: unknown = await res.json();
      if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${JSON.stringify(response)}`);
      return { ackMs: Date.now() - start, response };
    },
    settle: () => settleAll(b.handler, b.presenter),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      b.presenter.close();
      await b.host.close();
      await b.fake.close();
    },
  };
}
