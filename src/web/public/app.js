// GameGirl Color web console. Plain browser JavaScript, no build step, no dependencies.
// Every piece of text from the server (names, choices, narrator text) is untrusted: it is only
// ever set with textContent, never parsed as HTML.
import { $, item, show, storage, toast } from './dom.js';

function randomId() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

const me = { id: storage.get('gg.userId') || randomId(), name: storage.get('gg.name') || '' };
storage.set('gg.userId', me.id);

const state = {
  /** @type {WebSocket | null} */ ws: null,
  connected: false,
  attempts: 0,
  channel: storage.get('gg.channel') || '',
  joined: storage.get('gg.joined') === '1',
  view: null,
  hello: null,
  /** userId → display name, learned from views (history shows names). */
  names: new Map(),
  windowTurn: -1,
  windowTotalMs: 1,
  deadlineLocal: 0,
  nextId: 1,
  openMenu: null,
  /** The channel's recent turns once the history menu asked for them (then kept current). */
  turns: null,
};

// ---------- connection ----------

function send(message) {
  if (!state.ws || state.ws.readyState !== WebSocket.OPEN) {
    toast('Not connected; retrying…');
    return;
  }
  state.ws.send(JSON.stringify({ ...message, id: state.nextId++ }));
}

function connect() {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  const ws = new WebSocket(`${scheme}://${location.host}/ws`);
  state.ws = ws;
  ws.addEventListener('open', () => {
    state.connected = true;
    state.attempts = 0;
    drawLink();
    if (state.joined && state.channel && me.name) join();
  });
  ws.addEventListener('message', (event) => {
    if (typeof event.data !== 'string') return;
    let message;
    try {
      message = JSON.parse(event.data);
    } catch {
      return;
    }
    onMessage(message);
  });
  ws.addEventListener('close', () => {
    if (state.ws !== ws) return;
    state.connected = false;
    drawLink();
    // Exponential backoff with jitter: 0.5 s, 1 s, 2 s … capped at 8 s.
    const delay = Math.min(8000, 500 * 2 ** state.attempts) * (0.75 + Math.random() * 0.5);
    state.attempts++;
    setTimeout(connect, delay);
  });
}

function join() {
  send({ type: 'join', channelId: state.channel, user: { id: me.id, name: me.name } });
}

function onMessage(m) {
  switch (m.type) {
    case 'hello':
      state.hello = m;
      drawCartridges();
      break;
    case 'view':
      onView(m.view);
      break;
    case 'text':
      // Appended as a text node: a long scene is not re-laid out from the start on every chunk.
      $('stream-text').append(String(m.delta));
      break;
    case 'games':
      drawGames(m.games);
      break;
    case 'history':
      state.turns = m.turns;
      drawHistory();
      break;
    case 'turn':
      // The record comes with the event: the open history grows without asking the server.
      if (state.turns) {
        state.turns = [...state.turns.filter((t) => t.turn !== m.record.turn), m.record].slice(-10);
        if (state.openMenu === 'history') drawHistory();
      }
      break;
    case 'error':
      if (m.code === 'NOT_JOINED' && state.joined) join();
      toast(String(m.message));
      break;
    case 'ok':
      if (m.for === 'exit' || m.for === 'load' || m.for === 'boot') closeMenu();
      break;
  }
}

// ---------- drawing ----------

function drawLink() {
  $('led').classList.toggle('on', state.connected);
  $('link-state').textContent = state.connected ? 'LINK' : 'OFF';
  $('where').textContent = state.joined ? `#${state.channel} · ${me.name}` : '';
}

function drawScreen() {
  show('join-form', !state.joined);
  show('play', state.joined);
  show('leave-button', state.joined);
  for (const id of ['exit-button', 'history-button', 'games-button', 'new-button']) {
    /** @type {HTMLButtonElement} */ ($(id)).disabled = !state.joined;
  }
  drawLink();
}

const STATUS_LABEL = {
  idle: 'NO GAME',
  playing: 'YOUR MOVE',
  counting: 'COUNTDOWN',
  narrating: 'NARRATING',
  failed: 'ERROR',
  ended: 'THE END',
};

function onView(view) {
  const previous = state.view;
  state.view = view;
  if (view.status === 'narrating' && previous?.status !== 'narrating')
    $('stream-text').replaceChildren();
  // Another game's turns are not this one's history.
  if (previous?.game?.gameId !== view.game?.gameId) state.turns = null;
  for (const c of view.window?.chosen ?? []) state.names.set(c.userId, c.userName);
  if (view.window && view.window.secondsRemaining > 0) {
    const ms = view.window.secondsRemaining * 1000;
    if (state.windowTurn !== view.turn) {
      state.windowTurn = view.turn;
      state.windowTotalMs = ms;
    }
    state.windowTotalMs = Math.max(state.windowTotalMs, ms);
    state.deadlineLocal = performance.now() + ms;
  }
  const moved = previous?.turn !== view.turn || previous?.game?.gameId !== view.game?.gameId;
  drawView();
  if (moved) $('scroll').scrollTop = 0;
}

function drawView() {
  const view = state.view;
  if (!view) return;
  const game = view.game;
  const status = view.status;
  $('game-name').textContent = game ? game.gameName || 'Untitled game' : 'GameGirl Color';
  const badge = $('status-badge');
  badge.textContent =
    game && status !== 'idle' ? `T${view.turn} · ${STATUS_LABEL[status]}` : STATUS_LABEL[status];
  badge.dataset.status = status;
  $('shell').dataset.status = status;
  $('play').classList.toggle('compact', view.turn > 0 && status !== 'idle');

  const img = /** @type {HTMLImageElement} */ ($('title-img'));
  if (game) {
    const src = /^(\/title\/|data:image\/)/.test(game.titleScreenUrl)
      ? game.titleScreenUrl
      : `/title/${encodeURIComponent(game.gameId)}.png`;
    if (img.getAttribute('src') !== src) img.src = src;
    img.alt = `Title screen: ${game.gameName}`;
  }
  show('title-img', Boolean(game));

  const notice = view.error && status !== 'failed' ? view.error : view.notice || '';
  $('notice').textContent = notice;
  show('notice', Boolean(notice));

  show('idle', status === 'idle');
  const sceneText = view.scene && status !== 'idle' ? view.scene.text : '';
  $('scene-text').textContent = sceneText;
  show('scene-text', Boolean(sceneText) && status !== 'narrating');

  const deciding = status === 'narrating' && view.decision;
  show('narrating', status === 'narrating' && !deciding);
  drawDecision(deciding ? view.decision : null);

  show('failed', status === 'failed');
  $('failed-text').textContent = status === 'failed' ? view.error || 'The narrator failed.' : '';
  show('ended', status === 'ended');

  drawChoices(view);
  drawCountdown(view);
}

function myChoice(view) {
  return view.window?.chosen.find((c) => c.userId === me.id)?.choice ?? null;
}

function drawChoices(view) {
  const box = $('choices');
  box.replaceChildren();
  const open = view.status === 'playing' || view.status === 'counting';
  if (!open || !view.scene) return;
  const mine = myChoice(view);
  view.scene.choices.forEach((choice, index) => {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'choice';
    button.dataset.choice = choice;
    const key = document.createElement('span');
    key.className = 'key';
    key.textContent = String(index + 1);
    const label = document.createElement('span');
    label.className = 'label';
    label.textContent = choice;
    const stamp = document.createElement('span');
    stamp.className = 'stamp';
    stamp.textContent = `T${view.turn}`;
    button.append(key, label, stamp);
    if (choice === mine) {
      button.classList.add('picked');
      button.setAttribute('aria-pressed', 'true');
    }
    const votes = (view.window?.chosen ?? []).filter((c) => c.choice === choice).length;
    if (votes > 0) {
      const count = document.createElement('span');
      count.className = 'votes';
      count.textContent = `×${votes}`;
      button.append(count);
    }
    button.addEventListener('click', () => pressChoice(view, choice));
    box.append(button);
  });
}

/** A press names the turn and the game its button was drawn for (stale buttons are refused). */
function pressChoice(view, choice) {
  send({ type: 'press', turn: view.turn, choice, gameId: view.game?.gameId });
}

function drawDecision(decision) {
  show('decision', Boolean(decision));
  const box = $('decision-choices');
  box.replaceChildren();
  if (!decision) return;
  const mine = decision.userId === me.id;
  $('decision-text').textContent = mine
    ? 'You booted this game: pick what happens next.'
    : `Waiting for ${state.names.get(decision.userId) || 'the host'} to decide…`;
  if (!mine) return;
  for (const option of decision.options) {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'choice';
    button.textContent = option;
    const { turn, game } = state.view;
    button.addEventListener('click', () =>
      send({ type: 'decide', choice: option, turn, gameId: game?.gameId }),
    );
    box.append(button);
  }
}

function drawCountdown(view) {
  const counting = view.status === 'counting' && view.window;
  show('countdown', Boolean(counting));
  const list = $('chosen');
  list.replaceChildren();
  if (!counting) return;
  for (const c of view.window.chosen) {
    const item = document.createElement('li');
    item.className = c.userId === me.id ? 'me' : '';
    const who = document.createElement('b');
    who.textContent = c.userName;
    const what = document.createElement('span');
    what.textContent = ` → ${c.choice}`;
    item.append(who, what);
    list.append(item);
  }
}

function tick() {
  const view = state.view;
  if (view && view.status === 'counting' && view.window) {
    const left = Math.max(0, state.deadlineLocal - performance.now());
    const fraction = Math.min(1, left / state.windowTotalMs);
    $('countdown-fill').style.width = `${(fraction * 100).toFixed(1)}%`;
    $('countdown-fill').classList.toggle('low', fraction < 0.3);
    $('countdown-secs').textContent = `${(left / 1000).toFixed(1)}s`;
  }
  requestAnimationFrame(tick);
}

// ---------- menus ----------

function openMenu(name) {
  if (!state.joined) return;
  state.openMenu = name;
  for (const id of ['new', 'games', 'history']) show(`menu-${id}`, id === name);
  if (name === 'games') send({ type: 'games' });
  if (name === 'history') send({ type: 'history' });
}

function closeMenu() {
  state.openMenu = null;
  for (const id of ['new', 'games', 'history']) show(`menu-${id}`, false);
}

function drawCartridges() {
  const list = $('cartridge-list');
  list.replaceChildren();
  for (const c of state.hello?.cartridges ?? []) {
    const li = item(c.title, c.description, 'Boot', () =>
      send({ type: 'boot', spec: { kind: 'ink', cartridge: c.id } }),
    );
    li.dataset.cartridge = c.id;
    list.append(li);
  }
  show('llm-form', Boolean(state.hello?.llm));
}

function drawGames(games) {
  const list = $('games-list');
  list.replaceChildren();
  if (games.length === 0) list.append(item('No saved games yet', 'Boot a new game first.'));
  const current = state.view?.game?.gameId;
  for (const g of games) {
    const here = g.gameId === current;
    const when = new Date(g.updatedAt).toLocaleString();
    const where = g.active
      ? g.channelId === state.channel
        ? 'playing here'
        : `playing in #${g.channelId}`
      : 'saved';
    const li = item(
      g.gameName || 'Untitled game',
      `turn ${g.turnNumber} · ${where} · ${when} · id ${g.gameId}`,
      here ? '' : 'Load',
      () => send({ type: 'load', gameId: g.gameId }),
      here ? 'current' : '',
    );
    li.dataset.gameId = g.gameId;
    list.append(li);
  }
}

function drawHistory() {
  const turns = state.turns ?? [];
  const list = $('history-list');
  list.replaceChildren();
  if (turns.length === 0) list.append(item('Nothing yet', 'Turns appear here once played.'));
  for (const t of turns.slice().reverse()) {
    const who = t.choices.map(([id, choice]) => `${state.names.get(id) || 'someone'}: ${choice}`);
    list.append(item(`Turn ${t.turn}`, `${t.summary}${who.length ? `\n${who.join(' · ')}` : ''}`));
  }
}

// ---------- wiring ----------

function wire() {
  const channelInput = /** @type {HTMLInputElement} */ ($('join-channel'));
  const nameInput = /** @type {HTMLInputElement} */ ($('join-name'));
  const fromHash = decodeURIComponent(location.hash.replace(/^#/, '')).trim();
  channelInput.value = fromHash || state.channel;
  nameInput.value = me.name;
  $('join-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const channel = channelInput.value.trim();
    const name = nameInput.value.trim();
    if (!channel || !name) return;
    state.channel = channel;
    me.name = name;
    state.joined = true;
    state.view = null;
    storage.set('gg.channel', channel);
    storage.set('gg.name', name);
    storage.set('gg.joined', '1');
    drawScreen();
    join();
  });
  $('leave-button').addEventListener('click', () => {
    state.joined = false;
    storage.set('gg.joined', '0');
    closeMenu();
    drawScreen();
  });
  $('retry-button').addEventListener('click', () => send({ type: 'retry' }));
  $('exit-button').addEventListener('click', () => send({ type: 'exit' }));
  $('history-button').addEventListener('click', () => openMenu('history'));
  $('games-button').addEventListener('click', () => openMenu('games'));
  $('new-button').addEventListener('click', () => openMenu('new'));
  for (const el of document.querySelectorAll('[data-open]')) {
    el.addEventListener('click', () => openMenu(/** @type {HTMLElement} */ (el).dataset.open));
  }
  for (const el of document.querySelectorAll('[data-close]'))
    el.addEventListener('click', closeMenu);
  $('llm-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const premise = /** @type {HTMLInputElement} */ ($('llm-premise')).value.trim();
    send({ type: 'boot', spec: premise ? { kind: 'llm', premise } : { kind: 'llm' } });
  });
  document.addEventListener('keydown', (event) => {
    if (event.target instanceof HTMLInputElement) return;
    if (event.key === 'Escape') closeMenu();
    const n = Number(event.key);
    const view = state.view;
    if (
      n >= 1 &&
      n <= 9 &&
      view?.scene &&
      (view.status === 'playing' || view.status === 'counting')
    ) {
      const choice = view.scene.choices[n - 1];
      if (choice !== undefined) pressChoice(view, choice);
    }
  });
}

wire();
drawScreen();
connect();
requestAnimationFrame(tick);
