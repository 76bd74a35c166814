// Drawing the console's screen from the channel's view: the link light, the scene, the choices,
// the host's decision and the countdown. Untrusted text is only ever set with textContent.
import { me, send, state } from './connection.js';
import { $, show } from './dom.js';
import {
  announceChanges,
  announceCountdown,
  drawReveal,
  drawTable,
  drawWaiting,
} from './players.js';

export function drawLink() {
  $('led').classList.toggle('on', state.connected);
  $('link-state').textContent = state.connected ? 'LINK' : 'OFF';
  $('where').textContent = state.joined ? `#${state.channel} · ${me.name}` : '';
}

export function drawScreen() {
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

export function onView(view) {
  const previous = state.view;
  state.view = view;
  if (view.status === 'narrating' && previous?.status !== 'narrating')
    $('stream-text').replaceChildren();
  // Another game's turns are not this one's story.
  if (previous?.game?.gameId !== view.game?.gameId) state.story = null;
  if (view.window && view.window.secondsRemaining > 0) {
    const ms = view.window.secondsRemaining * 1000;
    // The server says how long the window is: a page that joins mid-window draws it to scale.
    state.windowTotalMs = Math.max(view.window.lengthMs, ms);
    state.deadlineLocal = performance.now() + ms;
  }
  const moved = previous?.turn !== view.turn || previous?.game?.gameId !== view.game?.gameId;
  drawView();
  announceChanges(previous, view);
  if (moved) $('scroll').scrollTop = 0;
  drawMoreCue();
}

/** The "more below" cue: shown while the scene's region has text below what it shows. */
export function drawMoreCue() {
  const box = $('scroll');
  show('more-cue', box.scrollHeight - box.scrollTop - box.clientHeight > 4);
}

function drawView() {
  const view = state.view;
  if (!view) return;
  const game = view.game;
  const status = view.status;
  $('game-name').textContent = game ? game.gameName || 'Untitled game' : 'GameGirl Color';
  const badge = $('status-badge');
  badge.textContent =
    game && status !== 'idle'
      ? `T${view.turn} · ${view.decision ? 'HOST DECIDES' : STATUS_LABEL[status]}`
      : STATUS_LABEL[status];
  badge.dataset.status = status;
  // What an LLM game has spent, for the player who booted it.
  const spend = $('spend-badge');
  const mine = game?.spend && game.bootedBy === state.you ? game.spend : null;
  spend.hidden = mine === null;
  if (mine) {
    const total = mine.prompt + mine.completion;
    spend.textContent = `${total < 10_000 ? total : `${Math.round(total / 1000)}k`} tokens`;
    spend.title = `This game has used ${mine.prompt} prompt + ${mine.completion} completion tokens`;
  }
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

  drawReveal(view);
  drawXCard(view);
  drawRules(view);
  drawChoices(view);
  drawCountdown(view);
  drawWaiting(view);
  drawTable(view);
}

/** The X-card, for players (not spectators) while a scene is on screen. */
function drawXCard(view) {
  const role = (view.present ?? []).find((p) => p.player === state.you)?.role ?? 'player';
  const onScreen = ['playing', 'counting', 'ended'].includes(view.status) && view.scene;
  show('xcard-button', Boolean(onScreen) && role === 'player');
}

/** How the channel's windows run, and (for who may manage the game) the window's length. */
function drawRules(view) {
  const rules = view.rules;
  const shown = Boolean(rules) && (view.status === 'playing' || view.status === 'counting');
  show('rules-line', shown);
  if (!rules || !shown) return;
  $('rules-text').textContent = `${rules.countdownSeconds} s window · ${
    rules.closeWhenAllChosen ? 'closes once everyone here has chosen' : 'runs its full length'
  }`;
  const mayChange = rules.anyoneMayManage || view.game?.bootedBy === state.you;
  show('countdown-setting', mayChange);
  const select = /** @type {HTMLSelectElement} */ ($('countdown-select'));
  const value = String(rules.countdownSeconds);
  if (![...select.options].some((o) => o.value === value)) {
    const extra = document.createElement('option');
    extra.value = value;
    extra.textContent = `${value} s`;
    select.append(extra);
  }
  if (document.activeElement !== select) select.value = value;
}

/** Asks for another window length for the channel (from the next window). */
export function changeCountdown() {
  const seconds = Number(/** @type {HTMLSelectElement} */ ($('countdown-select')).value);
  if (Number.isInteger(seconds)) send({ type: 'countdown', seconds });
}

/** Sets the scene on screen aside (the server keeps no trace of who). */
export function pressXCard() {
  const view = state.view;
  if (view?.scene) send({ type: 'xcard', turn: view.turn, gameId: view.game?.gameId });
}

/**
 * Presses made since the last view (new or changed entries, upserted by handle): a press costs
 * a few bytes instead of the whole list. A delta for another game or turn is ignored (a view
 * follows).
 */
export function onChosen(delta) {
  const view = state.view;
  if (!view?.window || view.game?.gameId !== delta.gameId || view.turn !== delta.turn) return;
  const chosen = [...view.window.chosen];
  for (const entry of delta.entries) {
    const at = chosen.findIndex((c) => c.player === entry.player);
    if (at < 0) chosen.push(entry);
    else chosen[at] = entry;
  }
  // Who the window waits for: a player who chose for the first time is no longer waited for
  // (the server sends a whole view instead when that would not be right).
  const waitingFor = [...view.window.waitingFor];
  for (const entry of delta.entries) {
    if (view.window.chosen.some((c) => c.player === entry.player)) continue;
    const at = waitingFor.indexOf(entry.name);
    if (at >= 0) waitingFor.splice(at, 1);
  }
  const window = {
    ...view.window,
    deadlineMs: delta.deadlineMs,
    secondsRemaining: delta.secondsRemaining,
    chosen,
    waitingFor,
  };
  onView({ ...view, window });
}

function myChoice(view) {
  return view.window?.chosen.find((c) => c.player === state.you)?.choice ?? null;
}

/**
 * The choice buttons. They are rebuilt only when the scene's choices change (another turn or
 * game); a press (anyone's) only updates them in place, so keyboard focus stays where it was.
 * When they are rebuilt, focus that was on a choice moves to the same choice, or the first.
 */
function drawChoices(view) {
  const box = $('choices');
  const open = (view.status === 'playing' || view.status === 'counting') && view.scene;
  const key = open ? `${view.game?.gameId}|${view.turn}|${view.scene.choices.join('\u0000')}` : '';
  if (box.dataset.key !== key) {
    // Focus on a choice survives the narration in between (the box is empty meanwhile), unless
    // the player moved it elsewhere.
    if (box.contains(document.activeElement))
      state.focusChoice = /** @type {HTMLElement} */ (document.activeElement).dataset.choice ?? '';
    else if (document.activeElement !== document.body) state.focusChoice = null;
    box.dataset.key = key;
    box.replaceChildren();
    if (!open) return;
    box.append(...view.scene.choices.map((choice, index) => choiceButton(view, choice, index)));
    if (state.focusChoice !== null) {
      const again = [...box.children].find((b) => b.dataset.choice === state.focusChoice);
      /** @type {HTMLElement | undefined} */ (again ?? box.firstElementChild)?.focus();
      state.focusChoice = null;
    }
  }
  if (!open) return;
  const mine = myChoice(view);
  for (const button of /** @type {HTMLElement[]} */ ([...box.children])) {
    const choice = button.dataset.choice;
    button.classList.toggle('picked', choice === mine);
    button.setAttribute('aria-pressed', String(choice === mine));
    /** @type {HTMLElement} */ (button.querySelector('.stamp')).textContent = `T${view.turn}`;
    const votes = (view.window?.chosen ?? []).filter((c) => c.choice === choice).length;
    const count = /** @type {HTMLElement} */ (button.querySelector('.votes'));
    count.textContent = votes > 0 ? `×${votes}` : '';
    count.hidden = votes === 0;
  }
}

function choiceButton(drawn, choice, index) {
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'choice';
  button.dataset.choice = choice;
  // The key number and turn stamp are decoration (the keyboard shortcut is told in the hint):
  // the button's name is the choice as printed, with its vote count when it has one.
  const key = document.createElement('span');
  key.className = 'key';
  key.textContent = String(index + 1);
  key.setAttribute('aria-hidden', 'true');
  const label = document.createElement('span');
  label.className = 'label';
  label.textContent = choice;
  const stamp = document.createElement('span');
  stamp.className = 'stamp';
  stamp.setAttribute('aria-hidden', 'true');
  const count = document.createElement('span');
  count.className = 'votes';
  count.hidden = true;
  button.append(key, label, stamp, count);
  button.addEventListener('click', () => pressChoice(drawn, choice));
  return button;
}

/** A press names the turn and the game its button was drawn for (stale buttons are refused). */
export function pressChoice(view, choice) {
  send({ type: 'press', turn: view.turn, choice, gameId: view.game?.gameId });
}

function drawDecision(decision) {
  show('decision', Boolean(decision));
  const box = $('decision-choices');
  box.replaceChildren();
  if (!decision) return;
  const mine = decision.player === state.you;
  $('decision-text').textContent = mine
    ? 'You booted this game: pick what happens next.'
    : (state.view?.reveal?.text ?? 'Waiting for the host to decide…');
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
    item.className = c.player === state.you ? 'me' : '';
    const who = document.createElement('b');
    who.textContent = c.name;
    const what = document.createElement('span');
    what.textContent = ` → ${c.choice}`;
    item.append(who, what);
    list.append(item);
  }
}

export function tick() {
  const view = state.view;
  if (view && view.status === 'counting' && view.window) {
    const left = Math.max(0, state.deadlineLocal - performance.now());
    const fraction = Math.min(1, left / state.windowTotalMs);
    $('countdown-fill').style.width = `${(fraction * 100).toFixed(1)}%`;
    $('countdown-fill').classList.toggle('low', fraction < 0.3);
    $('countdown-secs').textContent = `${(left / 1000).toFixed(1)}s`;
    announceCountdown(view, left / 1000, state.windowTotalMs / 1000);
  }
  requestAnimationFrame(tick);
}
