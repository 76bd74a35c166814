/** gamegirl/narrator — the Narrator port. Implementations: gamegirl/ink, gamegirl/llm. */
export {
  type NarrationResult,
  type Narrator,
  NarratorError,
  type NarratorFailure,
  type OpeningInput,
  pluralityChoice,
  type RewriteInput,
  type Scene,
  type TurnInput,
} from './port.js';
