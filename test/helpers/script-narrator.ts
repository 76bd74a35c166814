import type { JsonValue } from '../../src/core/session-state.js';
import {
  type NarrationResult,
  type Narrator,
  NarratorError,
  type OpeningInput,
  type RewriteInput,
  type Scene,
  type TurnInput,
} from '../../src/narrator/port.js';

/** The scripted story's state: how many scenes were written and what each turn chose. */
export interface ScriptState {
  step: number;
  path: string[];
}

const SCRIPT_CHOICES = ['Left', 'Right', 'Wait'] as const;

function isScriptState(v: JsonValue): v is ScriptState & JsonValue {
  return (
    typeof v === 'object' &&
    v !== null &&
    !Array.isArray(v) &&
    typeof v.step === 'number' &&
    Array.isArray(v.path)
  );
}

/**
 * A deterministic test narrator. Scene n reads "Scene n after <path>", offers Left/Right/Wait,
 * and the story ends after `endAfter` turns. The state carries the whole path, so a resumed
 * game proves it got its exact narrator state back. Tests can hold a narration (to press while
 * narrating), make the next calls fail, or make them hang until aborted.
 */
export class ScriptNarrator implements Narrator {
  readonly opens: OpeningInput[] = [];
  readonly turns: TurnInput[] = [];
  /** X-card rewrites asked for, in order. */
  readonly rewrites: RewriteInput[] = [];
  endAfter: number;
  /** Text deltas streamed per scene (the scene text split in this many parts). */
  streamParts = 2;
  #failures: Error[] = [];
  #hang = 0;
  #gate: Promise<void> | null = null;
  #release: (() => void) | null = null;

  /** Real time each scene takes to write (0: at once). */
  readonly delayMs: number;

  /** The game's name when the player gives none (like an ink cartridge's title). */
  readonly title: string | undefined;

  constructor(options: { endAfter?: number; delayMs?: number; title?: string } = {}) {
    this.endAfter = options.endAfter ?? 100;
    this.delayMs = options.delayMs ?? 0;
    this.title = options.title;
  }

  /** The next `next()` calls reject with these errors, one each. */
  failNext(...errors: Error[]): void {
    this.#failures.push(...errors);
  }

  /** The next `count` calls never answer on their own (only an abort ends them). */
  hangNext(count = 1): void {
    this.#hang += count;
  }

  /** Holds every call until the returned function is called. */
  hold(): () => void {
    this.#gate = new Promise((resolve) => {
      this.#release = resolve;
    });
    return () => {
      this.#release?.();
      this.#gate = null;
      this.#release = null;
    };
  }

  async open(input: OpeningInput): Promise<NarrationResult> {
    this.opens.push(input);
    return this.#write({ step: 0, path: [] }, input, 'opened');
  }

  async next(input: TurnInput): Promise<NarrationResult> {
    this.turns.push(input);
    if (!isScriptState(input.state)) throw new NarratorError('story', 'lost the script state');
    const chose = input.decidedChoice ?? [...input.choices.values()].join('+');
    const state = { step: input.state.step + 1, path: [...input.state.path, chose] };
    return this.#write(state, input, `chose ${chose}`);
  }

  /** The X-card: scene n is written again ("Scene n rewritten after …"), same path. */
  async rewrite(input: RewriteInput): Promise<NarrationResult> {
    this.rewrites.push(input);
    if (!isScriptState(input.state)) throw new NarratorError('story', 'lost the script state');
    return this.#write(
      { step: input.state.step, path: input.state.path },
      input,
      'rewrote',
      ' rewritten',
    );
  }

  async #write(
    state: ScriptState,
    input: OpeningInput,
    summary: string,
    how = '',
  ): Promise<NarrationResult> {
    if (this.#gate !== null) await this.#gate;
    if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
    if (this.#hang > 0) {
      this.#hang--;
      await new Promise<never>((_, reject) => {
        const fail = (): void => reject(new NarratorError('aborted', 'aborted'));
        if (input.signal?.aborted) fail();
        input.signal?.addEventListener('abort', fail, { once: true });
      });
    }
    const failure = state.step > 0 ? this.#failures.shift() : undefined;
    if (failure !== undefined) throw failure;
    const text = `Scene ${state.step}${how} after ${state.path.join(', ') || 'nothing'}`;
    const size = Math.ceil(text.length / this.streamParts);
    for (let i = 0; i < text.length; i += size) input.onText?.(text.slice(i, i + size));
    const ended = state.step >= this.endAfter;
    const scene: Scene = { text, choices: ended ? [] : [...SCRIPT_CHOICES], ended };
    return { scene, summary, state: { step: state.step, path: state.path } };
  }
}
