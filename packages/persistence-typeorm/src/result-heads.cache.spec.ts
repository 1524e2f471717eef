import { ResultHeads, ResultHeadsCache } from './result-heads.cache';

/** Heads with `n` successes, each naming `tag`. */
const heads = (n: number, tag = 'x'): ResultHeads => ({
  successes: Array.from({ length: n }, (_, seq) => ({ seq, refId: `${tag}-${seq}`, row: null, outcome: 'success' as const, resultId: `bag:${tag}-${seq}` })),
  failures: [],
  hasMore: false,
});

describe('ResultHeadsCache', () => {
  it('gives back what was put under a key, and nothing for another key', () => {
    const cache = new ResultHeadsCache(10);
    cache.set('a', heads(3, 'a'));
    expect(cache.get('a')?.successes.map((s) => s.refId)).toEqual(['a-0', 'a-1', 'a-2']);
    expect(cache.get('b')).toBeUndefined();
  });

  it('holds at most its bound in list entries, dropping the least recently read first', () => {
    const cache = new ResultHeadsCache(10);
    cache.set('a', heads(4));
    cache.set('b', heads(4));
    cache.get('a');
    cache.set('c', heads(4));
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBeDefined();
    expect(cache.get('c')).toBeDefined();
  });

  it('counts an empty answer as one entry, so the bound also limits the keys held', () => {
    const cache = new ResultHeadsCache(2);
    for (const key of ['a', 'b', 'c']) cache.set(key, heads(0));
    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('b')).toBeDefined();
    expect(cache.get('c')).toBeDefined();
  });

  it('does not keep an answer larger than its bound, nor count a key twice', () => {
    const cache = new ResultHeadsCache(5);
    cache.set('big', heads(6));
    expect(cache.get('big')).toBeUndefined();
    cache.set('a', heads(3));
    cache.set('a', heads(2));
    cache.set('b', heads(3));
    expect(cache.get('a')).toBeDefined();
    expect(cache.get('b')).toBeDefined();
  });

  it('hands out lists that cannot be changed by whoever reads them', () => {
    const cache = new ResultHeadsCache(10);
    cache.set('a', heads(1));
    expect(() => (cache.get('a')!.successes as unknown[]).push('x')).toThrow(TypeError);
  });
});
