// The console's HTTP side: the page, its headers, title screens with ETags, refusals.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Harness, startConsole } from './harness.js';

describe('web console HTTP', () => {
  let h: Harness;
  let gameId: string;

  before(async () => {
    h = await startConsole();
    const view = await h.host.boot(
      'http-room',
      { id: 'u1', name: 'Ada' },
      { kind: 'ink', cartridge: 'midnight-arcade' },
      { title: 'Neon <Nights>' },
    );
    gameId = view.game?.gameId as string;
  });
  after(() => h?.close());

  const get = (path: string, init?: RequestInit) => fetch(new URL(path, h.web.url), init);

  it('serves the page with security headers and no inline script', async () => {
    const res = await get('/');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/html; charset=utf-8');
    const csp = res.headers.get('content-security-policy') ?? '';
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(res.headers.get('x-frame-options'), 'DENY');
    const html = await res.text();
    assert.doesNotMatch(html, /<script>(?!<\/script>)|<script(?![^>]*\bsrc=)[^>]*>/);
    assert.doesNotMatch(html, /\son[a-z]+=/i, 'no inline event handlers');
    for (const path of ['/app.js', '/style.css', '/favicon.svg']) {
      const r = await get(path);
      assert.equal(r.status, 200, path);
      assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
    }
  });

  it('answers 304 to a matching If-None-Match', async () => {
    const first = await get('/app.js');
    const etag = first.headers.get('etag');
    assert.ok(etag);
    const again = await get('/app.js', { headers: { 'If-None-Match': etag } });
    assert.equal(again.status, 304);
  });

  it('serves the title screen of a saved game as a cacheable PNG', async () => {
    const view = await h.host.view('http-room');
    assert.equal(view.game?.titleScreenUrl, `/title/${encodeURIComponent(gameId)}.png`);
    const res = await get(view.game?.titleScreenUrl as string);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'image/png');
    const png = Buffer.from(await res.arrayBuffer());
    assert.deepEqual([...png.subarray(1, 4)], [0x50, 0x4e, 0x47]); // "PNG"
    const etag = res.headers.get('etag');
    assert.ok(etag);
    assert.match(res.headers.get('cache-control') ?? '', /max-age=\d+/);
    const cached = await get(view.game?.titleScreenUrl as string, {
      headers: { 'If-None-Match': etag },
    });
    assert.equal(cached.status, 304);
  });

  it('refuses unknown games, bad paths, unknown routes and other methods', async () => {
    assert.equal((await get('/title/no-such-game.png')).status, 404);
    assert.equal((await get(`/title/${'x'.repeat(300)}.png`)).status, 404);
    assert.equal((await get('/title/%E0%A4%A.png')).status, 400);
    assert.equal((await get('/../package.json')).status, 404);
    assert.equal((await get('/index.html/..%2f..%2fpackage.json')).status, 404);
    assert.equal((await get('/', { method: 'POST', body: 'x' })).status, 405);
    const health = await get('/healthz');
    assert.equal(health.status, 200);
  });
});
