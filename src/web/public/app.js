// GameGirl Color web console. Plain browser JavaScript, no build step, no dependencies.
// Every piece of text from the server (names, choices, narrator text) is untrusted: it is only
// ever set with textContent, never parsed as HTML.
// This entry module dispatches the server's messages and wires the controls; the link and the
// shared state are in connection.js, the screen in screen.js, the menus in menus.js.
import { connect, me, send, state } from './connection.js';
import { $, storage, toast } from './dom.js';
import { closeMenu, drawCartridges, drawGames, drawHistory, openMenu } from './menus.js';
import { toggleRole } from './players.js';
import { drawLink, drawScreen, onView, pressChoice, tick } from './screen.js';

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
        state.turns = [...state.turns.filter((t) => t.turn !== m.record.turn), m.record].slice(-50);
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
  $('role-button').addEventListener('click', toggleRole);
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
connect({
  open() {
    drawLink();
    if (state.joined && state.channel && me.name) join();
  },
  message: onMessage,
  close: drawLink,
});
requestAnimationFrame(tick);
