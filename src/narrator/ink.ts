import type { Story } from 'inkjs/engine/Story';
import { Story as UntypedStory } from 'inkjs/full';
import { checkChoice } from '../core/limits.js';
import { type CompiledCartridge, DEFAULT_CARTRIDGES_DIR, loadCartridge } from './cartridges.js';
import {
  type NarrationResult,
  type Narrator,
  NarratorError,
  type OpeningInput,
  pluralityChoice,
  type Scene,
  type TurnInput,
} from './port.js';

// inkjs' ESM type entry uses extensionless relative imports that NodeNext cannot follow, so the
// value import is untyped; the engine's own declaration file supplies the type.
const StoryClass: new (json: string) => Story = UntypedStory;

export {
  type CartridgeInfo,
  type CompiledCartridge,
  DEFAULT_CARTRIDGES_DIR,
  listCartridges,
  loadCartridge,
} from './cartridges.js';

/** Discord's button label limit; ink choice labels must fit on a button. */
export const MAX_CHOICE_LABEL_LENGTH = 80;
/** Discord fits 5 rows × 5 buttons on a message. */
export const MAX_CHOICES_PER_SCENE = 25;

// ink's ErrorType.Error; warnings (1) and author messages (0) do not fail a turn.
const INK_RUNTIME_ERROR = 2;

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new NarratorError('aborted', 'the narration was aborted');
}

/** A short, escaped rendering of untrusted text for error messages. */
function quote(text: string): string {
  const clipped = text.length > 80 ? `${text.slice(0, 77)}...` : text;
  return JSON.stringify(clipped);
}

/**
 * Tidies ink output: trailing spaces off every line, no leading or trailing blank lines, and at
 * most one blank line between paragraphs.
 */
export function tidyInkText(raw: string): string {
  return raw
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/**
 * The labels of the story's current choices, checked for buttons: each a valid choice
 * (src/core/limits.ts), at most 80 characters, no two alike (choices are matched by text).
 */
export function choiceLabels(story: Story, cartridgeId: string): string[] {
  const labels = story.currentChoices.map((choice) => choice.text.trim());
  const fail = (why: string): never => {
    throw new NarratorError(
      'story',
      `cartridge "${cartridgeId}" offers an unusable choice: ${why}`,
    );
  };
  if (labels.length > MAX_CHOICES_PER_SCENE)
    fail(`${labels.length} choices (at most ${MAX_CHOICES_PER_SCENE})`);
  const seen = new Set<string>();
  for (const label of labels) {
    try {
      checkChoice(label);
    } catch (error) {
      fail(`${quote(label)}: ${error instanceof Error ? error.message : String(error)}`);
    }
    if ([...label].length > MAX_CHOICE_LABEL_LENGTH) {
      fail(`${quote(label)} is longer than ${MAX_CHOICE_LABEL_LENGTH} characters`);
    }
    if (seen.has(label)) fail(`${quote(label)} appears twice in one scene`);
    seen.add(label);
  }
  return labels;
}

/** Runs the story to its next choice point (or its end) and returns what players see. */
function advance(story: Story, cartridgeId: string): Scene {
  const errors: string[] = [];
  // With a handler set, inkjs reports runtime errors here instead of throwing mid-continue.
  story.onError = (message, type) => {
    if (type === INK_RUNTIME_ERROR) errors.push(message);
  };
  let raw = '';
  try {
    while (story.canContinue) raw += story.Continue();
  } catch (cause) {
    throw new NarratorError(
      'story',
      `cartridge "${cartridgeId}" failed while running: ${String(cause)}`,
      {
        cause,
      },
    );
  }
  if (errors.length > 0) {
    throw new NarratorError(
      'story',
      `cartridge "${cartridgeId}" failed while running: ${errors.join('; ')}`,
    );
  }
  const choices = choiceLabels(story, cartridgeId);
  return { text: tidyInkText(raw), choices, ended: choices.length === 0 };
}

/** How the chosen option is described in the turn's one-line summary. */
function describeChoice(
  chosen: string,
  presses: ReadonlyMap<string, string>,
  decided: boolean,
): string {
  const total = presses.size;
  let votes = 0;
  for (const c of presses.values()) if (c === chosen) votes++;
  if (total === 0) return `${quote(chosen)} (decided by the host).`;
  const tally = `${votes} of ${total} ${total === 1 ? 'player' : 'players'} chose it`;
  return `${quote(chosen)} (${tally}${decided && votes === 0 ? '; decided by the host' : ''}).`;
}

/**
 * A Narrator that plays an authored ink cartridge. Its state is the ink story state as a JSON
 * string, so a saved game resumes exactly where it stopped, in a new process if need be. Ink can
 * follow one branch per turn: the host's decided choice, else the plurality of the presses.
 */
export class InkNarrator implements Narrator {
  readonly cartridge: CompiledCartridge;

  /** Throws NarratorError('story') when the cartridge is unknown or does not compile. */
  constructor(cartridgeId: string, dir: string = DEFAULT_CARTRIDGES_DIR) {
    this.cartridge = loadCartridge(cartridgeId, dir);
  }

  get id(): string {
    return this.cartridge.id;
  }

  get title(): string {
    return this.cartridge.title;
  }

  async open(input: OpeningInput): Promise<NarrationResult> {
    throwIfAborted(input.signal);
    const story = new StoryClass(this.cartridge.json);
    const scene = advance(story, this.cartridge.id);
    const state = story.state.toJson();
    throwIfAborted(input.signal);
    input.onText?.(scene.text);
    return { scene, summary: `Booted ${quote(this.cartridge.title)}.`, state };
  }

  async next(input: TurnInput): Promise<NarrationResult> {
    throwIfAborted(input.signal);
    const story = this.#restore(input.state);
    const offered = choiceLabels(story, this.cartridge.id);
    if (offered.length === 0) {
      throw new NarratorError('story', `the story of "${this.cartridge.id}" has already ended`);
    }
    const chosen = input.decidedChoice ?? pluralityChoice(input.choices);
    if (chosen === null) throw new NarratorError('story', 'no choice was made this turn');
    const index = offered.indexOf(chosen);
    const choice = index < 0 ? undefined : story.currentChoices[index];
    if (choice === undefined) {
      throw new NarratorError(
        'story',
        `${quote(chosen)} is not one of the current choices: ${offered.map(quote).join(', ')}`,
      );
    }
    try {
      story.ChooseChoiceIndex(choice.index);
    } catch (cause) {
      throw new NarratorError(
        'story',
        `cartridge "${this.cartridge.id}" rejected the choice ${quote(chosen)}`,
        {
          cause,
        },
      );
    }
    const scene = advance(story, this.cartridge.id);
    const state = story.state.toJson();
    throwIfAborted(input.signal);
    input.onText?.(scene.text);
    const summary = describeChoice(chosen, input.choices, input.decidedChoice !== null);
    return { scene, summary: scene.ended ? `${summary} The story ended.` : summary, state };
  }

  /** A story positioned at the saved choice point. */
  #restore(state: unknown): Story {
    if (typeof state !== 'string' || state === '') {
      throw new NarratorError(
        'story',
        'missing ink state: expected the JSON string saved by open() or next()',
      );
    }
    const story = new StoryClass(this.cartridge.json);
    try {
      story.state.LoadJson(state);
    } catch (cause) {
      throw new NarratorError(
        'story',
        `corrupt ink state for cartridge "${this.cartridge.id}": ${String(cause)}`,
        {
          cause,
        },
      );
    }
    // Saved states always sit at a choice point or at the end; anything else was not saved by us.
    if (story.canContinue) {
      throw new NarratorError(
        'story',
        `corrupt ink state for cartridge "${this.cartridge.id}": not at a choice point`,
      );
    }
    return story;
  }
}
