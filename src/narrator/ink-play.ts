// The ink engine behind InkNarrator: one live story, its scenes checked for buttons, the crowd
// set before each continue. The cartridge test drives it directly.
import type { Story } from 'inkjs/engine/Story';
import { Story as UntypedStory } from 'inkjs/full';
import { checkChoice } from '../core/limits.js';
import type { CompiledCartridge } from './cartridges.js';
import {
  bindCrowdFunctions,
  type ChoiceRule,
  type Crowd,
  choiceRule,
  openingCrowd,
  playerCount,
  setCrowdVariables,
} from './ink-crowd.js';
import { NarratorError, type Scene } from './port.js';

// inkjs' ESM type entry uses extensionless relative imports that NodeNext cannot follow, so the
// value import is untyped; the engine's own declaration file supplies the type.
const StoryClass: new (json: string) => Story = UntypedStory;

/** Discord's button label limit; ink choice labels must fit on a button. */
export const MAX_CHOICE_LABEL_LENGTH = 80;
/** Discord fits 5 rows × 5 buttons on a message. */
export const MAX_CHOICES_PER_SCENE = 25;

/** How many entered containers a traced story remembers (InkStep.trail). */
const TRAIL_LENGTH = 16;

// ink's ErrorType.Error; warnings (1) and author messages (0) do not fail a turn.
const INK_RUNTIME_ERROR = 2;

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
 * Checks choice labels for buttons: each a valid choice (src/core/limits.ts), at most 80
 * characters, no two alike (choices are matched by text). Returns them.
 */
export function checkChoiceLabels(labels: string[], cartridgeId: string): string[] {
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

/** The labels of the story's current choices, checked for buttons (see checkChoiceLabels). */
export function choiceLabels(story: Story, cartridgeId: string): string[] {
  return checkChoiceLabels(
    story.currentChoices.map((choice) => choice.text.trim()),
    cartridgeId,
  );
}

/** The cause of a NarratorError('story') raised by ink at run time. */
export class InkRuntimeError extends Error {
  readonly messages: readonly string[];
  /** ink ran out of content: no choice was available and no `-> END` or `-> DONE` was reached. */
  readonly outOfContent: boolean;
  /** The last containers the story entered (ink paths, oldest first), when traced; else []. */
  readonly trail: readonly string[];
  constructor(messages: readonly string[], trail: readonly string[]) {
    super(messages.join('; '));
    this.name = 'InkRuntimeError';
    this.messages = messages;
    this.trail = trail;
    this.outOfContent = messages.some((m) => m.includes('ran out of content'));
  }
}

/** How a scene stopped: at choices, at `-> END`, or at `-> DONE` (a thread or the story). */
export type InkStop = 'choices' | 'end' | 'done';

/** A choice the story offers at its current choice point, with what its tags ask. */
export interface OfferedChoice {
  label: string;
  /** ink's choice index (for ChooseChoiceIndex). */
  index: number;
  rule: ChoiceRule;
}

/** One scene as the story produced it, with what tools (the cartridge test) need to know. */
export interface InkStep {
  scene: Scene;
  /** The tags of the scene's lines, in order. */
  tags: string[];
  stop: InkStop;
  /** Labels the story offered but the group does not see (`# min_players` above the count). */
  hidden: string[];
  /** The last containers the story entered (ink paths such as `knot.stitch`, `knot.c-1` or a
   *  function's name; oldest first, at most TRAIL_LENGTH), when traced: where it stopped. */
  trail: string[];
  /** The choice that led to this scene; null for the opening. */
  chosen: string | null;
}

export interface InkPlayOptions {
  /** Record the containers the story enters (InkStep.trail, InkRuntimeError.trail). Meant for
   *  a story compiled with every visit counted (the cartridge test); costs a little. */
  trace?: boolean;
}

/**
 * One live ink story: the engine behind InkNarrator, also driven directly (without saving the
 * state between turns) by the cartridge test's fast mode. Not safe for interleaved use: each
 * method runs to completion synchronously.
 */
export class InkPlay {
  readonly story: Story;
  readonly cartridgeId: string;
  #crowd: Crowd = openingCrowd({ gameId: '', gameName: '' });
  #errors: string[] = [];
  readonly #trace: boolean;
  #trail: string[] = [];

  constructor(cartridge: CompiledCartridge, options: InkPlayOptions = {}) {
    this.cartridgeId = cartridge.id;
    this.#trace = options.trace === true;
    this.story = new StoryClass(cartridge.json);
    // With a handler set, inkjs reports runtime errors here instead of throwing mid-continue.
    this.story.onError = (message, type) => {
      if (type === INK_RUNTIME_ERROR) this.#errors.push(message);
    };
    bindCrowdFunctions(this.story, () => this.#crowd);
  }

  /** The last containers the story entered (see InkStep.trail); empty unless traced. */
  get trail(): readonly string[] {
    return this.#trail;
  }

  /** Starts the story from the beginning (with ink's random seed `seed`, when given) and runs
   *  it to its first choice point. */
  start(crowd: Crowd, seed?: number): InkStep {
    this.story.ResetState();
    if (seed !== undefined) this.story.state.storySeed = seed;
    this.#trail = [];
    return this.#advance(crowd, null);
  }

  /** Positions the story at a state saved by `save()`. NarratorError('story') when unusable. */
  restore(state: unknown): void {
    if (typeof state !== 'string' || state === '') {
      throw new NarratorError(
        'story',
        'missing ink state: expected the JSON string saved by open() or next()',
      );
    }
    try {
      this.story.state.LoadJson(state);
    } catch (cause) {
      throw new NarratorError(
        'story',
        `corrupt ink state for cartridge "${this.cartridgeId}": ${String(cause)}`,
        { cause },
      );
    }
    // Saved states always sit at a choice point or at the end; anything else was not saved by us.
    if (this.story.canContinue) {
      throw new NarratorError(
        'story',
        `corrupt ink state for cartridge "${this.cartridgeId}": not at a choice point`,
      );
    }
  }

  /** The story's state as a JSON string. */
  save(): string {
    return this.story.state.toJson();
  }

  /** Every choice at the current choice point, including those hidden from a small group. */
  offered(): OfferedChoice[] {
    return this.story.currentChoices.map((choice) => ({
      label: choice.text.trim(),
      index: choice.index,
      rule: choiceRule(choice.tags),
    }));
  }

  /** Follows the choice labelled `label` (one of `offered()`) and runs to the next stop. */
  choose(label: string, crowd: Crowd): InkStep {
    const offered = this.offered();
    if (offered.length === 0) {
      throw new NarratorError('story', `the story of "${this.cartridgeId}" has already ended`);
    }
    const choice = offered.find((o) => o.label === label);
    if (choice === undefined) {
      throw new NarratorError(
        'story',
        `${quote(label)} is not one of the current choices: ${offered.map((o) => quote(o.label)).join(', ')}`,
      );
    }
    try {
      this.story.ChooseChoiceIndex(choice.index);
    } catch (cause) {
      throw new NarratorError(
        'story',
        `cartridge "${this.cartridgeId}" rejected the choice ${quote(label)}`,
        { cause },
      );
    }
    return this.#advance(crowd, label);
  }

  /** Runs the story to its next choice point (or its end) and returns what players see. */
  #advance(crowd: Crowd, chosen: string | null): InkStep {
    const story = this.story;
    this.#crowd = crowd;
    this.#errors = [];
    setCrowdVariables(story, crowd);
    let raw = '';
    const tags: string[] = [];
    const state = story.state;
    if (this.#trace) {
      // inkjs calls this public method on every counted container the story enters; shadowing it
      // on this state object (and only while advancing) tells where the story went, in order.
      const count = state.IncrementVisitCountForContainer;
      const trail = this.#trail;
      state.IncrementVisitCountForContainer = (container) => {
        const path = container.path.toString();
        // A divert into `knot.stitch` enters the stitch, then the knot: keep the deeper one.
        if (!(trail.at(-1) ?? '').startsWith(`${path}.`)) trail.push(path);
        if (trail.length > TRAIL_LENGTH) trail.shift();
        count.call(state, container);
      };
    }
    try {
      while (story.canContinue) {
        raw += story.Continue();
        for (const tag of story.currentTags ?? []) tags.push(tag);
      }
    } catch (cause) {
      throw new NarratorError(
        'story',
        `cartridge "${this.cartridgeId}" failed while running: ${String(cause)}`,
        { cause },
      );
    } finally {
      if (this.#trace) Reflect.deleteProperty(state, 'IncrementVisitCountForContainer');
    }
    if (this.#errors.length > 0) {
      const cause = new InkRuntimeError(this.#errors, [...this.#trail]);
      throw new NarratorError(
        'story',
        `cartridge "${this.cartridgeId}" failed while running: ${cause.message}`,
        { cause },
      );
    }
    const offered = this.offered();
    const count = playerCount(crowd);
    let shown = offered.filter((o) => o.rule.minPlayers <= count);
    // Hiding never strands the group: when every choice needs more players, all are shown.
    if (shown.length === 0) shown = offered;
    const choices = checkChoiceLabels(
      shown.map((o) => o.label),
      this.cartridgeId,
    );
    const hidden = offered.filter((o) => !shown.includes(o)).map((o) => o.label);
    const stop: InkStop =
      offered.length > 0 ? 'choices' : story.state.previousPointer.isNull ? 'end' : 'done';
    return {
      scene: { text: tidyInkText(raw), choices, ended: choices.length === 0 },
      tags,
      stop,
      hidden,
      trail: [...this.#trail],
      chosen,
    };
  }
}
