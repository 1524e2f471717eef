// Small readers of parsed JSON values, shared by the item rules, and the reader of JSON file cells.
import { MAYBE_HUGE_NUMBER, Result, err, holdsInfinity, ok } from '@container-service/batch-domain';

/** A JSON object: not null, not an array. */
export const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** `record[key]` when it is the record's own property, never one from a prototype. */
export const own = (record: Record<string, unknown>, key: string): unknown => (Object.prototype.hasOwnProperty.call(record, key) ? record[key] : undefined);

/**
 * A key that could reach a prototype, as a JSON body's parser drops it (fastify's `remove`):
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
 * JSON text of a file cell, read as a JSON body is read: keys that could reach a prototype are
 * dropped, and a number too large to read (JSON.parse would give Infinity, stored as null) is
 * refused. `not JSON` when the text is not JSON at all.
 */
export function parseJsonCell(text: string): Result<unknown, 'not JSON' | 'a number too large'> {
  let value: unknown;
  try {
    value = MAYBE_PROTOTYPE_KEY.test(text) ? (JSON.parse(text, withoutPrototypeKeys) as unknown) : (JSON.parse(text) as unknown);
  } catch {
    return err('not JSON');
  }
  return MAYBE_HUGE_NUMBER.test(text) && holdsInfinity(value) ? err('a number too large') : ok(value);
}
