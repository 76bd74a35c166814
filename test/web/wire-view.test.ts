// The web console's wire shapes: no user id leaves the server (views, story turns), and a press
// becomes a small 'chosen' delta only when the page can work out the rest of the window from it
// (who it still waits for), else a whole view.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ChannelView, StoryTurn } from '../../src/host/types.js';
import { chosenDelta, toWireTurn, toWireView } from '../../src/web/wire-view.js';

const handleOf = (id: string) => `h-${id.length}-${id.charCodeAt(id.length - 1)}`;

function view(chosen: Array<[string, string, string]>, waitingFor: string[]): ChannelView {
  return {
    channelId: 'c',
    status: 'counting',
    game: {
      gameId: 'g1',
      gameName: 'Game',
      titleScreenUrl: 'gamegirl:title/g1',
      turnNumber: 3,
      bootedBy: 'web:ann',
      spec: { kind: 'ink', cartridge: 'midnight-arcade' },
      spend: { prompt: 10, completion: 5 },
    },
    scene: { text: 'A door.', choices: ['open', 'wait'], ended: false },
    turn: 3,
    window: {
      deadlineMs: 1_000_000,
      secondsRemaining: 20,
      lengthMs: 30_000,
      chosen: chosen.map(([userId, userName, choice]) => ({ userId, userName, choice })),
      waitingFor,
    },
    reveal: { turn: 2, rule: 'all', tally: [], sent: [], text: 'Nobody chose; the story goes on.' },
    error: null,
    decision: { userId: 'web:ann', options: ['open', 'wait'] },
    notice: null,
  };
}

describe('web wire view', () => {
  it('carries the window length, who it waits for, the reveal and spend, with handles for ids', () => {
    const w = toWireView(view([['web:bob', 'Bob', 'open']], ['Ann', 'Cy']), handleOf);
    assert.equal(w.window?.lengthMs, 30_000);
    assert.deepEqual(w.window?.waitingFor, ['Ann', 'Cy']);
    assert.equal(w.reveal?.text, 'Nobody chose; the story goes on.');
    assert.deepEqual(w.game?.spend, { prompt: 10, completion: 5 });
    assert.equal(w.game?.bootedBy, handleOf('web:ann'));
    assert.equal(w.decision?.player, handleOf('web:ann'));
    assert.doesNotMatch(JSON.stringify(w), /web:/);
  });

  it('story turns name players by handle and display name, never by user id', () => {
    const turn: StoryTurn = {
      turn: 4,
      choices: [
        { userId: 'web:ann', userName: 'Ann', choice: 'open' },
        { userId: 'web:bob', userName: 'Bob', choice: 'wait' },
      ],
      summary: 'They argued.',
      at: 1234,
      reveal: {
        turn: 3,
        rule: 'all',
        tally: [
          { choice: 'open', count: 1, names: ['Ann'] },
          { choice: 'wait', count: 1, names: ['Bob'] },
        ],
        sent: ['open', 'wait'],
        text: 'Every choice went to the narrator: “open” 1, “wait” 1.',
      },
      scene: { text: 'The door creaks.', choices: ['Go in', 'Leave'] },
    };
    const w = toWireTurn(turn, handleOf);
    assert.deepEqual(
      w.choices.map((c) => [c.player, c.name, c.choice]),
      [
        [handleOf('web:ann'), 'Ann', 'open'],
        [handleOf('web:bob'), 'Bob', 'wait'],
      ],
    );
    assert.equal(w.reveal.text, turn.reveal.text);
    assert.deepEqual(w.scene, turn.scene);
    assert.doesNotMatch(JSON.stringify(w), /web:|userId/);
  });

  it('a first press that stops the wait for its player is a delta; a changed choice too', () => {
    const before = toWireView(view([['web:bob', 'Bob', 'open']], ['Ann', 'Cy']), handleOf);
    const after = toWireView(
      view(
        [
          ['web:bob', 'Bob', 'open'],
          ['web:ann', 'Ann', 'wait'],
        ],
        ['Cy'],
      ),
      handleOf,
    );
    const d = chosenDelta(before, after);
    assert.ok(d);
    assert.deepEqual(d.entries, [{ player: handleOf('web:ann'), name: 'Ann', choice: 'wait' }]);
    const changed = toWireView(
      view(
        [
          ['web:bob', 'Bob', 'wait'],
          ['web:ann', 'Ann', 'wait'],
        ],
        ['Cy'],
      ),
      handleOf,
    );
    assert.deepEqual(
      chosenDelta(after, changed)?.entries.map((e) => e.name),
      ['Bob'],
    );
  });

  it('sends a whole view when the waiting list changed otherwise, or the length did', () => {
    const before = toWireView(view([['web:bob', 'Bob', 'open']], ['Ann', 'Cy']), handleOf);
    // Cy is no longer waited for, though only Ann pressed: the page could not work that out.
    const after = toWireView(
      view(
        [
          ['web:bob', 'Bob', 'open'],
          ['web:ann', 'Ann', 'wait'],
        ],
        [],
      ),
      handleOf,
    );
    assert.equal(chosenDelta(before, after), null);
    const longer = view([['web:bob', 'Bob', 'open']], ['Ann', 'Cy']);
    if (longer.window) longer.window.lengthMs = 60_000;
    assert.equal(chosenDelta(before, toWireView(longer, handleOf)), null);
  });

  it('names who is at the table by handle; a presence change alone is a whole view', () => {
    const at = (present: ChannelView['present']): ChannelView => ({
      ...view([['web:bob', 'Bob', 'open']], ['Ann']),
      present,
    });
    const before = toWireView(
      at([
        { userId: 'web:ann', userName: 'Ann', role: 'player' },
        { userId: 'web:bob', userName: 'Bob', role: 'player' },
      ]),
      handleOf,
    );
    assert.deepEqual(before.present, [
      { player: handleOf('web:ann'), name: 'Ann', role: 'player' },
      { player: handleOf('web:bob'), name: 'Bob', role: 'player' },
    ]);
    assert.doesNotMatch(JSON.stringify(before), /web:|userId/);
    // Cy comes to watch: nothing else changed, but the page's table line must show it.
    const watched = toWireView(
      at([
        { userId: 'web:ann', userName: 'Ann', role: 'player' },
        { userId: 'web:bob', userName: 'Bob', role: 'player' },
        { userId: 'web:cy', userName: 'Cy', role: 'spectator' },
      ]),
      handleOf,
    );
    assert.equal(chosenDelta(before, watched), null);
    assert.equal(toWireView(view([], []), handleOf).present.length, 0);
  });
});
