// Code points as sorted ranges, and their RE2 class text: the character sets JavaScript gives
// `\d`, `\w`, `\s` and `.` (with `u`, no other flag), their complements, and how a set is written
// for re2js. The regex translation (js-regex-translation.ts) builds its classes from these.

export type Range = readonly [number, number];
const MAX_CODE_POINT = 0x10ffff;
const DIGITS: Range[] = [[0x30, 0x39]];
const WORD: Range[] = [
  [0x30, 0x39],
  [0x41, 0x5a],
  [0x5f, 0x5f],
  [0x61, 0x7a],
];
const SPACE: Range[] = [
  [0x09, 0x0d],
  [0x20, 0x20],
  [0xa0, 0xa0],
  [0x1680, 0x1680],
  [0x2000, 0x200a],
  [0x2028, 0x2029],
  [0x202f, 0x202f],
  [0x205f, 0x205f],
  [0x3000, 0x3000],
  [0xfeff, 0xfeff],
];
export const LINE_TERMINATORS: Range[] = [
  [0x0a, 0x0a],
  [0x0d, 0x0d],
  [0x2028, 0x2029],
];

export function normalize(ranges: readonly Range[]): Range[] {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const merged: Array<[number, number]> = [];
  for (const [lo, hi] of sorted) {
    const last = merged[merged.length - 1];
    if (last && lo <= last[1] + 1) last[1] = Math.max(last[1], hi);
    else merged.push([lo, hi]);
  }
  return merged;
}

export function complement(ranges: readonly Range[]): Range[] {
  const result: Range[] = [];
  let next = 0;
  for (const [lo, hi] of normalize(ranges)) {
    if (lo > next) result.push([next, lo - 1]);
    next = hi + 1;
  }
  if (next <= MAX_CODE_POINT) result.push([next, MAX_CODE_POINT]);
  return result;
}

export const hex = (code: number): string => `\\x{${code.toString(16)}}`;
export const rangeText = (ranges: readonly Range[]): string => ranges.map(([lo, hi]) => (lo === hi ? hex(lo) : `${hex(lo)}-${hex(hi)}`)).join('');
/** A class of the given code points; an empty one matches nothing, as JavaScript's `[]` does. */
export const classOf = (ranges: readonly Range[]): string =>
  ranges.length === 0 ? `[^${hex(0)}-${hex(MAX_CODE_POINT)}]` : `[${rangeText(normalize(ranges))}]`;

/** A class escape (`\d`, `\S`, ...) as code point ranges, or null when `letter` is none. */
export function classEscape(letter: string): Range[] | null {
  const base = { d: DIGITS, w: WORD, s: SPACE }[letter.toLowerCase()];
  if (base === undefined) return null;
  return letter === letter.toLowerCase() ? base : complement(base);
}
