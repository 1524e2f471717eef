// Numbers JSON text may hold that JSON.parse cannot read: past 1.8e308 it answers Infinity, which
// JSON.stringify then writes as null. Shared by every reader of JSON text (bodies, form fields,
// file cells), so that such a number is refused wherever it comes from, never stored as null.

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
