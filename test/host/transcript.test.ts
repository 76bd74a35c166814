// The Markdown transcript keeps untrusted text as text: a player's name, a choice or a line of
// narration cannot open a heading, list, quote, link, table or HTML tag of its own.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseArchive } from '../../src/core/archive.js';
import { GameSession } from '../../src/core/game-session.js';
import { TurnRecord } from '../../src/core/turn-record.js';
import { transcriptOf } from '../../src/host/transcript.js';

function archiveOf(names: Record<string, string>, choices: Record<string, string>) {
  const s = new GameSession('den', '# Game [x](http://evil)');
  for (const [id, name] of Object.entries(names)) s.registerPlayer(id, name);
  return parseArchive({
    format: 'gamegirl-game',
    version: 1,
    exported_at_ms: 0,
    game: s.toDict(),
    turns: [new TurnRecord(1, choices, '1. *summary* <b>', 10).toDict()],
  });
}

test('names, choices and summaries stay text in the transcript', () => {
  const md = transcriptOf(
    archiveOf(
      { u1: '# Eve [link](http://e)', u2: '- Ann | x' },
      { u1: '<script>alert(1)</script>', u2: '`code` ~~gone~~ _it_' },
    ),
    'all',
  );
  const lines = md.split('\n');
  assert.equal(lines[0], '# \\# Game \\[x\\](http://evil)');
  assert.ok(
    lines.includes(
      '- **\\# Eve \\[link\\](http://e)** chose “&lt;script&gt;alert(1)&lt;/script&gt;”',
    ),
    md,
  );
  assert.ok(lines.includes('- **\\- Ann \\| x** chose “\\`code\\` \\~\\~gone\\~\\~ \\_it\\_”'), md);
  assert.ok(lines.includes('_1\\. \\*summary\\* &lt;b&gt;_'), md);
  assert.equal(lines.filter((l) => l.startsWith('#')).length, 2, 'the title and one turn heading');
  assert.doesNotMatch(md, /</, 'no raw tag');
});

test('a game with no turns says so, and names players rather than ids', () => {
  const md = transcriptOf(archiveOf({ 'user-1': 'Ann' }, { 'user-1': 'Go' }), 'all');
  assert.match(md, /- Players: Ann \(from turn 0\)/);
  assert.doesNotMatch(md, /user-1/);
  const empty = transcriptOf({ ...archiveOf({}, {}), turns: [] }, 'all');
  assert.match(empty, /_No turns recorded yet\._/);
});

test('a record that keeps its scene shows the scene (as text), not its summary', () => {
  const s = new GameSession('den', 'Game');
  s.registerPlayer('u1', 'Ann');
  const scene = { text: '# Not a heading\n- nor a list\n\n1. nor this', choices: ['Go'] };
  const md = transcriptOf(
    parseArchive({
      format: 'gamegirl-game',
      version: 1,
      exported_at_ms: 0,
      game: s.toDict(),
      turns: [new TurnRecord(1, { u1: 'Go' }, 'the summary', 10, scene).toDict()],
    }),
    'all',
  );
  assert.match(md, /^\\# Not a heading {2}\n\\- nor a list\n\n1\\\. nor this$/m);
  assert.doesNotMatch(md, /the summary/);
});
