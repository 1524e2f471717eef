import { AttributeConfig, parseAttributeConfigs } from './attribute-config';
import { MAX_TRACKING_DETAILS, checkAttributes, mergeAttributes, parseCreateInput, parseUpdateInput } from './container-input';
import { expectOk } from './testing';

const attributes: AttributeConfig[] = [
  { name: 'weight', dataType: 'number', required: true, validation: { range: { min: 0, max: 100 } } },
  { name: 'colour', dataType: 'string', required: false, defaultValue: 'grey', validation: { valueOneOf: ['grey', 'red'] } },
  { name: 'seal', dataType: 'string', required: false, validation: { regex: '^S-\\d+$' } },
];
const bag = { isLeaf: false, attributes };
const box = { isLeaf: true, attributes: [] };
const line = { name: 'Shirt', cost: { total: { amount: 12.5, currency: 'EUR' } } };

const rejection = (result: { ok: boolean; error?: unknown }) => (result.ok ? null : result.error);

describe('parseCreateInput', () => {
  it('fills the defaults: flags, attribute defaults, the first tracking detail primary', () => {
    const result = parseCreateInput(
      {
        refID: 'r-1',
        attributes: { weight: 3 },
        trackingDetails: [
          { operator: 'DHL', trackingId: 'T1' },
          { operator: 'UPS', trackingId: 'T2', isPrimary: false },
        ],
        junk: 1,
      },
      bag,
    );
    expect(result).toEqual({
      ok: true,
      value: {
        refId: 'r-1',
        scannableId: null,
        trackingDetails: [
          { operator: 'DHL', trackingId: 'T1', isPrimary: true },
          { operator: 'UPS', trackingId: 'T2', isPrimary: false },
        ],
        attributes: { weight: 3, colour: 'grey' },
        items: [],
        isHazmat: false,
        isContainerizable: true,
        isReusable: false,
        parentId: null,
      },
    });
  });

  it('keeps a primary marked on a later detail', () => {
    const result = parseCreateInput(
      {
        refID: 'r',
        attributes: { weight: 1 },
        trackingDetails: [
          { operator: 'DHL', trackingId: 'A' },
          { operator: 'DHL', trackingId: 'B', isPrimary: true },
        ],
      },
      bag,
    );
    expect(expectOk(result).trackingDetails.map((d) => d.isPrimary)).toEqual([false, true]);
  });

  it('accepts item lines on a leaf type, with money and quantity', () => {
    const result = parseCreateInput(
      {
        refID: 'r',
        items: [
          {
            ...line,
            code: 'SKU-1',
            cost: { unit: { amount: 0.125, currency: 'EUR' }, total: { amount: 1, currency: 'EUR' } },
            quantity: { value: 8, unit: 'nos' },
          },
        ],
      },
      box,
    );
    expect(expectOk(result).items).toEqual([
      {
        name: 'Shirt',
        code: 'SKU-1',
        cost: { unit: { amount: 0.125, currency: 'EUR' }, total: { amount: 1, currency: 'EUR' } },
        quantity: { value: 8, unit: 'nos' },
      },
    ]);
  });

  it.each([
    ['a non-object item', 'x', 'the item must be an object'],
    ['an empty scannableId', { scannableId: '' }, 'scannableId must be 1 to 128 characters'],
    ['a numeric scannableId', { scannableId: 7 }, 'scannableId must be a string'],
    ['a short operator', { trackingDetails: [{ operator: 'AB', trackingId: 'T' }] }, 'trackingDetails[0].operator must be 3 to 64 characters'],
    ['an empty tracking id', { trackingDetails: [{ operator: 'DHL', trackingId: '' }] }, 'trackingDetails[0].trackingId must be 1 to 128 characters'],
    [
      'two primaries',
      {
        trackingDetails: [
          { operator: 'DHL', trackingId: 'A', isPrimary: true },
          { operator: 'DHL', trackingId: 'B', isPrimary: true },
        ],
      },
      'at most one',
    ],
    [
      'a repeated tracking detail',
      {
        trackingDetails: [
          { operator: 'DHL', trackingId: 'A' },
          { operator: 'DHL', trackingId: 'A' },
        ],
      },
      'trackingDetails[1] repeats',
    ],
    [
      '17 tracking details',
      { trackingDetails: Array.from({ length: MAX_TRACKING_DETAILS + 1 }, (_, i) => ({ operator: 'DHL', trackingId: `T${i}` })) },
      'at most 16',
    ],
    ['a non-boolean flag', { isHazmat: 'yes' }, 'isHazmat must be true or false'],
    [
      'a non-boolean isPrimary',
      { trackingDetails: [{ operator: 'DHL', trackingId: 'A', isPrimary: 1 }] },
      'trackingDetails[0].isPrimary must be true or false',
    ],
    ['a short operator', { trackingDetails: [{ operator: 'DH', trackingId: 'A' }] }, 'trackingDetails[0].operator must be 3 to 64 characters'],
    ['a tracking entry that is not an object', { trackingDetails: [{ operator: 'DHL', trackingId: 'A' }, 'B'] }, 'trackingDetails[1] must be an object'],
    ['a lone surrogate in a scannableId', { scannableId: 'S-\uD800' }, 'scannableId must be well-formed Unicode text without NUL characters'],
    ['a NUL in a tracking id', { trackingDetails: [{ operator: 'DHL', trackingId: 'A\u0000' }] }, 'trackingDetails[0].trackingId must be well-formed'],
    ['a lone low surrogate in a parentId', { parentId: '\uDC00bag' }, 'parentId must be well-formed'],
    ['a non-object attributes', { attributes: [1] }, 'attributes must be an object'],
  ])('refuses %s with ITEM_INVALID naming the field', (_what, fields, reason) => {
    const result = parseCreateInput(typeof fields === 'string' ? fields : { refID: 'r', attributes: { weight: 1 }, ...fields }, bag);
    expect(rejection(result)).toEqual({ code: 'ITEM_INVALID', reason: expect.stringContaining(reason) });
  });

  it.each([
    ['a short item name', [{ ...line, name: 'ab' }], 'items[0].name must be 3 to 128 characters'],
    ['a missing cost', [{ name: 'Shirt' }], 'items[0].cost is required'],
    ['a negative amount', [{ ...line, cost: { total: { amount: -1, currency: 'EUR' } } }], 'items[0].cost.total.amount must be a number of at least 0'],
    ['a string amount', [{ ...line, cost: { total: { amount: '1', currency: 'EUR' } } }], 'items[0].cost.total.amount must be a number of at least 0'],
    ['an empty currency', [{ ...line, cost: { total: { amount: 1, currency: '' } } }], 'items[0].cost.total.currency must be 1 to 16 characters'],
    [
      'a currency over 16 characters',
      [{ ...line, cost: { unit: { currency: 'C'.repeat(17) }, total: {} } }],
      'items[0].cost.unit.currency must be 1 to 16 characters',
    ],
    ['a total that is not an object', [{ ...line, cost: { total: 5 } }], 'items[0].cost.total must be an object'],
    ['a fractional quantity', [{ ...line, quantity: { value: 1.5, unit: 'kg' } }], 'items[0].quantity.value must be an integer'],
    ['an unknown unit', [{ ...line, quantity: { value: 1, unit: 'lb' } }], 'items[0].quantity.unit must be one of'],
  ])('refuses an item line with %s', (_what, items, reason) => {
    expect(rejection(parseCreateInput({ refID: 'r', items }, box))).toEqual({ code: 'ITEM_INVALID', reason: expect.stringContaining(reason) });
  });

  it('takes money as the original does: amount and currency both optional, the currency free text', () => {
    const items = [
      { name: 'Amount only', cost: { total: { amount: 10 } } },
      { name: 'Currency only', cost: { unit: { currency: 'eur' }, total: { currency: 'Euro (EUR)' } } },
      { name: 'Nothing', cost: { total: {} } },
      { name: 'Fine grained', cost: { total: { amount: 0.30000000000000004, currency: 'inr', extra: 'dropped' } } },
    ];
    const result = parseCreateInput({ refID: 'r', items }, box);
    expect(expectOk(result).items.map((i) => i.cost)).toEqual([
      { total: { amount: 10 } },
      { unit: { currency: 'eur' }, total: { currency: 'Euro (EUR)' } },
      { total: {} },
      { total: { amount: 0.30000000000000004, currency: 'inr' } },
    ]);
  });

  it('refuses item lines on a type that is not a leaf', () => {
    expect(rejection(parseCreateInput({ refID: 'r', attributes: { weight: 1 }, items: [line] }, bag))).toEqual({
      code: 'ITEMS_NOT_ALLOWED',
      reason: 'items are allowed only on leaf container types',
    });
  });

  it.each([
    ['an unknown attribute', { weight: 1, volume: 2 }, "attribute 'volume' is not configured for this container type"],
    ['a missing required attribute', {}, "attribute 'weight' is required"],
    ['a wrong data type', { weight: '3' }, "attribute 'weight' must be a number"],
    ['a value out of range', { weight: 101 }, "attribute 'weight' value must be at most 100"],
    ['a value off the list', { weight: 1, colour: 'blue' }, "attribute 'colour' must be one of"],
    ['a value not matching the regex', { weight: 1, seal: 'X-1' }, "attribute 'seal' must match ^S-\\d+$"],
  ])('refuses %s with ATTRIBUTE_INVALID', (_what, attrs, reason) => {
    expect(rejection(parseCreateInput({ refID: 'r', attributes: attrs }, bag))).toEqual({ code: 'ATTRIBUTE_INVALID', reason: expect.stringContaining(reason) });
  });

  it('names a long unknown attribute cut on a whole character, never half a surrogate pair', () => {
    const name = `${'a'.repeat(63)}\u{1F600}`;
    const { reason } = rejection(parseCreateInput({ refID: 'r', attributes: { weight: 1, [name]: 1 } }, bag)) as { reason: string };
    expect(reason).toBe(`attribute '${'a'.repeat(63)}' is not configured for this container type`);
  });

  it('never lets an attribute named __proto__ reach an object prototype', () => {
    const raw = JSON.parse('{"refID":"r","attributes":{"weight":1,"__proto__":{"polluted":true}}}');
    expect(rejection(parseCreateInput(raw, bag))).toMatchObject({ code: 'ATTRIBUTE_INVALID' });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('fails an item whose object attribute nests deeper than 64 levels alone, and what it keeps always serialises', () => {
    const deep: Record<string, unknown> = {};
    let cursor = deep;
    for (let i = 0; i < 100_000; i++) cursor = cursor.x = {};
    const type = { isLeaf: false, attributes: [{ name: 'dims', dataType: 'object', required: false } as AttributeConfig] };
    expect(rejection(parseCreateInput({ refID: 'r', attributes: { dims: deep } }, type))).toEqual({
      code: 'ATTRIBUTE_INVALID',
      reason: "attribute 'dims' must not nest deeper than 64 levels",
    });
    const kept = parseCreateInput(
      { refID: 'r', attributes: { dims: { a: { b: [1] } } }, trackingDetails: [{ operator: 'DHL', trackingId: 'T', extra: deep }] },
      type,
    );
    expectOk(kept);
    expect(() => JSON.stringify(expectOk(kept))).not.toThrow();
  });
});

describe('parseUpdateInput', () => {
  it('keeps only the fields present', () => {
    expect(parseUpdateInput({ containerId: 'bag:1', data: { attributes: { weight: null } } }, bag)).toEqual({
      ok: true,
      value: { containerId: 'bag:1', attributes: { weight: null } },
    });
    expect(parseUpdateInput({ containerId: 'bag:1', data: {} }, bag)).toEqual({ ok: true, value: { containerId: 'bag:1' } });
  });

  it('makes the first tracking detail primary in a replacement list', () => {
    const result = parseUpdateInput({ containerId: 'bag:1', data: { trackingDetails: [{ operator: 'DHL', trackingId: 'A' }] } }, bag);
    expect(expectOk(result).trackingDetails).toEqual([{ operator: 'DHL', trackingId: 'A', isPrimary: true }]);
  });

  it('refuses a missing data with ITEM_INVALID', () => {
    expect(rejection(parseUpdateInput({ containerId: 'bag:1' }, bag))).toEqual({ code: 'ITEM_INVALID', reason: 'data is required and must be an object' });
  });
});

describe('mergeAttributes', () => {
  it('merges key by key, removes nulls, and checks the whole', () => {
    expect(mergeAttributes({ weight: 1, seal: 'S-1', colour: 'red' }, { weight: 2, seal: null }, attributes)).toEqual({
      ok: true,
      value: { weight: 2, colour: 'red' },
    });
  });

  it('applies the required rule after a removal', () => {
    expect(rejection(mergeAttributes({ weight: 1 }, { weight: null }, attributes))).toEqual({
      code: 'ATTRIBUTE_INVALID',
      reason: "attribute 'weight' is required",
    });
  });

  it('lets an update remove an attribute the type no longer configures', () => {
    expect(mergeAttributes({ weight: 1, retired: 'x' }, { retired: null }, attributes)).toEqual({ ok: true, value: { weight: 1, colour: 'grey' } });
  });

  it('refuses a change to an attribute that is not configured, __proto__ included', () => {
    expect(rejection(mergeAttributes({ weight: 1 }, JSON.parse('{"__proto__":{"polluted":true}}'), attributes))).toMatchObject({ code: 'ATTRIBUTE_INVALID' });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('checks the merged whole against the current configuration', () => {
    expect(rejection(checkAttributes({ weight: 1, retired: true }, attributes))).toMatchObject({ code: 'ATTRIBUTE_INVALID' });
  });
});

describe('checkAttributes with validation.required', () => {
  it('refuses an item missing an attribute the original marks required in validation', () => {
    const configs = parseAttributeConfigs([{ name: 'weight', dataType: 'number', validation: { required: true } }]);
    expectOk(configs);
    expect(rejection(checkAttributes({}, configs.ok ? configs.value : []))).toEqual({ code: 'ATTRIBUTE_INVALID', reason: "attribute 'weight' is required" });
  });
});
