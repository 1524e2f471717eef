import { JsonDepthGauge, valueNestsDeeperThan } from './json-body';

/** Whether JSON text, fed to a gauge in one piece, nests deeper than the limit. */
const nestsDeeperThan = (text: string) => !new JsonDepthGauge().push(Buffer.from(text, 'utf8'));

const nested = (depth: number, open = '[', close = ']') => `${open.repeat(depth)}${close.repeat(depth)}`;

describe('JsonDepthGauge', () => {
  it('allows 64 levels of arrays or objects and refuses 65', () => {
    expect(nestsDeeperThan(nested(64))).toBe(false);
    expect(nestsDeeperThan(nested(65))).toBe(true);
    const objects = (depth: number) => `${'{"a":'.repeat(depth - 1)}{}${'}'.repeat(depth - 1)}`;
    expect(nestsDeeperThan(objects(64))).toBe(false);
    expect(nestsDeeperThan(objects(65))).toBe(true);
  });

  it('does not count brackets inside strings, escaped quotes included', () => {
    expect(nestsDeeperThan(`{"a":"${'['.repeat(500)}"}`)).toBe(false);
    expect(nestsDeeperThan(`{"a":"\\"${'{'.repeat(500)}"}`)).toBe(false);
    expect(nestsDeeperThan(`["\\\\", ${nested(64)}]`)).toBe(true);
  });

  it('follows the depth across pieces, split anywhere, even inside an escape', () => {
    const gauge = new JsonDepthGauge(3);
    for (const piece of ['["\\', '"[[[[', '"', ',[', '[]]]']) expect(gauge.push(Buffer.from(piece))).toBe(true);
    expect(gauge.push(Buffer.from('[[[['))).toBe(false);
  });

  it('reads multi-byte characters without mistaking their bytes for brackets', () => {
    expect(nestsDeeperThan(`{"é${'\u5b5b'.repeat(100)}":[]}`)).toBe(false);
  });
});

describe('valueNestsDeeperThan', () => {
  it('measures a parsed value the way the gauge measures its text, at any depth', () => {
    expect(valueNestsDeeperThan(JSON.parse(nested(64)))).toBe(false);
    expect(valueNestsDeeperThan(JSON.parse(nested(65)))).toBe(true);
    expect(valueNestsDeeperThan(JSON.parse(nested(100_000)))).toBe(true);
    expect(valueNestsDeeperThan('text')).toBe(false);
  });
});
