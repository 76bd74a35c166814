// The console's shared state, the player's identity and the WebSocket link to the server:
// sending requests and reconnecting with backoff. What a message does is decided by app.js.
import { storage, toast } from './dom.js';

// Who the player is comes from the server (a signed, HttpOnly session cookie set with the page):
// the page keeps only the display name, and learns its opaque handle in each channel it joins.
export const me = {
  name: storage.get('gg.name') || '',
};

export const state = {
  /** @type {WebSocket | null} */ ws: null,
  /** The channel named in the socket's address when it was opened. */
  wsChannel: '',
  connected: false,
  attempts: 0,
  channel: storage.get('gg.channel') || '',
  joined: storage.get('gg.joined') === '1',
  view: null,
  hello: null,
  /** What was last announced to screen readers (see players.js). */
  announcedReveal: '',
  announcedScene: '',
  milestoneWindow: '',
  milestonesSaid: new Set(),
  /** The choice that had keyboard focus when the buttons were last taken down, or null. */
  focusChoice: null,
  /** This player's handle in the joined channel (views name players by handle). */
  you: null,
  /** A private channel's join code (from the invite link), sent with every join. */
  code: null,
  /** Anyone in the joined channel may manage its game (the server says so when joining). */
  anyoneMayManage: false,
  /** The games menu's next page, when there is one. */
  gamesCursor: null,
  /** The games reply awaited is a further page (appended to the list). */
  gamesMore: false,
  windowTotalMs: 1,
  deadlineLocal: 0,
  nextId: 1,
  openMenu: null,
  /** The story so far once the history menu asked for it (then kept current). */
  story: null,
  /** The story page awaited is an earlier one (it goes before what is shown). */
  storyMore: false,
  /** The "while you were away" recap on screen, or null. */
  recap: null,
};

export function send(message) {
  if (!state.ws || state.ws.readyState !== WebSocket.OPEN) {
    toast('Not connected; retrying…');
    return;
  }
  state.ws.send(JSON.stringify({ ...message, id: state.nextId++ }));
}

/** The handlers of the last `connect`, for `reconnectedFor`. */
let handlers = null;

/**
 * True when the socket was opened for another channel than `state.channel`: it is then replaced
 * by one opened for it (its `open` handler joins), and the old one closed. False when the open
 * socket already names that channel (or none is open yet: the next connect will).
 */
export function reconnectedFor() {
  if (!state.ws || !handlers || state.wsChannel === state.channel) return false;
  const old = state.ws;
  connect(handlers);
  old.close();
  return true;
}

/**
 * Opens the socket and keeps it open: `on.open()` once connected, `on.message(m)` for each
 * parsed server message, `on.close()` when the link drops (a reconnect is then scheduled).
 */
export function connect(on) {
  handlers = on;
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  // The address names the channel the page plays in (the server goes by the join message): a
  // proxy in front of several serve processes can then send all of a channel's players to the
  // same process, which is what makes a second process add capacity (README, "Several processes").
  const query = state.channel ? `?channel=${encodeURIComponent(state.channel)}` : '';
  const ws = new WebSocket(`${scheme}://${location.host}/ws${query}`);
  state.ws = ws;
  state.wsChannel = state.channel;
  ws.addEventListener('open', () => {
    state.connected = true;
    state.attempts = 0;
    on.open();
  });
  ws.addEventListener('message', (event) => {
    if (typeof event.data !== 'string') return;
    let message;
    try {
      message = JSON.parse(event.data);
    } catch {
      return;
    }
    on.message(message);
  });
  ws.addEventListener('close', () => {
    if (state.ws !== ws) return;
    state.connected = false;
    on.close();
    // Exponential backoff with jitter: 0.5 s, 1 s, 2 s … capped at 8 s.
    const delay = Math.min(8000, 500 * 2 ** state.attempts) * (0.75 + Math.random() * 0.5);
    state.attempts++;
    // Unless the socket was replaced meanwhile (another channel joined: `reconnectedFor`).
    setTimeout(() => {
      if (state.ws === ws) connect(on);
    }, delay);
  });
}
