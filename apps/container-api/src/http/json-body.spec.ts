import { JsonDepthGauge, MAYBE_HUGE_NUMBER, holdsInfinity, valueNestsDeeperThan } from './json-body';

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

describe('MAYBE_HUGE_NUMBER', () => {
  it('flags every literal that reads as Infinity, short exponents after a long integer part included', () => {
    for (const literal of ['1e400', '1E+309', `1${'0'.repeat(300)}e9`, `${'9'.repeat(210)}e99`, `${'7'.repeat(250)}.9e60`, '9'.repeat(400)]) {
      expect(JSON.parse(literal)).toBe(Infinity);
      expect(MAYBE_HUGE_NUMBER.test(literal)).toBe(true);
    }
    expect(Number.isFinite(JSON.parse(`${'9'.repeat(209)}e99`))).toBe(true);
  });

  it('scans a body of digit runs just under the length in linear time', () => {
    const body = `[${Array.from({ length: 3000 }, () => '8'.repeat(209)).join(',')}]`;
    const started = performance.now();
    expect(MAYBE_HUGE_NUMBER.test(body)).toBe(false);
    // About 0.6 MB; the unanchored pattern took hundreds of ms on such a body.
    expect(performance.now() - started).toBeLessThan(100);
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
