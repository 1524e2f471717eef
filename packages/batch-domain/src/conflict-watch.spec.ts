import { ConflictKeys, ConflictWatch, EXACT_KEYS } from './conflict-watch';

/** Items of the form { keys: [...] }; a file row's cells name keys from the 'key' columns. */
const keysOf: ConflictKeys = (_operation, input, columns) =>
  columns === null ? (input as { keys: string[] }).keys : (input as string[]).filter((_, i) => columns[i] === 'key' && (input as string[])[i] !== '');
const item = (...keys: string[]) => ({ refId: keys.join('+'), input: { keys } });

describe('ConflictWatch', () => {
  it('defers an item that claims a key an earlier item claimed, and nothing else', () => {
    const watch = new ConflictWatch(keysOf, 'create');
    const marked = [item('a'), item('b', 'c'), item('c'), item('d'), item('a', 'e'), item('e')].map((i) => watch.mark(i).deferred === true);
    expect(marked).toEqual([false, false, true, false, true, true]);
    expect(watch.deferred).toBe(3);
  });

  it('reads a file row through its columns', () => {
    const watch = new ConflictWatch(keysOf, 'update', ['ref', 'key', 'key']);
    const rows = [
      ['r1', 'x', ''],
      ['r2', 'y', 'z'],
      ['r3', '', 'x'],
    ].map((input, i) => watch.mark({ refId: `r${i}`, input }));
    expect(rows.map((row) => row.deferred === true)).toEqual([false, false, true]);
  });

  it('defers nothing when the kind says no keys, and keeps the item as it was', () => {
    const watch = new ConflictWatch(undefined, 'create');
    const first = item('a');
    expect(watch.mark(first)).toBe(first);
    expect(watch.mark(item('a')).deferred).toBeUndefined();
  });

  it('past its exact set still defers every repeat (a Bloom filter never misses one), and few others', () => {
    const watch = new ConflictWatch(keysOf, 'create');
    const count = EXACT_KEYS * 3;
    let falselyDeferred = 0;
    for (let i = 0; i < count; i++) if (watch.mark(item(`scan-${i}`, `track-${i}`)).deferred) falselyDeferred++;
    // Every key seen again, including those seen while the set was exact, is caught.
    for (const i of [0, 1, EXACT_KEYS - 1, EXACT_KEYS + 7, count - 1]) expect(watch.mark(item(`track-${i}`)).deferred).toBe(true);
    expect(falselyDeferred / count).toBeLessThan(0.001);
  });
});
