// The human-readable side of `gamegirl cartridge test`: the report as a table of findings.
import { relative } from 'node:path';
import type { Playthrough } from './playthrough.js';
import type { Place, Report } from './run.js';

function at(p: Place): string {
  const file = relative(process.cwd(), p.file) || p.file;
  return `${file}${p.line === null ? '' : `:${p.line}`}${p.where === null ? '' : ` (${p.where})`}`;
}

function pct(n: number, of: number): string {
  return `${Math.round((n / Math.max(1, of)) * 1000) / 10}%`;
}

/** The labels a playthrough followed, shortened for one line. */
function pathLine(p: Playthrough): string {
  const labels = p.path.map((l) => JSON.stringify(l.length > 30 ? `${l.slice(0, 29)}…` : l));
  const shown = labels.length > 8 ? [...labels.slice(0, 3), '…', ...labels.slice(-4)] : labels;
  return `run ${p.run} (${p.mode}, ${p.players.length} players, ${p.turns.length} turns): ${shown.join(' → ') || '(opening)'}`;
}

export function formatReport(r: Report): string {
  const out: string[] = [];
  const row = (head: string, text: string) => out.push(`${head.padEnd(11)}${text}`);
  const more = (text: string) => out.push(`${''.padEnd(11)}${text}`);
  const total = Object.values(r.outcomes).reduce((a, b) => a + b, 0);
  row(
    'CARTRIDGE',
    `${r.cartridge.title} (${r.cartridge.id})  ${relative(process.cwd(), r.cartridge.file) || r.cartridge.file}`,
  );
  const errors = r.diagnostics.filter((d) => d.severity === 'error');
  const warnings = r.diagnostics.filter((d) => d.severity !== 'error');
  row(
    'COMPILE',
    errors.length === 0 ? `ok, ${warnings.length} warning(s)` : `${errors.length} error(s)`,
  );
  for (const d of r.diagnostics)
    more(`${at({ file: d.file, line: d.line, where: null })}: ${d.severity}: ${d.message}`);
  const s = r.settings;
  row(
    'RUNS',
    `${total} playthroughs (${s.hostRuns} through GameHost), ${s.players ?? '3–6'} players, seed ${s.seed}, modes all/plurality/host`,
  );
  if (total === 0) {
    row('RESULT', 'FAIL (does not compile)');
    return out.join('\n');
  }
  if (r.endings.length === 0) row('ENDINGS', 'none reached');
  for (const [i, e] of r.endings.entries()) {
    const text = `${e.name.padEnd(28)} ${String(e.count).padStart(6)}  ${pct(e.count, total)}`;
    if (i === 0) row('ENDINGS', text);
    else more(text);
  }
  row(
    'TURNS',
    r.turns === null
      ? '-'
      : `min ${r.turns.min} · median ${r.turns.median} · max ${r.turns.max} (playthroughs that ended)`,
  );
  row(
    'UNVISITED',
    r.unvisited.length === 0 ? 'none' : `${r.unvisited.length} knot(s)/stitch(es) never visited`,
  );
  for (const f of r.unvisited)
    more(`${at({ file: f.file, line: f.line, where: null })}  ${f.kind} ${f.path}`);
  row(
    'DEAD ENDS',
    r.deadEnds.length === 0
      ? 'none'
      : `${r.outcomes['dead-end']} playthrough(s) stopped with no choices and no ending`,
  );
  for (const d of r.deadEnds) {
    more(`${at(d)}  ×${d.count}`);
    more(`  e.g. ${pathLine(d.example)}`);
  }
  row(
    'LOOPS',
    r.loops.count === 0
      ? 'none'
      : `${r.loops.count} playthrough(s) without an ending after ${s.maxTurns} turns`,
  );
  if (r.loops.example !== null) more(`  e.g. ${pathLine(r.loops.example)}`);
  row('ERRORS', r.errors.length === 0 ? 'none' : `${r.outcomes.error} playthrough(s) failed`);
  for (const e of r.errors) {
    more(`×${e.count} ${e.message}`);
    more(`  e.g. ${pathLine(e.example)}`);
  }
  row(
    'LABELS',
    r.longLabels.length === 0
      ? 'none over 80 characters'
      : `${r.longLabels.length} too long for a Discord button`,
  );
  for (const l of r.longLabels) more(`${at(l)}  ${l.detail}`);
  for (const l of r.tooManyChoices) more(`${at(l)}  ${l.detail}`);
  if (r.longestScene !== null && r.longestScene.chars > 0)
    row(
      'LONGEST',
      `${r.longestScene.chars} characters at ${at(r.longestScene)}: ${JSON.stringify(`${r.longestScene.start}…`)}`,
    );
  const problems = [
    errors.length > 0 ? `${errors.length} compile error(s)` : '',
    r.errors.length > 0 ? `${r.outcomes.error} runtime error(s)` : '',
    r.deadEnds.length > 0 ? `${r.outcomes['dead-end']} dead end(s)` : '',
  ].filter((p) => p !== '');
  row('RESULT', r.ok ? 'PASS' : `FAIL (${problems.join(', ')})`);
  if (!r.ok)
    more('replay a failure: add --json > report.json, then run again with --replay report.json');
  return out.join('\n');
}
