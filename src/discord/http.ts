import { createPublicKey, type KeyObject, verify } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import {
  type APIInteractionResponse,
  InteractionResponseType,
  InteractionType,
  MessageFlags,
  type RawFile,
  type REST,
  Routes,
} from 'discord.js';
import { z } from 'zod';
import type { InteractionHandler, InteractionRequest, Responder } from './handler.js';
import { type Logger, silentLogger } from './messenger.js';
import { type MessageBody, type MessageFile, notice } from './render.js';
import { type ClaimInteraction, localInteractionClaims } from './replay-guard.js';
import { hostUser } from './users.js';

/** An ed25519 public key from the 64 hex characters Discord shows as the app's public key. */
export function publicKeyFromHex(hex: string): KeyObject {
  if (!/^[0-9a-fA-F]{64}$/.test(hex))
    throw new Error('DISCORD_PUBLIC_KEY must be 64 hex characters');
  const x = Buffer.from(hex, 'hex').toString('base64url');
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x }, format: 'jwk' });
}

/** Checks `X-Signature-Ed25519` (hex) over timestamp + raw body. Never throws. */
export function verifySignature(
  key: KeyObject,
  signatureHex: unknown,
  timestamp: unknown,
  body: Buffer,
): boolean {
  if (typeof signatureHex !== 'string' || !/^[0-9a-fA-F]{128}$/.test(signatureHex)) return false;
  if (typeof timestamp !== 'string' || !/^[0-9]{1,20}$/.test(timestamp)) return false;
  try {
    const message = Buffer.concat([Buffer.from(timestamp, 'utf8'), body]);
    return verify(null, message, key, Buffer.from(signatureHex, 'hex'));
  } catch {
    return false;
  }
}

const snowflake = z.string().regex(/^[0-9]{1,20}$/);
const value = z.union([z.string().max(6000), z.number(), z.boolean()]);
const leafOption = z.object({
  name: z.string().max(32),
  type: z.number().int(),
  value: value.optional(),
  focused: z.boolean().optional(),
});
const option = leafOption.extend({ options: z.array(leafOption).max(25).optional() });
const rawUser = z.object({
  id: snowflake,
  username: z.string().max(100),
  global_name: z.string().max(100).nullish(),
});
const rawInteraction = z.object({
  id: snowflake,
  application_id: snowflake,
  type: z.number().int(),
  token: z.string().min(1).max(1000),
  channel_id: snowflake.optional(),
  channel: z.object({ id: snowflake }).optional(),
  guild_id: snowflake.optional(),
  member: z
    .object({
      user: rawUser,
      nick: z.string().max(100).nullish(),
      permissions: z.string().regex(/^[0-9]{1,40}$/),
    })
    .optional(),
  user: rawUser.optional(),
  message: z.object({ id: snowflake }).optional(),
  data: z
    .object({
      name: z.string().max(32).optional(),
      type: z.number().int().optional(),
      options: z.array(option).max(25).optional(),
      custom_id: z.string().max(1000).optional(),
      component_type: z.number().int().optional(),
    })
    .optional(),
});
type RawInteraction = z.infer<typeof rawInteraction>;

const MANAGE = (1n << 4n) | (1n << 3n); // ManageChannels | Administrator

/** A transport-neutral request from a raw interaction payload; null when it is malformed. */
function requestFromPayload(
  payload: unknown,
): { raw: RawInteraction; request: InteractionRequest } | null {
  const parsed = rawInteraction.safeParse(payload);
  if (!parsed.success) return null;
  const raw = parsed.data;
  const who = raw.member?.user ?? raw.user;
  const perms = raw.member ? BigInt(raw.member.permissions) : 0n;
  const base = {
    id: raw.id,
    channelId: raw.channel_id ?? raw.channel?.id ?? null,
    guildId: raw.guild_id ?? null,
    user: who
      ? hostUser(who.id, [raw.member?.nick, who.global_name, who.username], (perms & MANAGE) !== 0n)
      : null,
  };
  const data = raw.data;
  const top = data?.options ?? [];
  const sub = top.length === 1 && top[0]?.type === 1 ? top[0] : null;
  const leaves = sub ? (sub.options ?? []) : top;
  switch (raw.type) {
    case InteractionType.ApplicationCommand: {
      const options = new Map<string, string | number | boolean>();
      for (const o of leaves) if (o.value !== undefined) options.set(o.name, o.value);
      return {
        raw,
        request: {
          ...base,
          kind: 'command',
          command: data?.name ?? '',
          subcommand: sub?.name ?? null,
          options,
        },
      };
    }
    case InteractionType.ApplicationCommandAutocomplete: {
      const f = leaves.find((o) => o.focused === true);
      const focused = f ? { name: f.name, value: String(f.value ?? '') } : null;
      return {
        raw,
        request: {
          ...base,
          kind: 'autocomplete',
          command: data?.name ?? '',
          subcommand: sub?.name ?? null,
          focused,
        },
      };
    }
    case InteractionType.MessageComponent:
      return {
        raw,
        request: {
          ...base,
          kind: 'button',
          customId: data?.custom_id ?? '',
          messageId: raw.message?.id ?? null,
        },
      };
    default:
      return { raw, request: { ...base, kind: 'other' } };
  }
}

const withFlags = (body: MessageBody, ephemeral: boolean): MessageBody =>
  ephemeral ? { ...body, flags: MessageFlags.Ephemeral } : body;

const rawFiles = (files: MessageFile[]): RawFile[] =>
  files.map((f) => ({ name: f.name, data: f.data, contentType: f.contentType }));

/**
 * A Responder for HTTP interactions: the acknowledgement is the HTTP response (the interaction
 * callback); what follows goes to the interaction's webhook with its token (no bot token).
 */
function httpResponder(
  rest: REST,
  applicationId: string,
  token: string,
  respond: (response: APIInteractionResponse) => Promise<void>,
): Responder & { readonly answered: boolean } {
  let answered = false;
  const initial = async (response: APIInteractionResponse): Promise<void> => {
    if (answered) throw new Error('this interaction was already acknowledged');
    answered = true;
    await respond(response);
  };
  const original = Routes.webhookMessage(applicationId, token, '@original');
  return {
    get answered() {
      return answered;
    },
    deferUpdate: () => initial({ type: InteractionResponseType.DeferredMessageUpdate }),
    deferReply: (ephemeral) =>
      initial({
        type: InteractionResponseType.DeferredChannelMessageWithSource,
        data: ephemeral ? { flags: MessageFlags.Ephemeral } : {},
      }),
    reply: (body, ephemeral) =>
      initial({
        type: InteractionResponseType.ChannelMessageWithSource,
        data: withFlags(body, ephemeral),
      }),
    autocomplete: (choices) =>
      initial({
        type: InteractionResponseType.ApplicationCommandAutocompleteResult,
        data: { choices },
      }),
    async editReply(body, files = []) {
      const full = { content: null, embeds: [], components: [], ...body };
      const withAttachments =
        files.length === 0
          ? full
          : { ...full, attachments: files.map((f, i) => ({ id: i, filename: f.name })) };
      await rest.patch(original, { body: withAttachments, files: rawFiles(files), auth: false });
    },
    async deleteReply() {
      await rest.delete(original, { auth: false });
    },
    async followUp(body, ephemeral) {
      await rest.post(Routes.webhook(applicationId, token), {
        body: withFlags(body, ephemeral),
        auth: false,
      });
    },
  };
}

export interface InteractionServerOptions {
  publicKey: KeyObject;
  handler: InteractionHandler;
  /** For follow-ups (interaction webhooks); the bot token is not needed for those. */
  rest: REST;
  /** The endpoint's path. Default '/interactions'. */
  path?: string;
  /** Largest accepted body. Default 256 KiB. */
  maxBodyBytes?: number;
  /** Reject timestamps further than this from now (replays); 0 disables. Default 300 s. */
  maxSkewSeconds?: number;
  /** Claims each interaction id once (a replay within the timestamp window is refused with 409).
   *  Default: ids seen by this process; workers behind one balancer share the store's. */
  claimInteraction?: ClaimInteraction;
  /** A client must send its headers within this time, and the whole request within
   *  `requestTimeoutMs` (Discord waits 3 s for the answer, so a slow body is cut short).
   *  Defaults 5 s and 10 s; a request cut short is answered 408. */
  headersTimeoutMs?: number;
  requestTimeoutMs?: number;
  log?: Logger;
  /** Other routes answered first (the operator's /metrics, /healthz, /readyz); resolves true
   *  when it answered the request. */
  routes?: (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;
}

class TooLarge extends Error {}

/** Reads the body; past `max` bytes it keeps draining (so the client hears the 413) but keeps nothing. */
function readBody(req: IncomingMessage, max: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // Cut short (the request timeout, or the client went away): never settles otherwise.
    req.on('close', () => {
      if (!req.complete) reject(new Error('request aborted'));
    });
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= max) chunks.push(chunk);
    });
    req.on('end', () => (size > max ? reject(new TooLarge()) : resolve(Buffer.concat(chunks))));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown): Promise<void> {
  return new Promise((resolve) => {
    if (res.headersSent) return resolve();
    const text = JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(text),
    });
    res.end(text, () => resolve());
  });
}

/**
 * HTTP interactions mode: Discord POSTs each interaction to this endpoint. Stateless: any
 * worker behind a load balancer can answer any interaction (the games live in the host's store).
 */
export function createInteractionServer(options: InteractionServerOptions): Server {
  const path = options.path ?? '/interactions';
  const max = options.maxBodyBytes ?? 256 * 1024;
  const skew = options.maxSkewSeconds ?? 300;
  const log = options.log ?? silentLogger;
  const claim = options.claimInteraction ?? localInteractionClaims();
  // An id is kept while a request carrying it could still pass the timestamp check (either side
  // of now), with a margin; with the check off, as long as an interaction token lives (15 min).
  const claimTtlMs = skew > 0 ? (2 * skew + 60) * 1000 : 15 * 60_000;
  const onRequest = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== path && (await options.routes?.(req, res))) return;
    if (url.pathname !== path) return send(res, 404, { error: 'not found' });
    if (req.method !== 'POST') return send(res, 405, { error: 'POST only' });
    if (Number(req.headers['content-length'] ?? 0) > max) {
      res.setHeader('connection', 'close');
      req.resume();
      return send(res, 413, { error: 'body too large' });
    }
    let body: Buffer;
    try {
      body = await readBody(req, max);
    } catch (error) {
      if (req.socket.destroyed) return;
      return send(res, error instanceof TooLarge ? 413 : 400, { error: 'bad body' });
    }
    const timestamp = req.headers['x-signature-timestamp'];
    if (!verifySignature(options.publicKey, req.headers['x-signature-ed25519'], timestamp, body)) {
      return send(res, 401, { error: 'invalid request signature' });
    }
    if (skew > 0 && Math.abs(Date.now() / 1000 - Number(timestamp)) > skew) {
      return send(res, 401, { error: 'stale request timestamp' });
    }
    let payload: unknown;
    try {
      payload = JSON.parse(body.toString('utf8'));
    } catch {
      return send(res, 400, { error: 'body is not JSON' });
    }
    if (
      typeof payload === 'object' &&
      payload !== null &&
      'type' in payload &&
      payload.type === InteractionType.Ping
    ) {
      return send(res, 200, { type: InteractionResponseType.Pong });
    }
    const parsed = requestFromPayload(payload);
    if (parsed === null) return send(res, 400, { error: 'malformed interaction' });
    if (!(await claim(parsed.raw.id, claimTtlMs))) {
      log.warn({ interaction: parsed.raw.id }, 'replayed interaction refused');
      return send(res, 409, { error: 'interaction already received' });
    }
    const responder = httpResponder(
      options.rest,
      parsed.raw.application_id,
      parsed.raw.token,
      (r) => send(res, 200, r),
    );
    await options.handler.handle(parsed.request, responder);
    if (!responder.answered) {
      await send(res, 200, {
        type: InteractionResponseType.ChannelMessageWithSource,
        data: withFlags(notice('⚠️ Something went wrong; nothing was changed.'), true),
      });
    }
  };
  const serverOptions = {
    headersTimeout: options.headersTimeoutMs ?? 5000,
    requestTimeout: options.requestTimeoutMs ?? 10_000,
    // How often Node checks those two (default 30 s, which would let a slow body run on).
    connectionsCheckingInterval: 500,
  };
  return createServer(serverOptions, (req, res) => {
    onRequest(req, res).catch((error: unknown) => {
      log.error({ err: error }, 'interaction request failed');
      if (!req.socket.destroyed) void send(res, 500, { error: 'internal error' });
    });
  });
}
