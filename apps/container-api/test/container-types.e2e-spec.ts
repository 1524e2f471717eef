import { dataOf, expectEnvelopeError } from './support/answers';
import { defineType } from './support/container-types';
import { expectOs1Valid } from './support/os1-schemas';
import { BASE, TestApp, startTestApp } from './support/test-app';

describe('container types over HTTP', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  const bag = {
    name: 'bag',
    isLeaf: false,
    attributes: [
      { name: 'weight', dataType: 'number', required: true, validation: { range: { min: 0, max: 100 } } },
      { name: 'seal', dataType: 'string', defaultValue: 'S-1', validation: { regex: '^S-\\d+$' } },
    ],
  };

  it('defines a type (202 with its id) and reads it back', async () => {
    const created = await t.request(`${BASE}/container-types`, {
      method: 'POST',
      headers: await t.headers('acme', { 'X-COREOS-USERINFO': JSON.stringify({ id: 'u-7', name: 'Ada', role: 'x' }) }),
      body: { ...bag, colour: 'ignored' },
    });
    expect(created.status).toBe(202);
    expect(created.body.data).toEqual({ id: 'bag' });
    expect(created.body.request).toMatchObject({ uri: `${BASE}/container-types`, method: 'POST', queryString: '' });
    expectOs1Valid('SuccessResponse', created.body);

    const read = await t.request(`${BASE}/container-types/bag`, { headers: await t.headers() });
    expect(read.status).toBe(200);
    expectOs1Valid('ContainerTypeResponse', read.body);
    expect(read.body.data).toEqual({
      id: 'bag',
      name: 'bag',
      isLeaf: false,
      attributes: [
        { name: 'weight', dataType: 'number', required: true, validation: { range: { min: 0, max: 100 }, required: true } },
        { name: 'seal', dataType: 'string', required: false, defaultValue: 'S-1', validation: { regex: '^S-\\d+$' } },
      ],
      createdAt: expect.any(Number),
      updatedAt: expect.any(Number),
      createdBy: { id: 'u-7', name: 'Ada' },
      updatedBy: { id: 'u-7', name: 'Ada' },
    });
  });

  it('answers 400 100920021050 (errorName CONTAINER_TYPE_EXISTS) for a second type of that name, as the original does', async () => {
    const again = await t.request(`${BASE}/container-types`, { method: 'POST', headers: await t.headers(), body: bag });
    expect(again.status).toBe(400);
    expect(again.body.error).toMatchObject({ code: '100920021050', additionalInfo: { errorName: 'CONTAINER_TYPE_EXISTS' } });
    expectOs1Valid('ErrorResponse', again.body);
  });

  it('keeps tenants apart: another tenant neither sees the type nor collides with it', async () => {
    const read = await t.request(`${BASE}/container-types/bag`, { headers: await t.headers('globex') });
    expect(read.status).toBe(400);
    expect(read.body.error).toMatchObject({ code: '100920043304', additionalInfo: { errorName: 'CONTAINER_TYPE_NOT_FOUND' } });
    const created = await t.request(`${BASE}/container-types`, { method: 'POST', headers: await t.headers('globex'), body: { name: 'bag' } });
    expect(created.status).toBe(202);
  });

  it('treats names as case-sensitive', async () => {
    const read = await t.request(`${BASE}/container-types/BAG`, { headers: await t.headers() });
    expectEnvelopeError(read, 400, '100920043304');
  });

  it('lists the tenant’s types by name with a cursor', async () => {
    for (const name of ['pallet', 'box']) {
      await defineType(t, { name });
    }
    const first = await t.request(`${BASE}/container-types?limit=2`, { headers: await t.headers() });
    expect(dataOf<{ items: Array<{ id: string }> }>(first).items.map((i) => i.id)).toEqual(['bag', 'box']);
    const second = await t.request(`${BASE}/container-types?limit=2&cursor=${first.body.data.nextCursor}`, { headers: await t.headers() });
    expect(second.body.data).toMatchObject({ items: [{ id: 'pallet' }], nextCursor: null });
    const bad = await t.request(`${BASE}/container-types?limit=0`, { headers: await t.headers() });
    expect(bad.status).toBe(400);
    expect(bad.body.error.additionalInfo.violations[0].path).toBe('limit');
  });

  it.each([
    ['a bad name', { name: 'b4g' }, 'name'],
    [
      'a repeated attribute',
      {
        name: 'crate',
        attributes: [
          { name: 'a', dataType: 'string' },
          { name: 'a', dataType: 'string' },
        ],
      },
      'attributes[1].name',
    ],
    [
      'min above max',
      { name: 'crate', attributes: [{ name: 'a', dataType: 'number', validation: { range: { min: 2, max: 1 } } }] },
      'attributes[0].validation.range',
    ],
    [
      'a regex that cannot run in linear time',
      { name: 'crate', attributes: [{ name: 'a', dataType: 'string', validation: { regex: '(a)\\1' } }] },
      'attributes[0].validation.regex',
    ],
    ['an invalid regex', { name: 'crate', attributes: [{ name: 'a', dataType: 'string', validation: { regex: '[' } }] }, 'attributes[0].validation.regex'],
    ['a default failing its rules', { name: 'crate', attributes: [{ name: 'a', dataType: 'number', defaultValue: 'x' }] }, 'attributes[0].defaultValue'],
  ])('refuses %s with 400 VALIDATION_FAILED naming the path, storing nothing', async (_what, body, path) => {
    const response = await t.request(`${BASE}/container-types`, { method: 'POST', headers: await t.headers(), body });
    expectEnvelopeError(response, 400, 'VALIDATION_FAILED');
    expect(response.body.error.additionalInfo.violations.map((v: { path: string }) => v.path)).toContain(path);
    expect((await t.request(`${BASE}/container-types/crate`, { headers: await t.headers() })).body.error.code).toBe('100920043304');
  });

  it('answers 415 for a body that is not JSON', async () => {
    const response = await t.request(`${BASE}/container-types`, { method: 'POST', headers: await t.headers(), rawBody: 'name=bag', contentType: 'text/plain' });
    expectEnvelopeError(response, 415, 'UNSUPPORTED_MEDIA_TYPE');
    const form = new FormData();
    form.append('name', 'sack');
    const multipart = await t.request(`${BASE}/container-types`, { method: 'POST', headers: await t.headers(), form });
    expectEnvelopeError(multipart, 415, 'UNSUPPORTED_MEDIA_TYPE');
    const config = await t.request(`${BASE}/container-types/sack/config/attributes`, { method: 'PUT', headers: await t.headers(), form });
    expectEnvelopeError(config, 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it.each([
    ['malformed JSON', '{"name": "crate"'],
    ['an empty body', ''],
    ['a JSON array', '[1]'],
  ])('answers 400 VALIDATION_FAILED for %s', async (_what, rawBody) => {
    const response = await t.request(`${BASE}/container-types`, { method: 'POST', headers: await t.headers(), rawBody });
    expectEnvelopeError(response, 400, 'VALIDATION_FAILED');
  });

  it('ignores __proto__ and constructor.prototype keys as it ignores every unknown field, and nothing reaches a prototype', async () => {
    // The valueOneOf entry is kept as given: only the parser's removal can take the key out of it.
    const body =
      '{"name":"pouch","__proto__":{"isAdmin":true},"constructor":{"prototype":{"isAdmin":true}},"attributes":[{"name":"w","dataType":"object","__proto__":{"required":true},"validation":{"valueOneOf":[{"a":1,"__proto__":{"isAdmin":true}}]}}]}';
    const response = await t.request(`${BASE}/container-types`, { method: 'POST', headers: await t.headers(), rawBody: body });
    expect(response.status).toBe(202);
    const stored = await t.request(`${BASE}/container-types/pouch`, { headers: await t.headers() });
    expect(stored.body.data.attributes).toEqual([{ name: 'w', dataType: 'object', required: false, validation: { valueOneOf: [{ a: 1 }] } }]);
    expect(stored.text).not.toContain('__proto__');
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
    expect(({} as Record<string, unknown>).required).toBeUndefined();
  });

  it('replaces the attribute configuration with PUT .../config/attributes and reads it back', async () => {
    await defineType(t, { name: 'cage' });
    const attributes = [{ name: 'volume', dataType: 'number', required: true, validation: { range: { min: 1 } } }];
    const put = await t.request(`${BASE}/container-types/cage/config/attributes`, { method: 'PUT', headers: await t.headers(), body: { attributes } });
    expect(put.status).toBe(202);
    const stored = [{ name: 'volume', dataType: 'number', required: true, validation: { range: { min: 1 }, required: true } }];
    expect(put.body.data).toMatchObject({ id: 'cage', name: 'cage', attributes: stored });
    const get = await t.request(`${BASE}/container-types/cage/config/attributes`, { headers: await t.headers() });
    expect(get.body.data).toMatchObject({ name: 'cage', attributes: stored });
    expectOs1Valid('AttributesConfigResponse', get.body);

    const invalid = await t.request(`${BASE}/container-types/cage/config/attributes`, {
      method: 'PUT',
      headers: await t.headers(),
      body: { attributes: [{ name: 'volume', dataType: 'number', defaultValue: 0, validation: { range: { min: 1 } } }] },
    });
    expectEnvelopeError(invalid, 400, 'VALIDATION_FAILED');
    expect((await t.request(`${BASE}/container-types/cage/config/attributes`, { headers: await t.headers() })).body.data.attributes).toHaveLength(1);
    const missing = await t.request(`${BASE}/container-types/cage/config/attributes`, { method: 'PUT', headers: await t.headers(), body: {} });
    expectEnvelopeError(missing, 400, 'VALIDATION_FAILED');
    const unknown = await t.request(`${BASE}/container-types/nothere/config/attributes`, {
      method: 'PUT',
      headers: await t.headers(),
      body: { attributes: [] },
    });
    expect([unknown.status, unknown.body.error.code, unknown.body.error.additionalInfo.errorName]).toEqual([400, '100920043304', 'CONTAINER_TYPE_NOT_FOUND']);
    const foreign = await t.request(`${BASE}/container-types/cage/config/attributes`, { headers: await t.headers('globex') });
    expectEnvelopeError(foreign, 400, '100920043304');
  });
});
