import { nameCreateItems } from './item-names';

describe('nameCreateItems', () => {
  it('names each item without a refID (absent or null) by its 1-based position, leaving the given ones and the input as they were', () => {
    const payload = [{ scannableId: 'S-1' }, { refID: 'given' }, { refID: null, isHazmat: true }];
    const named = nameCreateItems(payload);
    expect(named).toEqual({ payload: [{ scannableId: 'S-1', refID: '1' }, { refID: 'given' }, { refID: '3', isHazmat: true }], collisions: [] });
    expect(payload[0]).toEqual({ scannableId: 'S-1' });
  });

  it('hands back what it cannot name as it came, for SubmitBatch to judge', () => {
    const payload = [{ refID: 'a' }, { refID: '' }];
    expect(nameCreateItems(payload).payload).toBe(payload);
    expect(nameCreateItems({ refID: 'a' }).payload).toEqual({ refID: 'a' });
    expect(nameCreateItems(['x', {}]).payload).toEqual(['x', { refID: '2' }]);
  });

  it('names a given refID that equals an assigned name, and the item it collides with', () => {
    expect(nameCreateItems([{ refID: '3' }, { refID: 'x' }, {}]).collisions).toEqual([
      { path: 'payload[0].refID', message: "'3' is the name given to payload[2], which has no refID; choose another or give payload[2] one" },
    ]);
  });

  it('keeps an own __proto__ key as data, never as a prototype', () => {
    const item = JSON.parse('{"__proto__": {"polluted": 1}}') as Record<string, unknown>;
    const named = nameCreateItems([item]).payload as Array<Record<string, unknown>>;
    expect(Object.getPrototypeOf(named[0])).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
