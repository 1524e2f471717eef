import { containerConflictKeys } from './container-conflict-keys';

const keys = (...args: Parameters<typeof containerConflictKeys>) => [...containerConflictKeys(...args)];
const DHL = (trackingId: string) => ({ operator: 'DHL', trackingId });

describe('containerConflictKeys', () => {
  it('gives a create its scannable id and tracking ids, an update its container and the tracking ids it sets', () => {
    expect(keys('create', { refID: 'a', scannableId: 'S-1', trackingDetails: [DHL('T1'), DHL('T2')] }, null)).toEqual([
      's:S-1',
      't:DHL\u0000T1',
      't:DHL\u0000T2',
    ]);
    expect(keys('update', { containerId: 'bag:1', data: { trackingDetails: [DHL('T1')] } }, null)).toEqual(['c:bag:1', 't:DHL\u0000T1']);
    expect(keys('update', { containerId: 'bag:1', data: { attributes: { x: 1 } } }, null)).toEqual(['c:bag:1']);
  });

  it('reads a file row by its columns, the tracking ids from their JSON cell', () => {
    const columns = ['refID', 'scannableId', 'trackingDetails'];
    expect(keys('create', ['a', 'S-1', JSON.stringify([DHL('T1')])], columns)).toEqual(['s:S-1', 't:DHL\u0000T1']);
    expect(keys('create', ['a', '', ''], columns)).toEqual([]);
    expect(keys('update', ['bag:1', '[{"operator":"UPS","trackingId":"Z"}]'], ['containerId', 'trackingDetails'])).toEqual(['c:bag:1', 't:UPS\u0000Z']);
  });

  it('claims nothing for what the item rules refuse anyway: wrong types, bad JSON, a row of the wrong width, JSON nested too deep', () => {
    expect(keys('create', { scannableId: 7, trackingDetails: 'T1' }, null)).toEqual([]);
    expect(keys('create', ['a', 'S-1'], ['refID', 'scannableId', 'trackingDetails'])).toEqual([]);
    expect(keys('create', ['a', 'S-1', '[{"operator":'], ['refID', 'scannableId', 'trackingDetails'])).toEqual(['s:S-1']);
    expect(keys('create', ['a', '['.repeat(100_000)], ['refID', 'trackingDetails'])).toEqual([]);
    expect(keys('create', 'not an item', null)).toEqual([]);
  });

  it('never reads inherited fields', () => {
    const item = Object.create({ scannableId: 'S-1' }) as Record<string, unknown>;
    expect(keys('create', item, null)).toEqual([]);
  });
});
