import { MAYBE_HUGE_NUMBER, holdsInfinity, parseJsonText } from './json-text';

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

describe('parseJsonText', () => {
  it('reads JSON, and says when text is not JSON', () => {
    expect(parseJsonText('{"a":[1,"x",null]}')).toEqual({ ok: true, value: { a: [1, 'x', null] } });
    expect(parseJsonText('{a:1}')).toEqual({ ok: false, error: 'not JSON' });
  });

  it('drops __proto__ keys and constructor keys holding a prototype, written plainly or escaped, at any depth', () => {
    const read = parseJsonText('[{"\\u005f_proto__":{"y":2},"constructor":"kept","o":{"constructor":{"prototype":1},"__proto__":1,"k":1}}]');
    expect(read).toEqual({ ok: true, value: [{ constructor: 'kept', o: { k: 1 } }] });
    expect(Object.getPrototypeOf((read as { value: Array<{ o: object }> }).value[0]!.o)).toBe(Object.prototype);
  });

  it('refuses a number too large to read', () => {
    expect(parseJsonText('{"x":1e400}')).toEqual({ ok: false, error: 'a number too large' });
    expect(parseJsonText('{"x":1.7e308}')).toEqual({ ok: true, value: { x: 1.7e308 } });
  });
});
