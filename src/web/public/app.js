// GameGirl Color web console. Plain browser JavaScript, no build step, no dependencies.
// Every piece of text from the server (names, choices, narrator text) is untrusted: it is only
// ever set with textContent, never parsed as HTML.
// This entry module dispatches the server's messages and wires the controls; the link and the
// shared state are in connection.js, the screen in screen.js, the menus in menus.js.
import { connect, me, reconnectedFor, send, state } from './connection.js';
import { $, storage, toast } from './dom.js';
import { copyInvite, drawInvite } from './invite.js';
import { closeMenu, drawCartridges, drawGames, openMenu } from './menus.js';
import { toggleRole } from './players.js';
import {
  changeCountdown,
  drawLink,
  drawMoreCue,
  drawScreen,
  onChosen,
  onView,
  pressChoice,
  pressXCard,
  tick,
} from './screen.js';
import { closeRecap, onStoryPage, onTurn, openStoryFromRecap, showRecap } from './story.js';

function join() {
  const message = { type: 'join', channelId: state.channel, name: me.name };
  send(state.code ? { ...message, code: state.code } : message);
}

/** The channel (and a private channel's join code) of an invite link: `#channel?code=…`. */
function fromInvite() {
  const hash = location.hash.replace(/^#/, '');
  const q = hash.indexOf('?');
  const code = q < 0 ? null : new URLSearchParams(hash.slice(q + 1)).get('code');
  const channel = decodeURIComponent(q < 0 ? hash : hash.slice(0, q)).trim();
  return { channel, code };
}

function onMessage(m) {
  switch (m.type) {
    case 'hello':
      state.hello = m;
      drawCartridges();
      break;
    case 'joined':
      state.you = m.you;
      if (m.code) state.code = m.code;
      state.anyoneMayManage = m.anyoneMayManage === true;
      if (state.view) onView(state.view);
      break;
    case 'view':
      onView(m.view);
      break;
    case 'chosen':
      onChosen(m);
      break;
    case 'text':
      // Appended as a text node: a long scene is not re-laid out from the start on every chunk.
      // A new attempt (the turn taken over after its narrator's process stopped) starts afresh.
      if (m.first === true) $('stream-text').replaceChildren();
      $('stream-text').append(String(m.delta));
      drawMoreCue();
      break;
    case 'games':
      drawGames(m.games, m.nextCursor, state.gamesMore);
      state.gamesMore = false;
      break;
    case 'story':
      onStoryPage(m.page);
      break;
    case 'turn':
      // The record comes with the event: the open story grows without asking the server.
      onTurn(m.record);
      break;
    case 'recap':
      showRecap(m.recap);
      break;
    case 'error':
      if (m.code === 'NOT_JOINED' && state.joined) join();
      // A private channel without its code, or a full one: back to the join form.
      if ((m.code === 'JOIN_CODE' || m.code === 'CHANNEL_FULL') && state.joined) {
        state.joined = false;
        storage.set('gg.joined', '0');
        drawScreen();
      }
      toast(String(m.message));
      break;
    case 'ok':
      if (m.for === 'exit' || m.for === 'load' || m.for === 'boot') closeMenu();
      // Told only to the page that pressed it: nobody else learns who.
      if (m.for === 'xcard') toast('Scene set aside. Nobody is told who pressed the X-card.');
      if (m.for === 'countdown') toast('The window length changes from the next window.');
      break;
  }
  drawInvite();
}

// ---------- wiring ----------

function wire() {
  const channelInput = /** @type {HTMLInputElement} */ ($('join-channel'));
  const nameInput = /** @type {HTMLInputElement} */ ($('join-name'));
  const invite = fromInvite();
  if (invite.code) state.code = invite.code;
  channelInput.value = invite.channel || state.channel;
  nameInput.value = me.name;
  $('join-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const channel = channelInput.value.trim();
    const name = nameInput.value.trim();
    if (!channel || !name) return;
    if (channel !== state.channel && channel !== invite.channel) state.code = null;
    state.channel = channel;
    state.you = null;
    me.name = name;
    state.joined = true;
    state.view = null;
    storage.set('gg.channel', channel);
    storage.set('gg.name', name);
    storage.set('gg.joined', '1');
    drawScreen();
    if (!reconnectedFor()) join();
  });
  $('leave-button').addEventListener('click', () => {
    state.joined = false;
    storage.set('gg.joined', '0');
    closeMenu();
    drawScreen();
    drawInvite();
  });
  $('retry-button').addEventListener('click', () => send({ type: 'retry' }));
  $('invite-button').addEventListener('click', () => void copyInvite());
  $('role-button').addEventListener('click', toggleRole);
  $('xcard-button').addEventListener('click', pressXCard);
  $('countdown-select').addEventListener('change', changeCountdown);
  $('scroll').addEventListener('scroll', drawMoreCue, { passive: true });
  window.addEventListener('resize', drawMoreCue);
  // The title image arrives after the view is drawn: the text may only overflow then.
  $('title-img').addEventListener('load', drawMoreCue);
  $('exit-button').addEventListener('click', () => send({ type: 'exit' }));
  $('history-button').addEventListener('click', () => openMenu('history'));
  $('recap-close').addEventListener('click', closeRecap);
  $('recap-story').addEventListener('click', openStoryFromRecap);
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
    if (event.key === 'Escape') {
      closeMenu();
      closeRecap();
    }
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
