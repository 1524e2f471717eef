import { CursorFormat, encodeCursor, parsePage } from './paging';

const limits = { default: 50, max: 500 };
const numbers: CursorFormat<number> = { maxLength: 24, read: (text) => (/^n:\d+$/.test(text) ? Number(text.slice(2)) : null) };

describe('parsePage', () => {
  it('gives the default limit and the first page when neither option is given', () => {
    expect(parsePage({}, limits, numbers)).toEqual({ ok: true, page: { limit: 50, after: undefined } });
    expect(parsePage({ limit: '', cursor: '' }, limits, numbers)).toEqual({ ok: true, page: { limit: 50, after: undefined } });
  });

  it('reads back a cursor it wrote, and the limit given', () => {
    expect(parsePage({ limit: '500', cursor: encodeCursor('n:42') }, limits, numbers)).toEqual({ ok: true, page: { limit: 500, after: 42 } });
  });

  it.each([['0'], ['501'], ['1.5'], ['-1'], ['10000'], [' 5']])('refuses the limit %p', (limit) => {
    expect(parsePage({ limit }, limits, numbers)).toEqual({ ok: false, violations: [{ path: 'limit', message: 'must be an integer from 1 to 500' }] });
  });

  it('refuses a cursor it did not write, one too long, and one that is not base64url, naming both broken options', () => {
    for (const cursor of [encodeCursor('x:1'), encodeCursor(`n:${'1'.repeat(40)}`), 'n:1', ['a']]) {
      const parsed = parsePage({ limit: '0', cursor }, limits, numbers);
      expect(parsed.ok || parsed.violations.map((v) => v.path)).toEqual(['limit', 'cursor']);
    }
  });
});
