import { AttributeConfig } from './attribute-config';
import { attributeNamesOf, fileColumnsFor, readFileRow, writeFileRow } from './container-file-row';
import { MAX_JSON_DEPTH } from './json-depth';
import { expectOk } from './testing';

const attributes: AttributeConfig[] = [
  { name: 'weight', dataType: 'number', required: false },
  { name: 'fragile', dataType: 'boolean', required: false },
  { name: 'label', dataType: 'string', required: false },
  { name: 'dims', dataType: 'object', required: false },
  { name: 'tags', dataType: 'array', required: false },
];

describe('readFileRow', () => {
  it('reads attribute cells by their data type', () => {
    const columns = ['refID', 'attributes.weight', 'attributes.fragile', 'attributes.label', 'attributes.dims', 'attributes.tags'];
    expect(readFileRow('create', columns, ['r-1', '-1.5e2', 'False', '007', '{"h":1}', '["a"]'], attributes)).toEqual({
      ok: true,
      value: { refID: 'r-1', attributes: { weight: -150, fragile: false, label: '007', dims: { h: 1 }, tags: ['a'] } },
    });
  });

  it.each([
    ['attributes.weight', '12kg', "attribute 'weight' must be a number"],
    ['attributes.weight', 'Infinity', "attribute 'weight' must be a number"],
    ['attributes.fragile', 'yes', "attribute 'fragile' must be true or false"],
    ['attributes.dims', '{h:1}', "attribute 'dims' must be an object written as JSON"],
  ])('refuses %s = %s as ATTRIBUTE_INVALID', (column, cell, reason) => {
    expect(readFileRow('create', ['refID', column], ['r-1', cell], attributes)).toEqual({ ok: false, error: { code: 'ATTRIBUTE_INVALID', reason } });
  });

  it.each([
    [
      'attributes.dims',
      `${'{"a":'.repeat(MAX_JSON_DEPTH + 1)}1${'}'.repeat(MAX_JSON_DEPTH + 1)}`,
      'ATTRIBUTE_INVALID',
      "attribute 'dims' must be JSON nested at most 64 levels deep",
    ],
    ['attributes.tags', `${'['.repeat(100_000)}${']'.repeat(100_000)}`, 'ATTRIBUTE_INVALID', "attribute 'tags' must be JSON nested at most 64 levels deep"],
    [
      'trackingDetails',
      `${'['.repeat(MAX_JSON_DEPTH + 1)}${']'.repeat(MAX_JSON_DEPTH + 1)}`,
      'ITEM_INVALID',
      'trackingDetails must not nest deeper than 64 levels',
    ],
    ['items', `[${'{"x":'.repeat(100_000)}1${'}'.repeat(100_000)}]`, 'ITEM_INVALID', 'items must not nest deeper than 64 levels'],
  ])("refuses a %s cell nested deeper than 64 levels as that item's own failure", (column, cell, code, reason) => {
    expect(readFileRow('create', ['refID', column], ['r-1', cell], attributes)).toEqual({ ok: false, error: { code, reason } });
  });

  it('reads a cell nested exactly 64 levels, and does not count brackets inside strings', () => {
    const deep = `${'['.repeat(64)}${']'.repeat(64)}`;
    expectOk(readFileRow('create', ['refID', 'attributes.tags'], ['r-1', deep], attributes));
    const bracketsInText = JSON.stringify(['['.repeat(100), '\\"{'.repeat(100)]);
    expectOk(readFileRow('create', ['refID', 'attributes.tags'], ['r-1', bracketsInText], attributes));
  });

  it('leaves empty cells out, ignores unknown columns, and passes unknown attributes on for the rules to refuse', () => {
    const read = readFileRow(
      'create',
      ['refID', 'scannableId', 'reason', 'attributes.colour', 'attributes.weight'],
      ['r-1', '', 'was bad', 'red', ''],
      attributes,
    );
    expect(read).toEqual({ ok: true, value: { refID: 'r-1', attributes: { colour: 'red' } } });
  });

  it('cannot pollute a prototype through an attribute column', () => {
    const read = readFileRow('create', ['refID', 'attributes.__proto__'], ['r-1', 'x'], attributes);
    expect(read.ok && Object.getPrototypeOf(read.value.attributes)).toBe(Object.prototype);
    expect(read.ok && Object.keys(read.value.attributes as object)).toEqual(['__proto__']);
  });

  it('drops keys that could reach a prototype from JSON cells, written plainly or escaped, as a JSON body does', () => {
    const cells = ['{"__proto__":{"x":1},"constructor":{"prototype":1},"h":1}', '[{"\\u005f_proto__":{"y":2},"constructor":"kept"}]'];
    const read = readFileRow('create', ['refID', 'attributes.dims', 'attributes.tags'], ['r-1', ...cells], attributes);
    expect(read).toEqual({ ok: true, value: { refID: 'r-1', attributes: { dims: { h: 1 }, tags: [{ constructor: 'kept' }] } } });
    expect(read.ok && Object.keys((read.value.attributes as { dims: object }).dims)).toEqual(['h']);
  });

  it.each([
    ['attributes.dims', '{"x":1e400}', 'ATTRIBUTE_INVALID', "attribute 'dims' must be JSON without a number too large to be read"],
    ['attributes.tags', `[${'9'.repeat(400)}]`, 'ATTRIBUTE_INVALID', "attribute 'tags' must be JSON without a number too large to be read"],
    ['items', '[{"name":"n","quantity":{"value":-1E+999}}]', 'ITEM_INVALID', 'items holds a number too large to be read'],
  ])('refuses a %s cell holding a number too large to read (never stored as null)', (column, cell, code, reason) => {
    expect(readFileRow('create', ['refID', column], ['r-1', cell], attributes)).toEqual({ ok: false, error: { code, reason } });
  });

  it('reads update rows into {containerId, data}', () => {
    expect(readFileRow('update', ['containerId', 'items', 'attributes.weight', 'scannableId'], ['bag:1', '[]', '3', 'S1'], attributes)).toEqual({
      ok: true,
      value: { containerId: 'bag:1', data: { items: [], attributes: { weight: 3 } } },
    });
  });
});

describe('writeFileRow', () => {
  it('writes a JSON item as cells that read back to the same item', () => {
    const item = {
      refID: 'r-1',
      isHazmat: true,
      trackingDetails: [{ operator: 'DHL', trackingId: 'T1' }],
      attributes: { weight: 2, dims: { h: 1 }, label: 'x,"y"' },
    };
    const columns = fileColumnsFor('create', attributeNamesOf('create', item));
    const cells = writeFileRow('create', columns, item);
    expect(columns).toEqual([
      'refID',
      'scannableId',
      'isHazmat',
      'isContainerizable',
      'isReusable',
      'parentId',
      'trackingDetails',
      'items',
      'attributes.weight',
      'attributes.dims',
      'attributes.label',
    ]);
    expect(readFileRow('create', columns, cells, attributes)).toEqual({ ok: true, value: item });
  });

  it('writes update items with their data fields', () => {
    const item = { containerId: 'bag:1', data: { attributes: { weight: 'heavy' } } };
    const columns = fileColumnsFor('update', attributeNamesOf('update', item));
    expect(writeFileRow('update', columns, item)).toEqual(['bag:1', '', '', 'heavy']);
  });
});
