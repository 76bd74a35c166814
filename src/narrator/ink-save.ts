// What an ink game saves, and how it resumes when its cartridge was edited since: the same story
// loads its state as is; an edited one is replayed from the start along the saved choices, so the
// game goes on from the same place in the new text, or says clearly why it cannot.
import { createHash } from 'node:crypto';
import type { JsonValue } from '../core/session-state.js';
import type { CompiledCartridge } from './cartridges.js';
import type { Crowd } from './ink-crowd.js';
import type { InkPlay } from './ink-play.js';
import { NarratorError } from './port.js';

/** [the label followed, how many players the story saw] for each turn, oldest first. */
export type SavedPath = [string, number][];

/** The narrator state of an ink game (older saves are the bare ink state string). */
export interface SavedGame {
  /** inkjs' own state JSON. */
  ink: string;
  /** The cartridge id and storyVersion() of the compiled story that wrote it; null for older
   *  saves. */
  cartridge: string | null;
  story: string | null;
  path: SavedPath;
  /** The previous choice point, kept for the X-card (a rewind there): its ink state, path, the
   *  scene it showed and the label followed from it. Null on the opening scene and after a
   *  rewind (one step back is kept). */
  back: SavedStep | null;
}

/** One choice point a game can step back to. */
export interface SavedStep {
  ink: string;
  path: SavedPath;
  text: string;
  choices: string[];
  /** The label followed from here to the scene after it (left out of a rewound scene). */
  followed: string;
}

/** A short fingerprint of a compiled story: an edited cartridge gets another. */
export function storyVersion(cartridge: CompiledCartridge): string {
  return createHash('sha256').update(cartridge.json).digest('hex').slice(0, 16);
}

export function toJson(save: SavedGame): JsonValue {
  const out: { [key: string]: JsonValue } = {
    ink: save.ink,
    cartridge: save.cartridge,
    story: save.story,
    path: save.path,
  };
  if (save.back !== null)
    out.back = {
      ink: save.back.ink,
      path: save.back.path,
      text: save.back.text,
      choices: save.back.choices,
      followed: save.back.followed,
    };
  return out;
}

const isPath = (path: unknown): path is SavedPath =>
  Array.isArray(path) &&
  path.every(
    (p): p is [string, number] =>
      Array.isArray(p) && typeof p[0] === 'string' && Number.isSafeInteger(p[1]),
  );

/** The saved step back, or null for none (or one this version cannot read). */
function readBack(v: unknown): SavedStep | null {
  if (typeof v !== 'object' || v === null) return null;
  const b = v as Record<string, unknown>;
  return typeof b.ink === 'string' &&
    isPath(b.path) &&
    typeof b.text === 'string' &&
    Array.isArray(b.choices) &&
    b.choices.every((c) => typeof c === 'string') &&
    typeof b.followed === 'string'
    ? { ink: b.ink, path: b.path, text: b.text, choices: b.choices, followed: b.followed }
    : null;
}

/** Reads a saved narrator state; NarratorError('story') when it is none of ours. */
export function readSave(state: unknown): SavedGame {
  if (typeof state === 'string' && state !== '')
    return { ink: state, cartridge: null, story: null, path: [], back: null };
  if (typeof state === 'object' && state !== null && !Array.isArray(state)) {
    const s = state as Record<string, unknown>;
    const path = s.path;
    if (
      typeof s.ink === 'string' &&
      s.ink !== '' &&
      (typeof s.story === 'string' || s.story === null) &&
      (typeof s.cartridge === 'string' || s.cartridge === null) &&
      isPath(path)
    )
      return { ink: s.ink, cartridge: s.cartridge, story: s.story, path, back: readBack(s.back) };
  }
  throw new NarratorError(
    'story',
    'missing ink state: expected the state saved by open() or next()',
  );
}

function outdated(cartridge: CompiledCartridge, why: string): NarratorError {
  return new NarratorError(
    'story',
    `this game was saved with an earlier version of the cartridge "${cartridge.title}" and ${why}, so it cannot go on; start a new game of it (the saved game is kept)`,
  );
}

/** ink's random seed in a saved ink state, so a replay draws the same numbers. */
function seedOf(ink: string): number | undefined {
  try {
    const seed = (JSON.parse(ink) as { storySeed?: unknown }).storySeed;
    return typeof seed === 'number' && Number.isSafeInteger(seed) ? seed : undefined;
  } catch {
    return undefined;
  }
}

function replayCrowd(label: string, players: number): Crowd {
  return {
    players: Array.from({ length: players }, (_, i) => `Player ${i + 1}`),
    presses: new Map(),
    names: new Map(),
    chosen: label,
    bootedBy: null,
  };
}

/**
 * Positions `play` at the saved place. Returns whether the cartridge was edited since (the
 * caller then checks that the players' choice is still on offer: `outdatedChoice`).
 */
export function resume(
  play: InkPlay,
  save: SavedGame,
  cartridge: CompiledCartridge,
  version: string,
): boolean {
  if (save.cartridge !== null && save.cartridge !== cartridge.id)
    throw new NarratorError(
      'story',
      `corrupt ink state for cartridge "${cartridge.id}": it was saved by "${save.cartridge}"`,
    );
  if (save.story === null || save.story === version) {
    play.restore(save.ink);
    return false;
  }
  try {
    let step = play.start(replayCrowd('', 1), seedOf(save.ink));
    for (const [turn, [label, players]] of save.path.entries()) {
      if (step.stop !== 'choices' || !play.offered().some((o) => o.label === label))
        throw outdated(
          cartridge,
          `the choice ${JSON.stringify(label)} made on turn ${turn + 1} is no longer in it`,
        );
      step = play.choose(label, replayCrowd(label, players));
    }
  } catch (error) {
    if (error instanceof NarratorError && error.message.startsWith('this game was saved'))
      throw error;
    throw outdated(
      cartridge,
      `the new version fails on the way to the saved place (${(error as Error).message})`,
    );
  }
  return true;
}

/** The error for a choice the players made that the edited cartridge no longer offers there. */
export function outdatedChoice(cartridge: CompiledCartridge, label: string): NarratorError {
  return outdated(cartridge, `${JSON.stringify(label)} is no longer a choice at the saved place`);
}
