import { MAX_STRING_LENGTH } from './attribute-config';
import { MAX_REGEX_PROGRAM_SIZE, CompiledRegex, compileAttributeRegex } from './safe-regex';

const compiled = (pattern: string): CompiledRegex => {
  const verdict = compileAttributeRegex(pattern);
  if (!verdict.safe) throw new Error(`${pattern} refused: ${verdict.reason}`);
  return verdict.compiled;
};

/** Milliseconds one call takes. The bounds below are loose on purpose: the invariant is "no stall". */
const timed = (run: () => unknown): number => {
  const start = process.hrtime.bigint();
  run();
  return Number(process.hrtime.bigint() - start) / 1e6;
};

describe('compileAttributeRegex', () => {
  // Patterns a backtracking engine takes exponential or polynomial time on, with the value that
  // makes it do so, grown to the longest value an attribute may hold.
  const LONGEST = MAX_STRING_LENGTH;
  it.each([
    ['nested quantifiers', '^(a+)+$', 'a'.repeat(LONGEST - 1) + '!'],
    ['an alternation of equals', '^(a|a)*$', 'a'.repeat(LONGEST - 1) + '!'],
    ['overlapping alternatives', '^(a|aa)+$', 'a'.repeat(LONGEST - 1) + '!'],
    ['a guard-blind empty negated class', '^[^](a+)+$', 'x' + 'a'.repeat(LONGEST - 2) + '!'],
    ['a polynomial run of stars', '\\d*\\d*\\d*\\d*!', '1'.repeat(LONGEST)],
    ['a repeated greedy dot', '(.*a){20}$', 'a'.repeat(LONGEST - 1) + 'b'],
    ['words and optional spaces', '^(\\w+\\s?)*$', 'ab '.repeat(LONGEST / 3) + '!'],
    ['a nested repeated class', '(x+x+)+y', 'x'.repeat(LONGEST)],
  ])('accepts %s (%s) and judges a hostile value of the longest length in linear time', (_shape, pattern, value) => {
    const regex = compiled(pattern);
    regex.test('warm-up');
    const ms = timed(() => expect(regex.test(value)).toBe(false));
    expect(ms).toBeLessThan(250);
  });

  it('keeps a 65 536-character value within milliseconds on an ordinary pattern', () => {
    const regex = compiled('^[A-Za-z0-9 ._-]+$');
    const value = 'abc-DEF_0.9 '.repeat(LONGEST / 12).padEnd(LONGEST, 'x');
    regex.test(value);
    expect(timed(() => expect(regex.test(value)).toBe(true))).toBeLessThan(100);
  });

  it.each([
    ['a backreference', '(a)\\1', /backreference/],
    ['a named backreference', '(?<x>a)\\k<x>', /backreference/],
    ['a lookbehind', '(?<=a)b', /lookahead or lookbehind/],
    ['a negative lookahead', '^(?!x)a', /lookahead or lookbehind/],
    ['invalid syntax', '([a-z', /not a valid regular expression/],
    ['a lone quantifier', '+a', /not a valid regular expression/],
    ['a repeat count RE2 cannot hold', 'a{1001}', /more than 1000 times/],
    ['a program too large', '(?:a{999}){999}', /too complex/],
    ['a Unicode class repeated too often', '[\\p{L}\\p{N}]{100}', /too complex/],
    ['an unsupported Unicode property', '\\p{Script_Extensions=Greek}', /not supported/],
    ['a pattern over 256 characters', 'a'.repeat(300), /at most 256 characters/],
  ])('refuses %s with a reason', (_what, pattern, reason) => {
    const verdict = compileAttributeRegex(pattern);
    expect(verdict.safe).toBe(false);
    expect(!verdict.safe && verdict.reason).toMatch(reason);
  });

  it('never throws, whatever the pattern', () => {
    // '[]([^\]])' made the old static checker pop its outermost group and throw (a 503).
    for (const pattern of [
      '[]([^\\]])',
      '[^]',
      '[]',
      '(?<n>a)|\\k<n>',
      '\\u{10FFFF}',
      '[\\u{0}-\\u{10FFFF}]',
      '\\p{L}+',
      '(?:)',
      '',
      '\\',
      '(',
      ')',
      '[',
      '\\uD83D\\uDE00',
    ]) {
      expect(() => compileAttributeRegex(pattern)).not.toThrow();
    }
  });

  it('refuses in milliseconds a pattern whose program would be huge', () => {
    expect(timed(() => expect(compileAttributeRegex('(?:(?:a{30}){30}){30}b').safe).toBe(false))).toBeLessThan(50);
  });

  it('bounds the program size of what it accepts', () => {
    expect(compiled('(?:a{450})b').programSize).toBeLessThanOrEqual(MAX_REGEX_PROGRAM_SIZE);
  });

  it('reuses one compilation for a pattern', () => {
    expect(compiled('^reuse-[0-9]+$')).toBe(compiled('^reuse-[0-9]+$'));
  });
});

describe('a compiled attribute regex means what the JavaScript pattern means', () => {
  // Each pattern against values chosen to hit the places where RE2 and JavaScript read the same
  // text differently; the expected answer is JavaScript's own, on values too short to stall it.
  const values = [
    '',
    'a',
    'A',
    'ab',
    'abc',
    'aab',
    'a\nb',
    'a\rb',
    'a\u2028b',
    '\u00a0',
    '\v',
    '\t',
    ' ',
    'x y',
    '1',
    '123',
    '12a',
    'a-1',
    'AB-12',
    '😀',
    'a😀b',
    '\uD800',
    'é',
    'Ω',
    'ω',
    '_',
    '[',
    ']',
    '\\',
    '/',
    '-',
    '.',
    '$',
    '^',
    '\u0000',
    '\u0008',
    'abc\n',
    '\nabc',
    'word word',
    'über',
  ];
  it.each([
    '^[A-Z]{2}-\\d+$',
    '^[a-z]+(-[a-z]+)?$',
    'b',
    '^a',
    'c$',
    '^$',
    '^.$',
    '^..$',
    'a.b',
    '\\s',
    '^\\S+$',
    '^\\w+$',
    '\\W',
    '\\d',
    '\\D',
    '\\bword\\b',
    '\\Bor',
    '[^]',
    '^[^]$',
    '[]',
    'a|[]',
    '[\\s\\d]',
    '[^\\s]',
    '[\\S]',
    '^[\\w-]+$',
    '[a-]',
    '[-a]',
    '[\\-]',
    '[\\b]',
    '\\/',
    '\\.',
    '\\$',
    '\\^',
    '\\\\',
    '\\[',
    '\\]',
    '\\0',
    '\\x41',
    '\\u00e9',
    '\\u{1F600}',
    '\\uD83D\\uDE00',
    '[\\uD83D\\uDE00]',
    '^[😀]$',
    '\\cJ',
    '\\t|\\v',
    '(?:ab)+',
    '(?<name>a)b',
    'a{2}',
    'a{2,}',
    'a{1,2}b',
    'a+?b',
    'a*?$',
    '(ab|cd)?',
    '^(a|ab)c$',
    '\\p{L}',
    '^\\p{Lu}+$',
    '\\P{L}',
    '[\\p{Ll}\\d]',
    '[^\\p{L}]',
    '\\p{Script=Greek}',
    '\\p{gc=Nd}',
    '^[^a-z]*$',
    '[\\u0000-\\u001f]',
  ])('%s', (pattern) => {
    const regex = compiled(pattern);
    const js = new RegExp(pattern, 'u');
    for (const value of values) expect([value, regex.test(value)]).toEqual([value, js.test(value)]);
  });
});
