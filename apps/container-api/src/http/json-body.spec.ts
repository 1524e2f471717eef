import { JsonDepthGauge, holdsInfinity, valueNestsDeeperThan } from './json-body';

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

describe('holdsInfinity', () => {
  it('finds a number JSON.parse read as Infinity anywhere, at any depth', () => {
    for (const text of ['{"a":1e400}', '{"a":[{"b":-1E+999}]}', `{"a":${'9'.repeat(400)}}`]) expect(holdsInfinity(JSON.parse(text))).toBe(true);
    expect(holdsInfinity(JSON.parse(`${'['.repeat(60)}1e999${']'.repeat(60)}`))).toBe(true);
  });

  it('passes finite numbers, huge and tiny ones included, and numbers written in strings', () => {
    for (const text of ['{"a":1.7e308}', '{"a":1e-400}', '{"a":"1e400"}', `{"a":${'9'.repeat(300)}}`, '[]', 'null'])
      expect(holdsInfinity(JSON.parse(text))).toBe(false);
  });
});
