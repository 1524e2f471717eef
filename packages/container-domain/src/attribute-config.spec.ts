import { AttributeConfig, checkAttributeValue, parseAttributeConfigs } from './attribute-config';

const violationsOf = (raw: unknown) => {
  const result = parseAttributeConfigs(raw);
  return result.ok ? [] : result.error;
};

describe('parseAttributeConfigs', () => {
  it('parses a full configuration and drops unknown fields', () => {
    const result = parseAttributeConfigs([
      { name: 'weight', dataType: 'number', required: true, validation: { range: { min: 0, max: 50 } }, colour: 'x' },
      { name: 'seal_code', dataType: 'string', defaultValue: 'AB-1', validation: { regex: '^[A-Z]{2}-\\d+$', range: { max: 10 } } },
      { name: 'kind', dataType: 'string', validation: { valueOneOf: ['a', 'b'] } },
      { name: 'dims', dataType: 'object' },
      { name: 'tags', dataType: 'array', defaultValue: [] },
      { name: 'fragile', dataType: 'boolean', defaultValue: false },
    ]);
    expect(result.ok).toBe(true);
    expect(result.ok && result.value[0]).toEqual({ name: 'weight', dataType: 'number', required: true, validation: { range: { min: 0, max: 50 } } });
    expect(result.ok && result.value[1]).toMatchObject({ required: false, defaultValue: 'AB-1' });
  });

  it('treats an absent configuration as none', () => {
    expect(parseAttributeConfigs(undefined)).toEqual({ ok: true, value: [] });
  });

  it.each([
    ['not an array', { name: 'a' }, 'attributes'],
    ['a bad name', [{ name: 'has space', dataType: 'string' }], 'attributes[0].name'],
    ['a name too long', [{ name: 'a'.repeat(33), dataType: 'string' }], 'attributes[0].name'],
    ['an unknown dataType', [{ name: 'a', dataType: 'integer' }], 'attributes[0].dataType'],
    ['a non-boolean required', [{ name: 'a', dataType: 'string', required: 'yes' }], 'attributes[0].required'],
    ['a repeated name', [{ name: 'a', dataType: 'string' }, { name: 'a', dataType: 'number' }], 'attributes[1].name'],
    ['min above max', [{ name: 'a', dataType: 'number', validation: { range: { min: 5, max: 1 } } }], 'attributes[0].validation.range'],
    ['a range on a boolean', [{ name: 'a', dataType: 'boolean', validation: { range: { min: 1 } } }], 'attributes[0].validation.range'],
    ['a negative length', [{ name: 'a', dataType: 'string', validation: { range: { min: -1 } } }], 'attributes[0].validation.range.min'],
    ['a regex on a number', [{ name: 'a', dataType: 'number', validation: { regex: '^1$' } }], 'attributes[0].validation.regex'],
    ['an invalid regex', [{ name: 'a', dataType: 'string', validation: { regex: '([' } }], 'attributes[0].validation.regex'],
    ['an unsafe regex', [{ name: 'a', dataType: 'string', validation: { regex: '^(a+)+$' } }], 'attributes[0].validation.regex'],
    ['an empty valueOneOf', [{ name: 'a', dataType: 'string', validation: { valueOneOf: [] } }], 'attributes[0].validation.valueOneOf'],
    ['a valueOneOf of another type', [{ name: 'a', dataType: 'string', validation: { valueOneOf: ['x', 2] } }], 'attributes[0].validation.valueOneOf[1]'],
    ['a default of the wrong type', [{ name: 'a', dataType: 'number', defaultValue: '3' }], 'attributes[0].defaultValue'],
    ['a default out of range', [{ name: 'a', dataType: 'number', defaultValue: 9, validation: { range: { max: 5 } } }], 'attributes[0].defaultValue'],
    ['a default off the list', [{ name: 'a', dataType: 'string', defaultValue: 'z', validation: { valueOneOf: ['x'] } }], 'attributes[0].defaultValue'],
    ['a null default', [{ name: 'a', dataType: 'string', defaultValue: null }], 'attributes[0].defaultValue'],
  ])('refuses %s, naming the path', (_what, raw, path) => {
    expect(violationsOf(raw).map((v) => v.path)).toContain(path);
  });

  it('lists every violation at once', () => {
    const violations = violationsOf([{ name: '1', dataType: 'x' }, { name: 'ok', dataType: 'number', validation: { range: { min: 2, max: 1 } } }]);
    expect(violations.map((v) => v.path)).toEqual(['attributes[0].name', 'attributes[0].dataType', 'attributes[1].validation.range']);
  });
});

describe('checkAttributeValue', () => {
  const config = (overrides: Partial<AttributeConfig>): AttributeConfig => ({ name: 'a', dataType: 'string', required: false, ...overrides });

  it.each([
    ['string', 'x', 1],
    ['number', 1.5, '1.5'],
    ['number', 2, Number.NaN],
    ['boolean', true, 'true'],
    ['object', { k: 1 }, [1]],
    ['array', [1], { 0: 1 }],
  ] as const)('checks the %s data type', (dataType, good, bad) => {
    expect(checkAttributeValue(config({ dataType }), good).ok).toBe(true);
    const refused = checkAttributeValue(config({ dataType }), bad);
    expect(!refused.ok && refused.error).toMatch(new RegExp(`'a' must be an? ${dataType}`));
  });

  it('bounds a number by range and a string by its length', () => {
    const n = config({ dataType: 'number', validation: { range: { min: 1, max: 3 } } });
    expect(checkAttributeValue(n, 0)).toEqual({ ok: false, error: "attribute 'a' value must be at least 1" });
    expect(checkAttributeValue(n, 3).ok).toBe(true);
    const s = config({ validation: { range: { max: 2 } } });
    expect(checkAttributeValue(s, 'abc')).toEqual({ ok: false, error: "attribute 'a' length must be at most 2" });
  });

  it('matches a regex', () => {
    const c = config({ validation: { regex: '^[A-Z]+$' } });
    expect(checkAttributeValue(c, 'ABC').ok).toBe(true);
    expect(checkAttributeValue(c, 'abc')).toEqual({ ok: false, error: "attribute 'a' must match ^[A-Z]+$" });
  });

  it('compares valueOneOf entries by value, objects whatever their key order', () => {
    const c = config({ dataType: 'object', validation: { valueOneOf: [{ x: 1, y: 2 }] } });
    expect(checkAttributeValue(c, { y: 2, x: 1 }).ok).toBe(true);
    expect(checkAttributeValue(c, { x: 1 }).ok).toBe(false);
  });
});
