// The menus drawn over the screen: new game (cartridges and the LLM story), saved games and the
// story so far (story.js). Untrusted text is only ever set with textContent (through item()).
import { send, state } from './connection.js';
import { $, item, show } from './dom.js';
import { requestStory } from './story.js';

export function openMenu(name) {
  if (!state.joined) return;
  state.openMenu = name;
  for (const id of ['new', 'games', 'history']) show(`menu-${id}`, id === name);
  // A list drawn on an earlier visit may be out of date (a game swapped, a turn played): it is
  // replaced by a loading row until the server's fresh answer arrives, never shown as current.
  if (name === 'games') {
    state.gamesMore = false;
    loading('games-list');
    send({ type: 'games' });
  }
  if (name === 'history') {
    loading('history-list');
    requestStory();
    $('history-head').focus();
    exportLinks();
  }
}

/** The download links of the channel's game (GET /export: the session cookie and, for a private
 *  channel, its join code authorise it). */
function exportLinks() {
  for (const format of ['markdown', 'json']) {
    const q = new URLSearchParams({ channel: state.channel, format });
    if (state.code) q.set('code', state.code);
    $(`export-${format}`).setAttribute('href', `/export?${q}`);
  }
}

function loading(listId) {
  const list = $(listId);
  list.setAttribute('aria-busy', 'true');
  list.replaceChildren(item('Loading…', ''));
}

export function closeMenu() {
  state.openMenu = null;
  for (const id of ['new', 'games', 'history']) show(`menu-${id}`, false);
}

export function drawCartridges() {
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

/** Draws a page of games: the first replaces the list, a later one (`more`) extends it. */
export function drawGames(games, nextCursor, more = false) {
  const list = $('games-list');
  list.removeAttribute('aria-busy');
  if (!more) list.replaceChildren();
  list.querySelector('[data-more]')?.remove();
  if (games.length === 0 && !more && !nextCursor)
    list.append(item('No saved games yet', 'Boot a new game first.'));
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
  state.gamesCursor = nextCursor ?? null;
  if (nextCursor) {
    const li = item('More games', '', 'More', () => {
      state.gamesMore = true;
      send({ type: 'games', cursor: nextCursor });
    });
    li.dataset.more = '1';
    list.append(li);
  }
}
