import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  GameSession,
  isTitleScreenUri,
  ManualClock,
  MemoryStore,
  renderTitlePng,
  renderTitleSvg,
  titleScreenUri,
} from '../../src/index.js';
import { gameDict } from '../helpers/game-dict.js';

test('the boot message is chat-sized and names the title screen; the picture is drawn on demand', async () => {
  const s = new GameSession('chan-title', '', 'game-title', { clock: new ManualClock() });
  const msg = await s.boot('Moon Base');
  assert.ok(msg.length < 300, `boot message is ${msg.length} characters`);
  assert.equal(s.titleScreenUrl, titleScreenUri(s));
  assert.ok(msg.includes(s.titleScreenUrl) && isTitleScreenUri(s.titleScreenUrl));
  assert.equal(renderTitleSvg(s), renderTitleSvg('Moon Base'));
  const png = renderTitlePng(s, { scale: 1 });
  assert.deepEqual([...png.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
  // An unnamed game is drawn as "Untitled game".
  const unnamed = new GameSession('c2', '', 'g2', { clock: new ManualClock() });
  await unnamed.boot('');
  assert.equal(renderTitleSvg(unnamed), renderTitleSvg('Untitled game'));
});

test('a saved fresh game with 8 players is a few hundred bytes, not a picture', async () => {
  const s = new GameSession('chan-8', '', 'game-8', { clock: new ManualClock() });
  await s.boot('Eight Player Quest');
  for (let i = 0; i < 8; i++) s.registerPlayer(`user-${i}`, `Player ${i}`);
  const bytes = Buffer.byteLength(JSON.stringify(s.toDict()));
  assert.ok(bytes <= 2048, `saved game is ${bytes} bytes`);
});

test('games saved with the picture inside load with the short title URI (converted on read)', async () => {
  const old = gameDict('old-game', 'old-chan');
  old.title_screen_url = `data:image/svg+xml;base64,${Buffer.from(renderTitleSvg('Test')).toString('base64')}`;
  assert.ok(old.title_screen_url.length > 10_000);
  const s = GameSession.fromDict(old);
  assert.equal(s.titleScreenUrl, 'gamegirl:title/old-game');
  assert.equal(s.toDict().title_screen_url, 'gamegirl:title/old-game');

  const store = new MemoryStore();
  await store.bootGame(old);
  assert.equal((await store.loadGame('old-game'))?.title_screen_url, 'gamegirl:title/old-game');
  // Other URLs are kept as they are.
  const custom = { ...gameDict('g3', 'c3'), title_screen_url: 'https://cdn.example/t.png' };
  assert.equal(GameSession.fromDict(custom).titleScreenUrl, 'https://cdn.example/t.png');
  await store.close();
});
