// Attribute regexes, judged in time linear in the value: every pattern is translated from its
// JavaScript spelling into RE2 syntax and compiled with re2js, a linear-time engine, and values
// are only ever matched by it. No value is ever run through a backtracking RegExp. A pattern
// that cannot be run so (a backreference, a lookaround) or is not valid JavaScript syntax is
// refused with a reason; nothing here throws. Linear is not enough on its own: the work per
// character grows with the size of the compiled program, so the program is bounded too, and a
// type's patterns together with the longest values they may see stay within a work budget.
// See docs/adr/0012-linear-time-regex.md.
import { RE2JS } from 're2js';
import { Translation, translateJsRegex } from './js-regex-translation';

const MAX_REGEX_LENGTH = 256;
/** The largest RE2 program (in instructions) an attribute regex may compile to; also the most its estimated compile cost may be. */
export const MAX_REGEX_PROGRAM_SIZE = 500;
/**
 * The most estimated compile cost all of a type's regexes may add up to, checked before any is
 * compiled: re2js took 6 to 25 µs per unit to compile the largest patterns measured, so judging
 * a whole configuration stays within a few tens of milliseconds on the request thread.
 */
export const MAX_TYPE_REGEX_COST = 1000;
/**
 * The most matching work one item's attribute regexes may take: the sum, over a type's regexes,
 * of program size times the longest value allowed. The worst cases measured on this engine (a
 * DFA whose states do not fit its cache, rebuilt value after value) took up to 190 ns per unit,
 * so one item's checks stay under about 50 ms at the very worst; ordinary patterns take well
 * under a millisecond.
 */
export const REGEX_WORK_BUDGET = 256 * 1024;
/**
 * Compiled patterns kept per process. Each keeps its DFA states warm across values, which makes
 * the next value cheap, and may hold up to re2js's DFA budget (8 MiB by its estimate, about
 * 7 MiB of heap measured at worst), so the cache stays small.
 */
const CACHE_ENTRIES = 64;

/** A pattern ready to match values in linear time. */
export interface CompiledRegex {
  readonly pattern: string;
  /** RE2 program size: the work per character of a value, in the worst case. */
  readonly programSize: number;
  test(value: string): boolean;
}

export type RegexVerdict = { safe: true; compiled: CompiledRegex } | { safe: false; reason: string };

const cache = new Map<string, RegexVerdict>();

function translate(pattern: string): Translation {
  if (pattern.length > MAX_REGEX_LENGTH) return { ok: false, reason: `must be at most ${MAX_REGEX_LENGTH} characters` };
  try {
    // The pattern keeps its JavaScript meaning: its syntax is JavaScript's, with the u flag.
    // Compiling a RegExp only parses it; it is never run.
    new RegExp(pattern, 'u');
  } catch {
    return { ok: false, reason: 'is not a valid regular expression' };
  }
  return translateJsRegex(pattern);
}

/** What compiling a pattern would cost, estimated without compiling it (0 for one that will be refused anyway). */
export function estimateRegexCost(pattern: string): number {
  try {
    const translated = translate(pattern);
    return translated.ok ? translated.cost : 0;
  } catch {
    return 0;
  }
}

function compileUncached(pattern: string): RegexVerdict {
  const translated = translate(pattern);
  if (!translated.ok) return { safe: false, reason: translated.reason };
  if (translated.cost > MAX_REGEX_PROGRAM_SIZE) return { safe: false, reason: tooLarge };
  let re2: RE2JS;
  try {
    re2 = RE2JS.compile(translated.re2);
  } catch (error) {
    const detail = error instanceof Error ? error.message.replace(/^error parsing regexp: /, '').slice(0, 120) : 'unknown error';
    return { safe: false, reason: `cannot be run by the linear-time engine (${detail})` };
  }
  const programSize = re2.programSize();
  if (programSize > MAX_REGEX_PROGRAM_SIZE) return { safe: false, reason: tooLarge };
  return { safe: true, compiled: { pattern, programSize, test: (value) => re2.test(value) } };
}

const tooLarge = `is too complex: it must compile to at most ${MAX_REGEX_PROGRAM_SIZE} instructions (fewer or smaller counted repetitions)`;

/**
 * Compiles an attribute regex for linear-time matching, or says why it cannot be. Verdicts are
 * kept in a small LRU keyed by the pattern, so the items of a chunk share one compilation.
 */
export function compileAttributeRegex(pattern: string): RegexVerdict {
  const cached = cache.get(pattern);
  if (cached !== undefined) {
    cache.delete(pattern);
    cache.set(pattern, cached);
    return cached;
  }
  let verdict: RegexVerdict;
  try {
    verdict = compileUncached(pattern);
  } catch {
    verdict = { safe: false, reason: 'could not be checked' };
  }
  cache.set(pattern, verdict);
  if (cache.size > CACHE_ENTRIES) cache.delete(cache.keys().next().value as string);
  return verdict;
}
