import { checkRegexSafety } from './safe-regex';

describe('checkRegexSafety', () => {
  it.each(['^[A-Z]{3}-\\d+$', '^(abc|def)$', '^[a-z]+(-[a-z]+)?$', '^\\w+@\\w+\\.com$', '^(?:ab)+$', '[(*+)]+', '^(\\d{3})?$'])(
    'allows %s',
    (pattern) => {
      expect(checkRegexSafety(pattern)).toEqual({ safe: true });
    },
  );

  it.each(['(a+)+$', '^(a|a)*$', '(\\w+\\s?)*$', '^((ab)*)+$', '(.*a){12}', '(a|b)+', '(x+x+)+y', '(a)\\1', '(?<x>a)\\k<x>'])(
    'refuses %s',
    (pattern) => {
      expect(checkRegexSafety(pattern).safe).toBe(false);
    },
  );

  it('refuses a pattern that does not compile', () => {
    expect(checkRegexSafety('([a-z')).toEqual({ safe: false, reason: 'is not a valid regular expression' });
  });

  it('refuses a very long pattern', () => {
    expect(checkRegexSafety('a'.repeat(300)).safe).toBe(false);
  });
});
