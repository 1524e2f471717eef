import { nestsDeeperThan, textNestsDeeperThan } from './json-depth';

describe('nestsDeeperThan', () => {
  it('counts each array or object as one level', () => {
    expect(nestsDeeperThan(1, 0)).toBe(false);
    expect(nestsDeeperThan([], 0)).toBe(true);
    expect(nestsDeeperThan({ a: [{}] }, 3)).toBe(false);
    expect(nestsDeeperThan({ a: [{}] }, 2)).toBe(true);
  });

  it('measures a value nested far past any stack without overflowing', () => {
    let value: unknown = [];
    for (let i = 0; i < 1_000_000; i++) value = [value];
    expect(nestsDeeperThan(value)).toBe(true);
  });
});

describe('textNestsDeeperThan', () => {
  it('counts brackets outside strings only, escapes included', () => {
    expect(textNestsDeeperThan('[[1]]', 2)).toBe(false);
    expect(textNestsDeeperThan('[[1]]', 1)).toBe(true);
    expect(textNestsDeeperThan('["[[[", "\\"[[["]', 1)).toBe(false);
    expect(textNestsDeeperThan('[{"a": {"b": 1}}]', 2)).toBe(true);
  });

  it('reads a million brackets in linear time', () => {
    expect(textNestsDeeperThan('['.repeat(1_000_000))).toBe(true);
  });
});
