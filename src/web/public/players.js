// What the group decided and who the table waits for: the reveal of the last closed window, the
// "waiting for" line of an open window, and the polite announcements a screen reader hears (a
// new scene, the reveal, the countdown at a few milestones). Untrusted text only via textContent.
import { send, state } from './connection.js';
import { $, show } from './dom.js';

/** The reveal: while narrating, what the window that just closed sent to the narrator; on a
 *  scene, the one that led to it. */
export function drawReveal(view) {
  const reveal = view.status === 'idle' ? null : view.reveal;
  show('reveal', Boolean(reveal));
  if (!reveal) return;
  const box = $('reveal');
  box.dataset.phase = view.status === 'narrating' ? 'now' : 'before';
  $('reveal-head').textContent =
    view.status === 'narrating' ? 'THE GROUP DECIDED' : `LAST TURN · T${reveal.turn}`;
  $('reveal-text').textContent = reveal.text;
  const list = $('reveal-tally');
  list.replaceChildren();
  for (const entry of reveal.tally) {
    const li = document.createElement('li');
    const sent = reveal.sent?.includes(entry.choice) === true;
    li.className = sent ? 'sent' : '';
    const what = document.createElement('b');
    what.textContent = `${entry.choice} ×${entry.count}`;
    const who = document.createElement('span');
    who.textContent = ` ${entry.names.join(', ')}${sent ? ' → narrator' : ''}`;
    li.append(what, who);
    list.append(li);
  }
}

/** The open window: who the group waits for (active players who have not chosen). */
export function drawWaiting(view) {
  const waiting = view.status === 'counting' ? (view.window?.waitingFor ?? []) : [];
  $('waiting').textContent = waiting.length > 0 ? `waiting for ${waiting.join(', ')}` : '';
  show('waiting', waiting.length > 0);
}

/** Says `text` politely to screen readers (the region is visually hidden). */
export function announce(text) {
  const region = $('announcer');
  // A repeated text is re-announced only if the node changes.
  region.textContent = '';
  region.textContent = text;
}

const SCENE_WORDS = 60;

/** Announces what changed between two views: a new scene, a reveal, the end, a failure. */
export function announceChanges(previous, view) {
  const parts = [];
  const r = view.reveal;
  if (r && r.text !== state.announcedReveal && view.status !== 'idle') {
    state.announcedReveal = r.text;
    if (previous?.reveal?.text !== r.text) parts.push(r.text);
  }
  const sceneKey = `${view.game?.gameId}|${view.turn}|${view.status === 'ended'}`;
  const shown = view.status === 'playing' || view.status === 'ended' || view.status === 'counting';
  if (view.scene && shown && sceneKey !== state.announcedScene) {
    state.announcedScene = sceneKey;
    const words = view.scene.text.split(/\s+/).filter(Boolean);
    const text = words.slice(0, SCENE_WORDS).join(' ') + (words.length > SCENE_WORDS ? '…' : '');
    parts.push(`New scene, turn ${view.turn}. ${text}`);
    if (view.status !== 'ended') parts.push(`${view.scene.choices.length} choices.`);
  }
  if (view.status === 'failed' && previous?.status !== 'failed') parts.push('The narrator failed.');
  if (parts.length > 0) announce(parts.join(' '));
}

/** Seconds left at which the countdown is announced (with half of the window). */
const MILESTONES = [5, 3];

/** Called on every frame of an open window with the seconds left. */
export function announceCountdown(view, secondsLeft, totalSeconds) {
  const key = `${view.game?.gameId}|${view.turn}`;
  if (state.milestoneWindow !== key) {
    state.milestoneWindow = key;
    state.milestonesSaid = new Set();
    return;
  }
  const marks = [Math.floor(totalSeconds / 2), ...MILESTONES].filter(
    (m) => m > 0 && m < totalSeconds,
  );
  for (const m of marks) {
    if (secondsLeft <= m && !state.milestonesSaid.has(m)) {
      // Every passed mark at once counts as said: only the nearest one is spoken.
      for (const k of marks) if (k >= m) state.milestonesSaid.add(k);
      announce(`${m} seconds left to choose.`);
      return;
    }
  }
}

/** Who is at the table (pages connected now, Discord users active recently): who has chosen,
 *  who the window waits for, who watches; and this page's Watch/Play button. */
export function drawTable(view) {
  const present = view.present ?? [];
  // Also the line of the X-card: shown while a game runs, whoever is known to be here.
  show('table-line', present.length > 0 || (view.status !== 'idle' && Boolean(view.game)));
  const list = $('table');
  list.replaceChildren();
  // Players are told apart by their handle in the channel (never a user id); this page's own
  // handle is state.you.
  const chosen = new Set((view.window?.chosen ?? []).map((c) => c.player));
  const waiting = new Set(view.status === 'counting' ? (view.window?.waitingFor ?? []) : []);
  for (const p of present) {
    const li = document.createElement('li');
    const mark =
      p.role === 'spectator'
        ? 'watching'
        : p.role === 'joining'
          ? 'plays next window'
          : chosen.has(p.player)
            ? 'chosen'
            : waiting.has(p.name)
              ? 'waiting'
              : '';
    li.dataset.state = mark || 'here';
    li.className = p.player === state.you ? 'me' : '';
    const name = document.createElement('b');
    name.textContent = p.name;
    li.append(name);
    if (mark) {
      const what = document.createElement('span');
      what.textContent = ` ${mark === 'chosen' ? '✓ chosen' : mark}`;
      li.append(what);
    }
    list.append(li);
  }
  const mine = present.find((p) => p.player === state.you)?.role ?? 'player';
  const button = /** @type {HTMLButtonElement} */ ($('role-button'));
  button.textContent = mine === 'player' ? 'Watch' : mine === 'joining' ? 'Joining…' : 'Play';
  button.disabled = mine === 'joining';
  button.dataset.role = mine;
  button.title =
    mine === 'player'
      ? 'Watch without playing'
      : 'Play from the next window (the open one goes on without you)';
}

/** The Watch/Play button: one press to watch, one to play from the next window. */
export function toggleRole() {
  const role = $('role-button').dataset.role === 'player' ? 'spectator' : 'player';
  send({ type: 'role', role });
}
