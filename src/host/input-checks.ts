import { InvalidInputError } from '../core/errors.js';
import {
  CHOICE_MAX_LENGTH,
  checkChoice,
  checkUserId,
  checkUserName,
  SCENE_CHOICES_MAX,
  SCENE_TEXT_MAX_LENGTH,
} from '../core/limits.js';
import { NarratorError, type Scene } from '../narrator/port.js';
import { issue, sceneSchema } from './saved-state.js';
import type { GameSpec, HostUser } from './types.js';

// Checks of what comes into the host from outside: a narrator's scene, an adapter's user, and
// the name a game gets when the caller gives none.

/**
 * Checks a narrator's scene before it is shown: text (at most SCENE_TEXT_MAX_LENGTH, so its turn
 * record can keep it), 1..SCENE_CHOICES_MAX distinct valid choices unless the story ended. A bad
 * scene is the narrator's failure (retryable), never a broken game.
 */
export function checkScene(scene: unknown): Scene {
  const r = sceneSchema.safeParse(scene);
  if (!r.success)
    throw new NarratorError('malformed', `the narrator's scene is malformed (${issue(r.error)})`);
  const { text, choices, ended } = r.data;
  if (!ended && choices.length === 0)
    throw new NarratorError(
      'malformed',
      'the narrator offered no choices for a story that goes on',
    );
  if (text.length > SCENE_TEXT_MAX_LENGTH && [...text].length > SCENE_TEXT_MAX_LENGTH)
    throw new NarratorError(
      'malformed',
      `the narrator's scene is longer than ${SCENE_TEXT_MAX_LENGTH} characters`,
    );
  if (choices.length > SCENE_CHOICES_MAX)
    throw new NarratorError(
      'malformed',
      `the narrator offered more than ${SCENE_CHOICES_MAX} choices`,
    );
  if (new Set(choices).size !== choices.length)
    throw new NarratorError('malformed', 'the narrator offered the same choice twice');
  for (const c of choices) {
    try {
      checkChoice(c);
    } catch (e) {
      throw new NarratorError(
        'malformed',
        `the narrator offered an unusable choice (${(e as Error).message}; at most ${CHOICE_MAX_LENGTH} characters)`,
      );
    }
  }
  return { text, choices: [...choices], ended };
}

/** Validates an adapter's user (InvalidInputError). */
export function checkUser(user: HostUser): void {
  if (typeof user !== 'object' || user === null) throw new InvalidInputError('user', 'is required');
  checkUserId(user.id);
  checkUserName(user.name);
}

/** A game's name when the caller gives none. */
export function defaultTitle(spec: GameSpec): string {
  if (spec.kind === 'ink') return spec.cartridge;
  const premise = spec.premise?.replace(/\s+/g, ' ').trim() ?? '';
  if (premise === '') return 'Adventure';
  const points = [...premise];
  return points.length > 60 ? `${points.slice(0, 59).join('').trimEnd()}…` : premise;
}
