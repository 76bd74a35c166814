// The story so far (the History menu: every scene in order, who chose what, how each window was
// settled) and the personal "while you were away" recap shown after a join. Untrusted text
// (names, choices, narrator text) is only ever set with textContent.
import { send, state } from './connection.js';
import { $, show, storage } from './dom.js';

/** Turns asked for per page of the story. */
const PAGE = 20;

/** One entry of the story: a heading, who chose what and how it was settled, the scene. */
function storyEntry(title, lines, sceneText) {
  const li = document.createElement('li');
  li.className = 'story-entry';
  const head = document.createElement('strong');
  head.textContent = title;
  li.append(head);
  const detail = lines.filter(Boolean);
  if (detail.length > 0) {
    const small = document.createElement('small');
    small.textContent = detail.join('\n');
    li.append(small);
  }
  if (sceneText) {
    const p = document.createElement('p');
    p.className = 'story-text';
    p.textContent = sceneText;
    li.append(p);
  }
  return li;
}

function turnEntry(t, title = `Turn ${t.turn}`) {
  const who = t.choices.map((c) => `${c.name}: ${c.choice}`).join(' · ');
  const scene = t.scene ? t.scene.text : t.summary;
  return storyEntry(title, [who, t.reveal?.text ?? ''], scene);
}

/** Asks for the newest page of the story (the menu shows a loading row meanwhile). */
export function requestStory() {
  state.story = null;
  state.storyMore = false;
  send({ type: 'story', count: PAGE });
}

function requestEarlier() {
  const first = state.story?.turns[0];
  if (!first) return;
  state.storyMore = true;
  send({ type: 'story', count: PAGE, before: first.turn });
}

/** A page arrived: the first replaces the story, an earlier one goes before it. */
export function onStoryPage(page) {
  const more = state.storyMore;
  state.storyMore = false;
  if (page === null) state.story = null;
  else if (more && state.story?.gameId === page.gameId)
    state.story = { ...page, turns: [...page.turns, ...state.story.turns] };
  else state.story = page;
  drawStory(more);
}

/** A turn was played: the open story grows without asking the server. */
export function onTurn(turn) {
  const story = state.story;
  if (!story || story.gameId !== state.view?.game?.gameId) return;
  story.turns = [...story.turns.filter((t) => t.turn !== turn.turn), turn];
  if (state.openMenu === 'history') drawStory(false);
}

function drawStory(keepPlace) {
  const list = $('history-list');
  list.removeAttribute('aria-busy');
  list.replaceChildren();
  const story = state.story;
  if (!story) {
    list.append(storyEntry('No story yet', ['Boot a game: its scenes are kept here.'], ''));
    return;
  }
  if (story.earlier) {
    const li = document.createElement('li');
    li.className = 'story-more';
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'btn small';
    button.id = 'story-earlier';
    button.textContent = 'Earlier turns';
    button.addEventListener('click', requestEarlier);
    li.append(button);
    list.append(li);
  } else if (story.opening) {
    list.append(storyEntry('Opening', [], story.opening.text));
  } else if (story.turns.length > 0 && story.turns[0].turn > 1) {
    list.append(storyEntry('Earlier turns are no longer kept', [], ''));
  }
  for (const t of story.turns) list.append(turnEntry(t));
  if (story.turns.length === 0)
    list.append(storyEntry('Nothing yet', ['Turns appear here once played.'], ''));
  // Reading goes on from where it was: the newest at the end, an earlier page above it (focus
  // stays near the button that asked for it, which was just redrawn).
  const panel = $('menu-history');
  if (keepPlace) {
    panel.scrollTop = 0;
    ($('story-earlier') ?? $('history-head')).focus();
  } else panel.scrollTop = panel.scrollHeight;
}

/** Where a dismissed recap is remembered: shown again only when more turns were missed. */
const recapKey = (recap) => `gg.recap.${recap.gameId}`;
const newestOf = (recap) => recap.missed[recap.missed.length - 1]?.turn ?? 0;

/** "While you were away": drawn over the screen, to this player only, until dismissed. */
export function showRecap(recap) {
  if (storage.get(recapKey(recap)) === String(newestOf(recap))) return;
  state.recap = recap;
  const n = recap.missedCount;
  const turns = `${n} turn${n === 1 ? '' : 's'}`;
  $('recap-head').textContent = recap.last ? 'While you were away' : 'Previously on…';
  const mine = recap.last?.choices.find((c) => c.player === state.you);
  $('recap-lead').textContent = recap.last
    ? `${mine ? `You last chose “${mine.choice}” (turn ${recap.last.turn}). ` : ''}${turns} went on without you${recap.missed.length < n ? `; the last ${recap.missed.length}` : ''}:`
    : `${recap.gameName || 'This game'}: ${turns} played so far${recap.missed.length < n ? `; the last ${recap.missed.length}` : ''}:`;
  const list = $('recap-list');
  list.replaceChildren();
  for (const t of recap.missed) list.append(turnEntry(t));
  show('recap', true);
  $('recap-head').focus();
}

/** The recap's "Read the whole story": dismissed, the story menu opens. */
export function openStoryFromRecap() {
  closeRecap();
  $('history-button').click();
}

/** Dismisses the recap (remembered for this game until more turns are missed). */
export function closeRecap() {
  const recap = state.recap;
  if (!recap) return;
  state.recap = null;
  storage.set(recapKey(recap), String(newestOf(recap)));
  show('recap', false);
  // Back to the game: the scene's first choice, else the scene itself.
  const target = document.querySelector('#choices .choice:not([disabled])') ?? $('scroll');
  /** @type {HTMLElement} */ (target).focus();
}
