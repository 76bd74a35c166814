// Test harness: a real web console (GameHost, SQLite in a temp folder, built-in ink cartridges,
// real title screens) on a free port, and a small WebSocket client that records what it gets.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { GameHost } from '../../src/host/game-host.js';
import type { ChannelSettings, NarratorFactory } from '../../src/host/types.js';
import { InkNarrator, listCartridges } from '../../src/narrator/ink.js';
import { NarratorError } from '../../src/narrator/port.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { renderTitlePng } from '../../src/title/title-screen.js';
import type { RateLimit } from '../../src/web/connection.js';
import type { ServerMessage } from '../../src/web/protocol.js';
import {
  createWebConsole,
  type WebConsole,
  type WebConsoleOptions,
  webTitleScreen,
} from '../../src/web/server.js';

export interface Harness {
  web: WebConsole;
  host: GameHost;
  store: SqliteStore;
  dataDir: string;
  wsUrl: string;
  close(): Promise<void>;
}

export async function startConsole(
  options: {
    countdownSeconds?: number;
    rateLimit?: RateLimit;
    settings?: Partial<ChannelSettings>;
    narrators?: NarratorFactory;
    /** Offer the LLM story in the page (the narrators must then build one). */
    llmEnabled?: boolean;
    /** Extra web console options (join codes, caps, public hosts…). */
    web?: Partial<WebConsoleOptions>;
  } = {},
): Promise<Harness> {
  const dataDir = mkdtempSync(join(tmpdir(), 'gg-web-'));
  const store = new SqliteStore(join(dataDir, 'gamegirl.sqlite'));
  const host = new GameHost({
    store,
    narrators:
      options.narrators ??
      ((spec) => {
        // As the CLI's factory does when no LLM is configured.
        if (spec.kind !== 'ink') throw new NarratorError('unreachable', 'no LLM is configured');
        return new InkNarrator(spec.cartridge);
      }),
    titleScreen: webTitleScreen,
    countdownSeconds: options.countdownSeconds ?? 1,
    settings: () => options.settings ?? {},
    // Generous: the tests press quickly and on purpose.
    pressRateLimit: { presses: 50, perMs: 1000 },
  });
  const web = await createWebConsole({
    host,
    port: 0,
    cartridges: () => listCartridges(),
    gameName: async (gameId) => (await store.loadGame(gameId))?.game_name ?? null,
    renderTitle: (name) => renderTitlePng(name),
    llmEnabled: options.llmEnabled ?? false,
    ...(options.rateLimit ? { rateLimit: options.rateLimit } : {}),
    ...options.web,
  });
  return {
    web,
    host,
    store,
    dataDir,
    wsUrl: `${web.url.replace(/^http/, 'ws')}ws`,
    async close() {
      await web.close();
      await host.close();
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

type Message = ServerMessage & Record<string, unknown>;

/** A WebSocket client that keeps every message and waits for the ones a test expects. */
export class TestClient {
  readonly ws: WebSocket;
  readonly messages: Message[] = [];
  closeCode: number | null = null;
  #waiters = new Set<() => void>();
  #nextId = 1;

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on('message', (data) => {
      this.messages.push(JSON.parse(String(data)) as Message);
      for (const w of this.#waiters) w();
    });
    ws.on('close', (code) => {
      this.closeCode = code;
      for (const w of this.#waiters) w();
    });
  }

  /** Loads the page as a browser would and returns its session cookie (`name=value`). */
  static async sessionCookie(pageUrl: string): Promise<string> {
    const res = await fetch(pageUrl);
    await res.arrayBuffer();
    const set = res.headers.get('set-cookie');
    if (set === null) throw new Error('the page set no session cookie');
    return set.split(';')[0] as string;
  }

  static async open(url: string, headers: Record<string, string> = {}): Promise<TestClient> {
    const ws = new WebSocket(url, { headers });
    const client = new TestClient(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return client;
  }

  /** Sends a message object with a fresh request id; returns the id. */
  send(message: Record<string, unknown>): number {
    const id = this.#nextId++;
    this.ws.send(JSON.stringify({ ...message, id }));
    return id;
  }

  sendRaw(data: string | Buffer, binary = false): void {
    this.ws.send(data, { binary });
  }

  /** Waits for a message (received from index `from` on) matching `match`. */
  waitFor(match: (m: Message) => boolean, timeoutMs = 10_000, from = 0): Promise<Message> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.messages.slice(from).find(match);
        if (found) {
          this.#waiters.delete(check);
          clearTimeout(timer);
          resolve(found);
        } else if (this.closeCode !== null) {
          this.#waiters.delete(check);
          clearTimeout(timer);
          reject(new Error(`connection closed (${this.closeCode}) while waiting`));
        }
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(check);
        const last = JSON.stringify(this.messages.slice(-3)).slice(0, 600);
        reject(new Error(`timed out waiting for a message; last: ${last}`));
      }, timeoutMs);
      this.#waiters.add(check);
      check();
    });
  }

  /** The reply (ok or error) to request `id`. */
  reply(id: number, timeoutMs = 10_000): Promise<Message> {
    return this.waitFor((m) => (m.type === 'ok' || m.type === 'error') && m.id === id, timeoutMs);
  }

  /** The next error received after index `from`. */
  nextError(from: number, timeoutMs = 5_000): Promise<Message> {
    return this.waitFor((m) => m.type === 'error', timeoutMs, from);
  }

  lastView(): Extract<ServerMessage, { type: 'view' }>['view'] | null {
    for (let i = this.messages.length - 1; i >= 0; i--) {
      const m = this.messages[i] as Message;
      if (m.type === 'view') return m.view;
    }
    return null;
  }

  close(): Promise<void> {
    if (this.closeCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      this.ws.once('close', () => resolve());
      this.ws.close();
    });
  }
}
