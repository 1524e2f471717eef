// JSON text read as the service reads a JSON body, wherever it comes from (form fields, file
// cells): keys that could reach a prototype dropped, and numbers JSON.parse cannot read refused
// (past 1.8e308 it answers Infinity, which JSON.stringify then writes as null).
import { Result, err, ok } from './result';

/**
 * A number literal JSON.parse reads as ±Infinity (above 1.8e308) has an exponent of three digits
 * or more, or an integer part of 210 digits or more (with at most 99 in the exponent, 209 digits
 * stay below 1e308; JSON allows no leading zeros). Only a text that holds such a run is walked,
 * so an ordinary body costs one scan. A run is tried only where it starts (the lookbehind), so
 * the scan stays linear also on a body of runs just under the length.
 */
export const MAYBE_HUGE_NUMBER = /[eE]\+?\d{3}|(?<!\d)\d{210}/;

/** Whether a parsed value holds a number that is not finite; iterative, so any depth is safe. */
export function holdsInfinity(value: unknown): boolean {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const node = stack.pop();
    if (typeof node === 'number' && !Number.isFinite(node)) return true;
    if (typeof node === 'object' && node !== null) for (const child of Object.values(node)) stack.push(child);
  }
  return false;
}

/**
 * A key that could reach a prototype, as the JSON body's parser drops it (fastify's `remove`):
 * `__proto__`, and `constructor` holding an object with a `prototype` key.
 */
function withoutPrototypeKeys(key: string, value: unknown): unknown {
  if (key === '__proto__') return undefined;
  if (key === 'constructor' && typeof value === 'object' && value !== null && Object.prototype.hasOwnProperty.call(value, 'prototype')) return undefined;
  return value;
}

/** Text in which such a key may be written, plainly or escaped; other text is parsed as it is. */
const MAYBE_PROTOTYPE_KEY = /__proto__|constructor|\\u/;

/**
 * `text` parsed as a JSON body is: keys that could reach a prototype are dropped, and a number too
 * large to read is refused. `not JSON` when the text is not JSON at all.
 */
export function parseJsonText(text: string): Result<unknown, 'not JSON' | 'a number too large'> {
  let value: unknown;
  try {
    value = MAYBE_PROTOTYPE_KEY.test(text) ? (JSON.parse(text, withoutPrototypeKeys) as unknown) : (JSON.parse(text) as unknown);
  } catch {
    return err('not JSON');
  }
  return MAYBE_HUGE_NUMBER.test(text) && holdsInfinity(value) ? err('a number too large') : ok(value);
}
