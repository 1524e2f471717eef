// An upload's `callback` field, as a form sends it: text to read as JSON (as a body is read:
// keys that could reach a prototype dropped), or a part of type application/json that arrives
// parsed. The body's rules hold for it too: the nesting limit, and no number that JSON reads as
// Infinity (it would be stored, and sent back, as null).
import { holdsInfinity, parseJsonText } from '@container-service/batch-domain';
import { MAX_JSON_DEPTH, valueNestsDeeperThan } from '../http/json-body';

const TOO_LARGE = 'holds a number too large to be read';

/** The callback as read (the text itself when it is not JSON), and what is wrong with it, if anything. */
export interface CallbackField {
  readonly value: unknown;
  readonly problem: string | null;
}

/** Reads a callback sent as text. */
export function readCallbackText(text: string): CallbackField {
  const parsed = parseJsonText(text);
  if (!parsed.ok) return { value: text, problem: parsed.error === 'not JSON' ? 'must be JSON text' : TOO_LARGE };
  return judgeCallbackValue(parsed.value);
}

/** Judges a callback already parsed. */
export function judgeCallbackValue(value: unknown): CallbackField {
  if (valueNestsDeeperThan(value)) return { value, problem: `must not nest arrays and objects more than ${MAX_JSON_DEPTH} levels deep` };
  if (holdsInfinity(value)) return { value, problem: TOO_LARGE };
  return { value, problem: null };
}
