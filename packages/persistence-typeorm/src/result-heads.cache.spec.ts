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
    cache.set('a', '0/0/0', heads(3, 'a'));
    expect(cache.get('a', '0/0/0')?.successes.map((s) => s.refId)).toEqual(['a-0', 'a-1', 'a-2']);
    expect(cache.get('b', '0/0/0')).toBeUndefined();
  });

  it('holds at most its bound in list entries, dropping the least recently read first', () => {
    const cache = new ResultHeadsCache(10);
    cache.set('a', '0/0/0', heads(4));
    cache.set('b', '0/0/0', heads(4));
    cache.get('a', '0/0/0');
    cache.set('c', '0/0/0', heads(4));
    expect(cache.get('b', '0/0/0')).toBeUndefined();
    expect(cache.get('a', '0/0/0')).toBeDefined();
    expect(cache.get('c', '0/0/0')).toBeDefined();
  });

  it('counts an empty answer as one entry, so the bound also limits the keys held', () => {
    const cache = new ResultHeadsCache(2);
    for (const key of ['a', 'b', 'c']) cache.set(key, '0/0/0', heads(0));
    expect(cache.get('a', '0/0/0')).toBeUndefined();
    expect(cache.get('b', '0/0/0')).toBeDefined();
    expect(cache.get('c', '0/0/0')).toBeDefined();
  });

  it('does not keep an answer larger than its bound, nor count a key twice', () => {
    const cache = new ResultHeadsCache(5);
    cache.set('big', '0/0/0', heads(6));
    expect(cache.get('big', '0/0/0')).toBeUndefined();
    cache.set('a', '0/0/0', heads(3));
    cache.set('a', '0/0/0', heads(2));
    cache.set('b', '0/0/0', heads(3));
    expect(cache.get('a', '0/0/0')).toBeDefined();
    expect(cache.get('b', '0/0/0')).toBeDefined();
  });

  it('answers only a read at the counts the lists were stored with, and a newer read takes the key', () => {
    const cache = new ResultHeadsCache(10);
    cache.set('a', '2/0/0', heads(2, 'old'));
    expect(cache.get('a', '2/0/0')?.successes).toHaveLength(2);
    expect(cache.get('a', '3/0/0')).toBeUndefined();
    expect(cache.get('a', '2/1/0')).toBeUndefined();
    cache.set('a', '3/0/0', heads(3, 'new'));
    expect(cache.get('a', '2/0/0')).toBeUndefined();
    expect(cache.get('a', '3/0/0')?.successes.map((s) => s.refId)).toEqual(['new-0', 'new-1', 'new-2']);
    // One key, one entry: replacing it does not count its lists twice.
    cache.set('b', '0/0/0', heads(7));
    expect(cache.get('b', '0/0/0')).toBeDefined();
    expect(cache.get('a', '3/0/0')).toBeDefined();
  });

  it('hands out lists that cannot be changed by whoever reads them', () => {
    const cache = new ResultHeadsCache(10);
    cache.set('a', '0/0/0', heads(1));
    expect(() => (cache.get('a', '0/0/0')!.successes as unknown[]).push('x')).toThrow(TypeError);
  });
});
