import type { JsonValue } from '../core/session-state.js';
import { type CompiledCartridge, DEFAULT_CARTRIDGES_DIR, loadCartridge } from './cartridges.js';
import { followedChoice, openingCrowd, playerCount, turnCrowd } from './ink-crowd.js';
import { InkPlay, type InkPlayOptions, type InkStep } from './ink-play.js';
import {
  outdatedChoice,
  readSave,
  resume,
  type SavedPath,
  type SavedStep,
  storyVersion,
  toJson,
} from './ink-save.js';
import {
  type NarrationResult,
  type Narrator,
  NarratorError,
  type OpeningInput,
  type RewriteInput,
  type TurnInput,
} from './port.js';

export {
  type CartridgeInfo,
  type CompiledCartridge,
  DEFAULT_CARTRIDGES_DIR,
  listCartridges,
  loadCartridge,
} from './cartridges.js';
export { type ChoiceRule, type Crowd, choiceRule } from './ink-crowd.js';
export {
  checkChoiceLabels,
  choiceLabels,
  InkPlay,
  type InkPlayOptions,
  InkRuntimeError,
  type InkStep,
  type InkStop,
  MAX_CHOICE_LABEL_LENGTH,
  MAX_CHOICES_PER_SCENE,
  type OfferedChoice,
  tidyInkText,
} from './ink-play.js';

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new NarratorError('aborted', 'the narration was aborted');
}

/** A short, escaped rendering of untrusted text for summaries. */
function quote(text: string): string {
  const clipped = text.length > 80 ? `${text.slice(0, 77)}...` : text;
  return JSON.stringify(clipped);
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

export interface InkNarratorOptions extends InkPlayOptions {
  /** Called with every scene the story produces and the live story (the cartridge test reads
   *  visit counts there). */
  observe?: ((step: InkStep, play: InkPlay) => void) | undefined;
}

/**
 * A Narrator that plays an authored ink cartridge. Its state is the ink story state as a JSON
 * string, so a saved game resumes exactly where it stopped, in a new process if need be. Ink can
 * follow one branch per turn: the host's decided choice, else the plurality of the presses
 * (see followedChoice for `# booter` choices). The story can read the group before each continue
 * (src/narrator/ink-crowd.ts).
 */
export class InkNarrator implements Narrator {
  readonly cartridge: CompiledCartridge;
  readonly #options: InkNarratorOptions;
  // One live story per narrator, reloaded from the saved state on each turn: building a Story
  // from the compiled JSON costs far more than loading a state into it.
  #play: InkPlay | null = null;
  /** The compiled story's fingerprint, saved with every state (see ink-save.ts). */
  readonly #version: string;

  /** Throws NarratorError('story') when the cartridge is unknown or does not compile. */
  constructor(
    cartridge: string | CompiledCartridge,
    dir: string = DEFAULT_CARTRIDGES_DIR,
    options: InkNarratorOptions = {},
  ) {
    this.cartridge = typeof cartridge === 'string' ? loadCartridge(cartridge, dir) : cartridge;
    this.#options = options;
    this.#version = storyVersion(this.cartridge);
  }

  get id(): string {
    return this.cartridge.id;
  }

  get title(): string {
    return this.cartridge.title;
  }

  async open(input: OpeningInput): Promise<NarrationResult> {
    throwIfAborted(input.signal);
    const { step, state } = this.#run((play) => ({
      step: play.start(openingCrowd(input)),
      path: [],
      back: null,
    }));
    throwIfAborted(input.signal);
    input.onText?.(step.scene.text);
    return { scene: step.scene, summary: `Booted ${quote(this.cartridge.title)}.`, state };
  }

  async next(input: TurnInput): Promise<NarrationResult> {
    throwIfAborted(input.signal);
    let chosen = '';
    const { step, state } = this.#run((play) => {
      const saved = readSave(input.state);
      const edited = resume(play, saved, this.cartridge, this.#version);
      const offered = play.offered();
      if (offered.length === 0) {
        throw new NarratorError('story', `the story of "${this.cartridge.id}" has already ended`);
      }
      const followed = followedChoice(input, offered);
      if (followed === null) throw new NarratorError('story', 'no choice was made this turn');
      if (edited && !offered.some((o) => o.label === followed))
        throw outdatedChoice(this.cartridge, followed);
      chosen = followed;
      const crowd = turnCrowd(input, followed);
      const path: SavedPath = [...saved.path, [followed, playerCount(crowd)]];
      // This choice point, for an X-card on the scene it leads to.
      const back: SavedStep = {
        ink: edited ? play.save() : saved.ink,
        path: saved.path,
        text: input.scene.text,
        choices: [...input.scene.choices],
        followed,
      };
      return { step: play.choose(followed, crowd), path, back };
    });
    throwIfAborted(input.signal);
    input.onText?.(step.scene.text);
    const summary = describeChoice(chosen, input.choices, input.decidedChoice !== null);
    return {
      scene: step.scene,
      summary: step.scene.ended ? `${summary} The story ended.` : summary,
      state,
    };
  }

  /** Whether the scene saved with `state` can be set aside: the story kept the choice point
   *  before it (not on the opening scene, nor right after a rewind), with another way on. */
  canRewrite(state: JsonValue): boolean {
    try {
      return this.#stepBack(readSave(state)) !== null;
    } catch {
      return false;
    }
  }

  /**
   * The X-card: ink cannot write a new scene, so the story steps back to the previous choice
   * point and shows it again without the choice that led to the scene set aside.
   */
  async rewrite(input: RewriteInput): Promise<NarrationResult> {
    throwIfAborted(input.signal);
    const saved = readSave(input.state);
    const back = this.#stepBack(saved);
    if (back === null)
      throw new NarratorError('story', 'the story keeps no earlier choice point to step back to');
    const scene = {
      text: back.text,
      choices: back.choices.filter((c) => c !== back.followed),
      ended: false,
    };
    this.#play ??= new InkPlay(this.cartridge, this.#options);
    try {
      this.#play.restore(back.ink); // the step back must load before it is offered
    } catch (error) {
      this.#play = null;
      throw error;
    }
    input.onText?.(scene.text);
    const state = toJson({
      ink: back.ink,
      cartridge: this.cartridge.id,
      story: this.#version,
      path: back.path,
      back: null,
    });
    return {
      scene,
      summary: `The story stepped back to choose again, without ${quote(back.followed)}.`,
      state,
    };
  }

  #stepBack(saved: ReturnType<typeof readSave>): SavedStep | null {
    const back = saved.back;
    if (back === null || saved.story !== this.#version) return null;
    return back.choices.some((c) => c !== back.followed) ? back : null;
  }

  /** Runs `body` on the live story; a story that failed is rebuilt on the next call. */
  #run(body: (play: InkPlay) => { step: InkStep; path: SavedPath; back: SavedStep | null }): {
    step: InkStep;
    state: JsonValue;
  } {
    this.#play ??= new InkPlay(this.cartridge, this.#options);
    const play = this.#play;
    try {
      const { step, path, back } = body(play);
      this.#options.observe?.(step, play);
      return {
        step,
        state: toJson({
          ink: play.save(),
          cartridge: this.cartridge.id,
          story: this.#version,
          path,
          back,
        }),
      };
    } catch (error) {
      this.#play = null;
      throw error;
    }
  }
}
