import { cleanContainerItem } from './container-item-cleaning';

describe('cleanContainerItem', () => {
  it('drops unknown fields inside tracking details and item lines, their money and quantities, and leaves other shapes to the rules', () => {
    const line = {
      name: 'Shirt',
      yy: 3,
      code: 'SH-1',
      cost: { unit: { amount: 1, zz: 2 }, total: { amount: 1, currency: 'EUR', zz: 2 }, extra: 1 },
      quantity: { value: 1, unit: 'kg', q: 0 },
    };
    const kept = { name: 'Shirt', code: 'SH-1', cost: { unit: { amount: 1 }, total: { amount: 1, currency: 'EUR' } }, quantity: { value: 1, unit: 'kg' } };
    expect(cleanContainerItem('create', { refID: 'r', trackingDetails: [{ operator: 'DHL', trackingId: 'T', extra: 1 }, 'odd'], items: [line, 5] })).toEqual({
      refID: 'r',
      trackingDetails: [{ operator: 'DHL', trackingId: 'T' }, 'odd'],
      items: [kept, 5],
    });
    expect(cleanContainerItem('update', { containerId: 'c', data: { items: [line], trackingDetails: 'x', junk: 1 } })).toEqual({
      containerId: 'c',
      data: { items: [kept], trackingDetails: 'x' },
    });
    expect(cleanContainerItem('create', { refID: 'r', items: [{ name: 'Shirt', cost: 5, quantity: 'many' }] })).toEqual({
      refID: 'r',
      items: [{ name: 'Shirt', cost: 5, quantity: 'many' }],
    });
  });

  it('keeps the known fields of a create item and drops the rest', () => {
    expect(cleanContainerItem('create', { refID: 'r', attributes: { a: 1 }, colour: 'x', isHazmat: true })).toEqual({
      refID: 'r',
      attributes: { a: 1 },
      isHazmat: true,
    });
  });

  it('keeps containerId and the known data fields of an update item', () => {
    expect(cleanContainerItem('update', { containerId: 'bag:1', data: { attributes: { a: null }, junk: 1 }, extra: 2 })).toEqual({
      containerId: 'bag:1',
      data: { attributes: { a: null } },
    });
    expect(cleanContainerItem('update', { containerId: 'bag:1' })).toEqual({ containerId: 'bag:1' });
  });
});
