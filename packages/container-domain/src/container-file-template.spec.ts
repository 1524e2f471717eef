import { AttributeConfig, checkAttributeValue, parseAttributeConfigs } from './attribute-config';
import { parseCreateInput } from './container-input';
import { readFileRow } from './container-file-row';
import { containerFileTemplate, exampleAttributeValue } from './container-file-template';

function configs(raw: unknown[]): AttributeConfig[] {
  const parsed = parseAttributeConfigs(raw);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.error));
  return parsed.value;
}

const one = (raw: unknown) => configs([raw])[0] as AttributeConfig;

describe('exampleAttributeValue', () => {
  it.each([
    [{ name: 'weight', dataType: 'number', validation: { range: { min: 5, max: 10 } } }, 5],
    [{ name: 'weight', dataType: 'number', validation: { range: { max: -3 } } }, -3],
    [{ name: 'weight', dataType: 'number' }, 1],
    [{ name: 'fragile', dataType: 'boolean' }, true],
    [{ name: 'dims', dataType: 'object' }, {}],
    [{ name: 'tags', dataType: 'array' }, []],
    [{ name: 'label', dataType: 'string' }, 'example'],
    [{ name: 'label', dataType: 'string', validation: { regex: '^[A-Z]+$' } }, 'EXAMPLE'],
    [{ name: 'label', dataType: 'string', validation: { regex: '^[A-Z]{3}[0-9]{3}$' } }, 'ABC123'],
    [{ name: 'label', dataType: 'string', validation: { range: { min: 12 } } }, 'exampleeeeee'],
    [{ name: 'label', dataType: 'string', validation: { range: { max: 3 } } }, 'exa'],
    [{ name: 'colour', dataType: 'string', validation: { valueOneOf: ['red', 'blue'] } }, 'red'],
    [{ name: 'colour', dataType: 'string', defaultValue: 'blue', validation: { valueOneOf: ['red', 'blue'] } }, 'blue'],
  ])('gives %j the example %j, which its rules accept', (raw, expected) => {
    const config = one(raw);
    const value = exampleAttributeValue(config);
    expect(value).toEqual(expected);
    expect(checkAttributeValue(config, value).ok).toBe(true);
  });

  it('gives none when no candidate passes a pattern', () => {
    expect(exampleAttributeValue(one({ name: 'code', dataType: 'string', validation: { regex: '^Z{2}q$' } }))).toBeUndefined();
  });
});

describe('containerFileTemplate', () => {
  const attributes = configs([
    { name: 'weight', dataType: 'number', required: true, validation: { range: { min: 0, max: 100 } } },
    { name: 'label', dataType: 'string', validation: { regex: '^[A-Z]+$' } },
    { name: 'dims', dataType: 'object' },
    { name: 'code', dataType: 'string', validation: { regex: '^Z{2}q$' } },
  ]);

  it('lists every create column and one column per attribute, with an example row the item rules accept', () => {
    const template = containerFileTemplate('create', { name: 'bag', isLeaf: true, attributes });
    expect(template.columns).toEqual([
      'refID',
      'scannableId',
      'isHazmat',
      'isContainerizable',
      'isReusable',
      'parentId',
      'trackingDetails',
      'items',
      'attributes.weight',
      'attributes.label',
      'attributes.dims',
      'attributes.code',
    ]);
    expect(template.example).toEqual([
      'example-1',
      '',
      'false',
      'true',
      'false',
      '',
      '',
      '[{"name":"Example item","code":"EX-1","cost":{"total":{"amount":10,"currency":"USD"}},"quantity":{"value":1,"unit":"nos"}}]',
      '1',
      'EXAMPLE',
      '{}',
      '',
    ]);
    const read = readFileRow('create', template.columns, template.example, attributes);
    if (!read.ok) throw new Error(read.error.reason);
    expect(parseCreateInput(read.value, { isLeaf: true, attributes }).ok).toBe(true);
  });

  it('leaves items out for a type that is not a leaf', () => {
    const template = containerFileTemplate('create', { name: 'bag', isLeaf: false, attributes: [] });
    expect(template.example[template.columns.indexOf('items')]).toBe('');
  });

  it('lists the update columns, with a placeholder container', () => {
    const template = containerFileTemplate('update', { name: 'bag', isLeaf: false, attributes });
    expect(template.columns).toEqual([
      'containerId',
      'trackingDetails',
      'items',
      'attributes.weight',
      'attributes.label',
      'attributes.dims',
      'attributes.code',
    ]);
    expect(template.example).toEqual(['bag:00000000-0000-4000-8000-000000000000', '', '', '1', 'EXAMPLE', '{}', '']);
  });
});
