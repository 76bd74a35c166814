// The fast mode of `gamegirl cartridge test`: the narrator's own engine (InkPlay) and its rules
// for the followed choice and the crowd the story sees, without saving the state between turns.

import type { InkPlay, InkStep } from '../narrator/ink.js';
import { ACTIVE_WINDOWS, followedChoice, openingCrowd, turnCrowd } from '../narrator/ink-crowd.js';
import type { Scene } from '../narrator/port.js';
import type { Mode } from './playthrough.js';
import {
  type Playthrough,
  Recorder,
  type SimPlayer,
  type TurnLog,
  visitedFlows,
} from './playthrough.js';
import type { Flow } from './source.js';

/** The presses of the window on `scene` (turn `turn`), or null to stop playing. */
type Driver = (turn: number, scene: Scene) => TurnLog | null;

export interface DirectRun {
  play: InkPlay;
  flows: Flow[];
  run: number;
  mode: Mode;
  players: SimPlayer[];
  driver: Driver;
  maxTurns: number;
  /** Called with every scene the story produces. */
  onScene?: (step: InkStep) => void;
  /** Called when a window closes, before the story follows `followed`. */
  onTurn?: (turn: number, log: TurnLog, followed: string) => void;
}

/** Plays one game to its end (or the turn limit) and says what happened and where it went. */
export function playDirect(r: DirectRun): { playthrough: Playthrough; visited: string[] } {
  const players = r.players;
  const rec = new Recorder(
    { cartridge: r.play.cartridgeId, run: r.run, mode: r.mode, players },
    r.flows,
  );
  const names = new Map(players.map((p) => [p.id, p.name]));
  const bootedBy = players[0]?.id ?? null;
  const history: { turn: number; choices: ReadonlyMap<string, string> }[] = [];
  const done = () => ({ playthrough: rec.result, visited: visitedFlows(r.play, r.flows) });
  let step: InkStep;
  try {
    step = r.play.start(openingCrowd({ gameId: '', gameName: '', bootedBy }));
  } catch (error) {
    rec.fail(error, r.play);
    return done();
  }
  r.onScene?.(step);
  if (rec.step(step)) return done();
  for (let turn = 0; turn < r.maxTurns; turn++) {
    const log = r.driver(turn, step.scene);
    if (log === null) break;
    rec.result.turns.push(log);
    const choices = new Map(log.presses);
    const input = {
      turn,
      choices,
      playerNames: names,
      bootedBy,
      history,
      decidedChoice: log.decided,
    };
    const followed = followedChoice(input, r.play.offered());
    if (followed === null) break;
    rec.result.path.push(followed);
    r.onTurn?.(turn, log, followed);
    try {
      step = r.play.choose(followed, turnCrowd(input, followed));
    } catch (error) {
      rec.fail(error, r.play);
      return done();
    }
    r.onScene?.(step);
    history.push({ turn, choices });
    if (history.length > ACTIVE_WINDOWS + 1) history.shift();
    if (rec.step(step)) return done();
  }
  return done();
}
