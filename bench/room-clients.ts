/**
 * Load generator for bench/room.bench.ts, in its own process so the server's CPU is its own:
 * opens N WebSockets to one channel, waits for "go" on stdin, has every player press once, waits
 * until every client has seen every press, and prints one JSON line: bytes received by all
 * clients and the time it took. (/healthz is probed from a third process: bench/room.bench.ts.)
 * Usage: node --import tsx bench/room-clients.ts <base-url> <players> <channel>
 */
import { createInterface } from 'node:readline';
import { WebSocket } from 'ws';

const [base, nText, channel] = process.argv.slice(2) as [string, string, string];
const n = Number(nText);
const wsUrl = `${base.replace(/^http/, 'ws')}ws`;

interface Player {
  ws: WebSocket;
  seen: Set<string>;
  bytes: number;
  turn: number;
  gameId: string;
  choices: string[];
}

function connect(i: number): Promise<Player> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(wsUrl);
    const p: Player = { ws, seen: new Set(), bytes: 0, turn: 0, gameId: '', choices: [] };
    ws.on('message', (data: Buffer) => {
      p.bytes += data.length;
      const m = JSON.parse(String(data));
      if (m.type === 'view') {
        p.turn = m.view.turn;
        p.gameId = m.view.game?.gameId ?? '';
        p.choices = m.view.scene?.choices ?? [];
        for (const c of m.view.window?.chosen ?? []) p.seen.add(c.player);
      } else if (m.type === 'chosen') for (const c of m.entries) p.seen.add(c.player);
      else if (m.type === 'ok' && m.for === 'join') resolve(p);
    });
    ws.on('error', reject);
    // A socket the server drops (e.g. as a client that stopped reading) would leave the wait
    // below waiting for ever: say so and fail instead.
    ws.on('close', (code, reason) => {
      if (finished) return;
      process.stderr.write(
        `room-clients: player ${i} was disconnected (${code} ${String(reason)})\n`,
      );
      process.exit(3);
    });
    ws.on('open', () =>
      ws.send(JSON.stringify({ type: 'join', channelId: channel, name: `Player number ${i}` })),
    );
  });
}

let finished = false;
const players: Player[] = [];
for (let i = 0; i < n; i++) players.push(await connect(i));
const first = players[0] as Player;
first.ws.send(
  JSON.stringify({ type: 'boot', spec: { kind: 'ink', cartridge: 'midnight-arcade' } }),
);
while (players.some((p) => p.choices.length === 0)) await new Promise((r) => setTimeout(r, 20));
process.stdout.write('ready\n');
await new Promise<void>((resolve) =>
  createInterface({ input: process.stdin }).once('line', () => resolve()),
);

for (const p of players) p.bytes = 0;
const start = performance.now();
players.forEach((p, i) => {
  p.ws.send(
    JSON.stringify({
      type: 'press',
      turn: p.turn,
      gameId: p.gameId,
      choice: p.choices[i % p.choices.length],
    }),
  );
});
while (players.some((p) => p.seen.size < n)) await new Promise((r) => setTimeout(r, 5));
const ms = performance.now() - start;
const bytes = players.reduce((s, p) => s + p.bytes, 0);
process.stdout.write(`${JSON.stringify({ bytes, ms })}\n`);
finished = true;
for (const p of players) p.ws.terminate();
process.exit(0);
