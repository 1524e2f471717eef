import { AttributeConfig, DEFAULT_MAX_STRING_LENGTH, MAX_STRING_LENGTH, checkAttributeValue, parseAttributeConfigs } from './attribute-config';
import { expectErr, expectOk } from './testing';

/** An array nested `depth` levels deep: [[[...]]]. */
const nested = (depth: number): unknown => {
  let value: unknown = [];
  for (let i = 1; i < depth; i++) value = [value];
  return value;
};

const elapsedMs = (run: () => unknown): number => {
  const start = process.hrtime.bigint();
  run();
  return Number(process.hrtime.bigint() - start) / 1e6;
};

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
    expect(expectOk(result)[0]).toEqual({ name: 'weight', dataType: 'number', required: true, validation: { range: { min: 0, max: 50 } } });
    expect(expectOk(result)[1]).toMatchObject({ required: false, defaultValue: 'AB-1' });
  });

  it('makes an attribute required from validation.required, where the original keeps it', () => {
    const result = parseAttributeConfigs([
      { name: 'weight', dataType: 'number', validation: { required: true, range: { min: 0 } } },
      { name: 'seal', dataType: 'string', required: false, validation: { required: true } },
      { name: 'label', dataType: 'string', required: true, validation: { required: false } },
      { name: 'note', dataType: 'string', validation: { required: false } },
    ]);
    expect(expectOk(result)).toEqual([
      { name: 'weight', dataType: 'number', required: true, validation: { range: { min: 0 } } },
      { name: 'seal', dataType: 'string', required: true },
      { name: 'label', dataType: 'string', required: true },
      { name: 'note', dataType: 'string', required: false },
    ]);
  });

  it('refuses a validation.required that is not a boolean', () => {
    expect(violationsOf([{ name: 'weight', dataType: 'number', validation: { required: 'yes' } }])).toEqual([
      { path: 'attributes[0].validation.required', message: 'must be a boolean' },
    ]);
  });

  it('keeps isReadPublic as given, and refuses one that is not a boolean', () => {
    const result = parseAttributeConfigs([
      { name: 'weight', dataType: 'number', isReadPublic: true },
      { name: 'seal', dataType: 'string', isReadPublic: false },
      { name: 'note', dataType: 'string' },
    ]);
    expect(expectOk(result).map((config) => config.isReadPublic)).toEqual([true, false, undefined]);
    expect(violationsOf([{ name: 'weight', dataType: 'number', isReadPublic: 'yes' }])).toEqual([
      { path: 'attributes[0].isReadPublic', message: 'must be a boolean' },
    ]);
  });

  it('refuses __proto__ as a name, which would replace the prototype of an object holding the values', () => {
    expect(violationsOf([{ name: '__proto__', dataType: 'object' }])).toEqual([{ path: 'attributes[0].name', message: 'must not be __proto__' }]);
    expect(
      expectOk(
        parseAttributeConfigs([
          { name: 'constructor', dataType: 'string' },
          { name: '__x__', dataType: 'string' },
        ]),
      ),
    ).toHaveLength(2);
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
    [
      'a repeated name',
      [
        { name: 'a', dataType: 'string' },
        { name: 'a', dataType: 'number' },
      ],
      'attributes[1].name',
    ],
    ['min above max', [{ name: 'a', dataType: 'number', validation: { range: { min: 5, max: 1 } } }], 'attributes[0].validation.range'],
    ['a range on a boolean', [{ name: 'a', dataType: 'boolean', validation: { range: { min: 1 } } }], 'attributes[0].validation.range'],
    ['a negative length', [{ name: 'a', dataType: 'string', validation: { range: { min: -1 } } }], 'attributes[0].validation.range.min'],
    ['a regex on a number', [{ name: 'a', dataType: 'number', validation: { regex: '^1$' } }], 'attributes[0].validation.regex'],
    ['an invalid regex', [{ name: 'a', dataType: 'string', validation: { regex: '([' } }], 'attributes[0].validation.regex'],
    ['a regex with a lookahead', [{ name: 'a', dataType: 'string', validation: { regex: '^(?=a)a$' } }], 'attributes[0].validation.regex'],
    ['a regex with a backreference', [{ name: 'a', dataType: 'string', validation: { regex: '(a)\\1' } }], 'attributes[0].validation.regex'],
    ['a string range.max over 65 536', [{ name: 'a', dataType: 'string', validation: { range: { max: 65_537 } } }], 'attributes[0].validation.range.max'],
    [
      'a string range.min over 4 096 without a max',
      [{ name: 'a', dataType: 'string', validation: { range: { min: 5000 } } }],
      'attributes[0].validation.range',
    ],
    ['a default longer than 4 096', [{ name: 'a', dataType: 'string', defaultValue: 'x'.repeat(4097) }], 'attributes[0].defaultValue'],
    ['a default nested 65 deep', [{ name: 'a', dataType: 'array', defaultValue: nested(65) }], 'attributes[0].defaultValue'],
    [
      'a valueOneOf string over 4 096',
      [{ name: 'a', dataType: 'string', validation: { valueOneOf: ['x'.repeat(4097)] } }],
      'attributes[0].validation.valueOneOf[0]',
    ],
    [
      'a valueOneOf entry nested 65 deep',
      [{ name: 'a', dataType: 'array', validation: { valueOneOf: [nested(65)] } }],
      'attributes[0].validation.valueOneOf[0]',
    ],
    [
      'regexes too costly for their values',
      [{ name: 'a', dataType: 'string', validation: { regex: '^[ab]*a[ab]{400}$', range: { max: 65_536 } } }],
      'attributes',
    ],
    [
      'regexes too large to compile together',
      [300, 300, 300, 300].map((n, i) => ({ name: `a${'_'.repeat(i)}`, dataType: 'string', validation: { regex: `^x{${n}}$`, range: { max: 1 } } })),
      'attributes[3].validation.regex',
    ],
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
    const violations = violationsOf([
      { name: '1', dataType: 'x' },
      { name: 'ok', dataType: 'number', validation: { range: { min: 2, max: 1 } } },
    ]);
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
    expectOk(checkAttributeValue(config({ dataType }), good));
    const refused = checkAttributeValue(config({ dataType }), bad);
    expect(expectErr(refused)).toMatch(new RegExp(`'a' must be an? ${dataType}`));
  });

  it('bounds a number by range and a string by its length', () => {
    const n = config({ dataType: 'number', validation: { range: { min: 1, max: 3 } } });
    expect(checkAttributeValue(n, 0)).toEqual({ ok: false, error: "attribute 'a' value must be at least 1" });
    expectOk(checkAttributeValue(n, 3));
    const s = config({ validation: { range: { max: 2 } } });
    expect(checkAttributeValue(s, 'abc')).toEqual({ ok: false, error: "attribute 'a' length must be at most 2" });
  });

  it('matches a regex', () => {
    const c = config({ validation: { regex: '^[A-Z]+$' } });
    expectOk(checkAttributeValue(c, 'ABC'));
    expect(checkAttributeValue(c, 'abc')).toEqual({ ok: false, error: "attribute 'a' must match ^[A-Z]+$" });
  });

  it('compares valueOneOf entries by value, objects whatever their key order', () => {
    const c = config({ dataType: 'object', validation: { valueOneOf: [{ x: 1, y: 2 }] } });
    expectOk(checkAttributeValue(c, { y: 2, x: 1 }));
    expectErr(checkAttributeValue(c, { x: 1 }));
  });
});

describe('attribute values judged in bounded time', () => {
  const config = (overrides: Partial<AttributeConfig>): AttributeConfig => ({ name: 'a', dataType: 'string', required: false, ...overrides });

  it('judges a hostile default of a guard-blind catastrophic pattern at config time in milliseconds', () => {
    // '[^]' fooled the old static guard; a 30-character default then froze the process for seconds.
    const raw = [{ name: 'code', dataType: 'string', defaultValue: `${'a'.repeat(29)}!`, validation: { regex: '^[^](a+)+$' } }];
    let violations: ReturnType<typeof violationsOf> = [];
    expect(elapsedMs(() => (violations = violationsOf(raw)))).toBeLessThan(200);
    expect(violations).toEqual([{ path: 'attributes[0].defaultValue', message: "fails its own rules: attribute 'code' must match ^[^](a+)+$" }]);
  });

  it('never throws on a pattern that made the old checker throw', () => {
    const raw = [{ name: 'code', dataType: 'string', validation: { regex: '[]([^\\]])' } }];
    expect(() => parseAttributeConfigs(raw)).not.toThrow();
    expectOk(parseAttributeConfigs(raw));
  });

  it('judges the longest allowed value against a polynomial pattern in milliseconds', () => {
    const c = config({ validation: { regex: '\\d*\\d*\\d*\\d*!' } });
    checkAttributeValue(c, '1');
    expect(elapsedMs(() => expectErr(checkAttributeValue(c, '1'.repeat(4096))))).toBeLessThan(200);
    expectOk(checkAttributeValue(c, `${'1'.repeat(4095)}!`));
  });

  it('judges a long value against nested quantifiers in milliseconds', () => {
    const c = config({ validation: { regex: '^(a|aa)+$', range: { max: 20_000 } } });
    checkAttributeValue(c, 'a');
    let result: ReturnType<typeof checkAttributeValue> = { ok: true, value: null };
    expect(elapsedMs(() => (result = checkAttributeValue(c, `${'a'.repeat(19_999)}!`)))).toBeLessThan(200);
    expect(result).toEqual({ ok: false, error: "attribute 'a' must match ^(a|aa)+$" });
  });

  it('refuses, never matches, a value whose check alone would exceed the work budget (possible only in an older configuration)', () => {
    const c = config({ validation: { regex: '^[ab]*a[ab]{400}$', range: { max: 65_536 } } });
    expect(checkAttributeValue(c, 'ab'.repeat(30_000))).toEqual({ ok: false, error: "attribute 'a' is too long to be checked against its regex" });
  });

  it('keeps the meaning of ordinary patterns: a search, not a whole match', () => {
    const c = config({ validation: { regex: '[0-9]{3}' } });
    expectOk(checkAttributeValue(c, 'ab123cd'));
    expect(checkAttributeValue(c, 'ab12cd')).toEqual({ ok: false, error: "attribute 'a' must match [0-9]{3}" });
  });

  it('bounds a string to 4 096 characters unless range.max allows more', () => {
    expectOk(checkAttributeValue(config({}), 'x'.repeat(DEFAULT_MAX_STRING_LENGTH)));
    expect(checkAttributeValue(config({}), 'x'.repeat(DEFAULT_MAX_STRING_LENGTH + 1))).toEqual({
      ok: false,
      error: "attribute 'a' must be at most 4096 characters (range.max may allow up to 65536)",
    });
    expectOk(checkAttributeValue(config({ validation: { range: { max: 10_000 } } }), 'x'.repeat(10_000)));
    expectErr(checkAttributeValue(config({ validation: { range: { max: MAX_STRING_LENGTH } } }), 'x'.repeat(MAX_STRING_LENGTH + 1)));
  });

  it('caps a range.max stored before the cap at 65 536', () => {
    expect(checkAttributeValue(config({ validation: { range: { max: 1_000_000 } } }), 'x'.repeat(65_537))).toEqual({
      ok: false,
      error: "attribute 'a' must be at most 65536 characters",
    });
  });

  it('refuses an object or array value nested deeper than 64 levels, without recursing', () => {
    expectOk(checkAttributeValue(config({ dataType: 'array' }), nested(64)));
    expect(checkAttributeValue(config({ dataType: 'array' }), nested(65))).toEqual({ ok: false, error: "attribute 'a' must not nest deeper than 64 levels" });
    expectErr(checkAttributeValue(config({ dataType: 'object' }), { x: nested(200_000) }));
  });

  it('refuses, never runs, a value against a stored pattern that cannot be matched in linear time', () => {
    // Configurations stored before patterns were compiled for linear-time matching may hold one.
    const refused = checkAttributeValue(config({ validation: { regex: '^(?=a)a+$' } }), 'aaa');
    expect(expectErr(refused)).toMatch(/^attribute 'a' cannot be checked: its regex uses a lookahead/);
  });

  it('accepts a costly regex when range.max keeps its values short', () => {
    expect(violationsOf([{ name: 'a', dataType: 'string', validation: { regex: '^[ab]*a[ab]{400}$', range: { max: 500 } } }])).toEqual([]);
  });

  it('judges a whole configuration of the costliest patterns allowed in milliseconds', () => {
    const letter = (n: number) => String.fromCharCode(97 + (n % 26));
    const raw = Array.from({ length: 128 }, (_, i) => ({
      name: `n${letter(Math.floor(i / 26))}${letter(i)}`,
      dataType: 'string',
      validation: { regex: `^[\\p{L}\\d${i}]{25}$`, range: { max: 1 } },
    }));
    parseAttributeConfigs([{ name: 'warm', dataType: 'string', validation: { regex: '^[\\p{L}]{3}$' } }]);
    let violations: ReturnType<typeof violationsOf> = [];
    expect(elapsedMs(() => (violations = violationsOf(raw)))).toBeLessThan(250);
    // Two fit the compile budget; the others are refused before anything is compiled for them.
    expect(violations).toHaveLength(126);
    expect(violations[0]).toEqual({ path: 'attributes[2].validation.regex', message: expect.stringMatching(/too large to compile/) });
  });
});
