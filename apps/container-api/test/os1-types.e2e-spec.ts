// Container types and containers as clients of the original (OS1) service read them: its known
// error codes on the container-type routes, `validation.required`, its read schemas, its money.
import { acceptedId, expectEnvelopeError } from './support/answers';
import { finalStatus } from './support/final-status';
import { expectOs1Valid } from './support/os1-schemas';
import { rawExchange } from './support/raw-http';
import { BASE, TestApp, TestResponse, startTestApp } from './support/test-app';

describe('container types and containers for OS1 clients', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ WORKER_ENABLED: 'true' });
  });
  afterAll(async () => {
    await t.close();
  });

  const defineType = async (body: unknown, tenant = 'acme', extra: Record<string, string> = {}) =>
    t.request(`${BASE}/container-types`, { method: 'POST', headers: await t.headers(tenant, extra), body });

  async function submitAndWait(type: string, payload: unknown[]): Promise<TestResponse> {
    const submitted = await t.request(`${BASE}/${type}/batch`, { method: 'POST', headers: await t.headers(), body: { payload } });
    return finalStatus(t, type, acceptedId(submitted), { timeoutMs: 30_000 });
  }

  const expectError = (response: TestResponse, status: number, code: string, errorName: string) => {
    expect([response.status, response.body.error.code, response.body.error.additionalInfo.errorName]).toEqual([status, code, errorName]);
    expectOs1Valid('ErrorResponse', response.body);
  };

  describe('the original codes on the container-type routes', () => {
    it('answers 400 100920043304 for a type the tenant lacks, on the read and on its attribute configuration', async () => {
      expectError(await t.request(`${BASE}/container-types/ghost`, { headers: await t.headers() }), 400, '100920043304', 'CONTAINER_TYPE_NOT_FOUND');
      expectError(
        await t.request(`${BASE}/container-types/ghost/config/attributes`, { headers: await t.headers() }),
        400,
        '100920043304',
        'CONTAINER_TYPE_NOT_FOUND',
      );
      const put = await t.request(`${BASE}/container-types/ghost/config/attributes`, { method: 'PUT', headers: await t.headers(), body: { attributes: [] } });
      expectError(put, 400, '100920043304', 'CONTAINER_TYPE_NOT_FOUND');
      expect(put.body.error.description).toBe("No container type 'ghost' exists for this tenant.");
    });

    it('answers 400 100920021050 for a name the tenant has, and the reference app starts up on these codes', async () => {
      // The reference app: read the type; on 400 100920043304 create it; 100920021050 means "already there".
      const read = await t.request(`${BASE}/container-types/parcel`, { headers: await t.headers() });
      expectEnvelopeError(read, 400, '100920043304');
      const created = await defineType({ name: 'parcel', isLeaf: true });
      expect(created.status).toBe(202);
      expectOs1Valid('SuccessResponse', created.body);
      expectError(await defineType({ name: 'parcel', isLeaf: true }), 400, '100920021050', 'CONTAINER_TYPE_EXISTS');
      // Another tenant has no such type: the name is free there.
      expect((await defineType({ name: 'parcel' }, 'globex')).status).toBe(202);
    });

    it('keeps the catalog codes on the other routes', async () => {
      const submit = await t.request(`${BASE}/ghost/batch`, { method: 'POST', headers: await t.headers(), body: { payload: [{ refID: 'a' }] } });
      expectError(submit, 404, 'CONTAINER_TYPE_NOT_FOUND', 'CONTAINER_TYPE_NOT_FOUND');
      const status = await t.request(`${BASE}/ghost/batch/status?batchId=batch:0c000000-0000-4000-8000-0000000000ff`, { headers: await t.headers() });
      expectError(status, 404, 'BATCH_NOT_FOUND', 'BATCH_NOT_FOUND');
      const list = await t.request(`${BASE}/ghost/batches`, { headers: await t.headers() });
      expectError(list, 404, 'BATCH_NOT_FOUND', 'BATCH_NOT_FOUND');
    });
  });

  describe('additionalInfo.errorName on every error', () => {
    it.each([
      ['a missing header', async () => t.request(`${BASE}/container-types`, { headers: { 'X-COREOS-REQUEST-ID': 'x' } }), 400, 'MISSING_HEADER'],
      ['a bad token', async () => t.request(`${BASE}/container-types`, { headers: { ...(await t.headers()), 'X-COREOS-ACCESS': 'x' } }), 401, 'UNAUTHORIZED'],
      ['a bad body', async () => defineType({ name: '1' }), 400, 'VALIDATION_FAILED'],
      [
        'a wrong content type',
        async () => t.request(`${BASE}/container-types`, { method: 'POST', headers: await t.headers(), rawBody: 'x', contentType: 'text/plain' }),
        415,
        'UNSUPPORTED_MEDIA_TYPE',
      ],
      ['a bad batch id', async () => t.request(`${BASE}/bag/batch/status?batchId=1`, { headers: await t.headers() }), 400, 'INVALID_BATCH_ID'],
      [
        'an unknown container',
        async () => t.request(`${BASE}/parcel/parcel:00000000-0000-4000-8000-000000000000`, { headers: await t.headers() }),
        404,
        'CONTAINER_NOT_FOUND',
      ],
      ['an unknown route', async () => t.request('/nowhere'), 404, 'NOT_FOUND'],
      ['a path that does not decode', async () => t.request(`${BASE}/container-types/%ff`, { headers: await t.headers() }), 400, 'VALIDATION_FAILED'],
    ])('names %s, keeping the rest of additionalInfo', async (_what, send, status, code) => {
      const response = await send();
      expectError(response, status, code, code);
      if (code === 'MISSING_HEADER') expect(response.body.error.additionalInfo).toEqual({ header: 'X-COREOS-TID', errorName: 'MISSING_HEADER' });
      if (code === 'VALIDATION_FAILED') expect(response.body.error.additionalInfo.violations).toEqual([expect.objectContaining({ path: expect.any(String) })]);
    });

    it('names an error answered on the socket, before any route runs', async () => {
      const answer = await rawExchange(t.url, { send: 'NOT HTTP AT ALL\r\n\r\n', waitMs: 3000 });
      expect(answer.body.error).toMatchObject({ code: 'VALIDATION_FAILED', additionalInfo: { errorName: 'VALIDATION_FAILED' } });
    });
  });

  describe('validation.required', () => {
    it('makes the attribute required like the top-level flag, and reads show it in both places', async () => {
      const attributes = [
        { name: 'weight', dataType: 'number', validation: { required: true, range: { min: 0 } } },
        { name: 'colour', dataType: 'string', isReadPublic: true, validation: { required: false } },
      ];
      expect((await defineType({ name: 'sack', attributes })).status).toBe(202);
      const read = await t.request(`${BASE}/container-types/sack`, { headers: await t.headers() });
      expectOs1Valid('ContainerTypeResponse', read.body);
      expect(read.body.data.attributes).toEqual([
        { name: 'weight', dataType: 'number', required: true, validation: { required: true, range: { min: 0 } } },
        // isReadPublic is kept as given (contract §9), though it changes no rule here.
        { name: 'colour', dataType: 'string', required: false, isReadPublic: true },
      ]);

      const final = await submitAndWait('sack', [{ refID: 'without-weight' }, { refID: 'with-weight', attributes: { weight: 2 } }]);
      expect(final.body.data.meta).toMatchObject({ status: 'PARTIAL_SUCCESS', success: 1, failed: 1 });
      expect(final.body.data.errors).toEqual([
        expect.objectContaining({ refID: 'without-weight', code: 'ATTRIBUTE_INVALID', reason: "attribute 'weight' is required" }),
      ]);
    });

    it('takes it on PUT .../config/attributes too', async () => {
      expect((await defineType({ name: 'tote' })).status).toBe(202);
      const put = await t.request(`${BASE}/container-types/tote/config/attributes`, {
        method: 'PUT',
        headers: await t.headers(),
        body: { attributes: [{ name: 'seal', dataType: 'string', validation: { required: true } }] },
      });
      expect(put.status).toBe(202);
      expect(put.body.data.attributes).toEqual([{ name: 'seal', dataType: 'string', required: true, validation: { required: true } }]);
      const final = await submitAndWait('tote', [{ refID: 'no-seal' }]);
      expect(final.body.data.errors).toEqual([expect.objectContaining({ refID: 'no-seal', code: 'ATTRIBUTE_INVALID' })]);
    });
  });

  describe('reads valid against the original schemas', () => {
    it('a type read is a ContainerTypeResponse whose createdBy and updatedBy are ActionBy objects, never null', async () => {
      expect((await defineType({ name: 'crate', isLeaf: true, attributes: [{ name: 'volume', dataType: 'number' }] })).status).toBe(202);
      const read = await t.request(`${BASE}/container-types/crate`, { headers: await t.headers() });
      expect(read.status).toBe(200);
      expectOs1Valid('ContainerTypeResponse', read.body);
      expect(read.body.data).toMatchObject({ createdBy: { id: 'acme' }, updatedBy: { id: 'acme' } });
      expectOs1Valid('ActionBy', read.body.data.createdBy);
      const list = await t.request(`${BASE}/container-types`, { headers: await t.headers() });
      for (const item of list.body.data.items) expectOs1Valid('ContainerTypeResponse', { data: item, request: list.body.request });
    });

    it('reads a type stored with no actor as made by the tenant', async () => {
      expect((await defineType({ name: 'pallet', attributes: [{ name: 'volume', dataType: 'number' }] })).status).toBe(202);
      await t.database.write((m) => m.query("UPDATE container_types SET created_by = NULL, updated_by = NULL WHERE tenant_id = 'acme' AND name = 'pallet'"));
      const read = await t.request(`${BASE}/container-types/pallet`, { headers: await t.headers() });
      expect(read.body.data).toMatchObject({ createdBy: { id: 'acme' }, updatedBy: { id: 'acme' } });
      expectOs1Valid('ContainerTypeResponse', read.body);
      const config = await t.request(`${BASE}/container-types/pallet/config/attributes`, { headers: await t.headers() });
      expect(config.body.data).toMatchObject({ createdBy: { id: 'acme' }, updatedBy: { id: 'acme' } });
      expectOs1Valid('AttributesConfigResponse', config.body);
    });

    it('the attribute configuration: GET is an AttributesConfigResponse, PUT answers 202 with a SuccessResponse', async () => {
      const user = { 'X-COREOS-USERINFO': JSON.stringify({ id: 'u-9', name: 'Lin' }) };
      expect((await defineType({ name: 'cage', attributes: [{ name: 'volume', dataType: 'number' }] }, 'acme', user)).status).toBe(202);
      const attributes = [{ name: 'volume', dataType: 'number', required: true, defaultValue: 5, validation: { range: { min: 1 } } }];
      const put = await t.request(`${BASE}/container-types/cage/config/attributes`, {
        method: 'PUT',
        headers: await t.headers('acme', user),
        body: { attributes },
      });
      expect(put.status).toBe(202);
      expectOs1Valid('SuccessResponse', put.body);
      expectOs1Valid('AttributesConfigResponse', put.body);
      expect(put.body.data.id).toBe('cage');

      const get = await t.request(`${BASE}/container-types/cage/config/attributes`, { headers: await t.headers() });
      expect(get.status).toBe(200);
      expectOs1Valid('AttributesConfigResponse', get.body);
      expect(get.body.data).toEqual({
        name: 'cage',
        attributes: [{ name: 'volume', dataType: 'number', required: true, defaultValue: 5, validation: { range: { min: 1 }, required: true } }],
        createdAt: expect.any(Number),
        createdBy: { id: 'u-9', name: 'Lin' },
        updatedAt: expect.any(Number),
        updatedBy: { id: 'u-9', name: 'Lin' },
      });
      expect(get.body.data.updatedAt).toBeGreaterThanOrEqual(get.body.data.createdAt);
    });

    it('a container read is a ContainerResponse: state created:created, no parentId when there is none, who acted never null', async () => {
      const final = await submitAndWait('parcel', [
        {
          refID: 'p-1',
          scannableId: 'P-SCAN-1',
          trackingDetails: [{ operator: 'DHL', trackingId: 'P-T-1' }],
          items: [{ name: 'Shirt', code: 'SKU-1', cost: { total: { amount: 5, currency: 'EUR' } }, quantity: { value: 2, unit: 'nos' } }],
        },
      ]);
      expect(final.body.data.meta.status).toBe('SUCCESS');
      const read = await t.request(`${BASE}/parcel/${final.body.data.success[0].id}`, { headers: await t.headers() });
      expect(read.status).toBe(200);
      expectOs1Valid('ContainerResponse', read.body);
      expect(read.body.data).toMatchObject({
        id: final.body.data.success[0].id,
        containerType: 'parcel',
        state: 'created:created',
        createdBy: { id: 'acme' },
        updatedBy: { id: 'acme' },
      });
      expect(read.body.data).not.toHaveProperty('parentId');
    });

    it('a container with a parent carries its parentId', async () => {
      expect((await defineType({ name: 'pouch' })).status).toBe(202);
      const holder = await submitAndWait('pouch', [{ refID: 'holder' }]);
      const made = await submitAndWait('parcel', [{ refID: 'inner', parentId: holder.body.data.success[0].id }]);
      expect(made.body.data.meta.status).toBe('SUCCESS');
      const read = await t.request(`${BASE}/parcel/${made.body.data.success[0].id}`, { headers: await t.headers() });
      expectOs1Valid('ContainerResponse', read.body);
      expect(read.body.data.parentId).toBe(holder.body.data.success[0].id);
    });
  });

  describe('item cost rules (§4.1)', () => {
    it('accepts money with an amount only, a currency only, or neither, and a currency in any case', async () => {
      const final = await submitAndWait('parcel', [
        { refID: 'amount-only', items: [{ name: 'Shirt', cost: { total: { amount: 10 } } }] },
        { refID: 'lower-case', items: [{ name: 'Shirt', cost: { unit: { amount: 2.5, currency: 'eur' }, total: { amount: 5, currency: 'eur' } } }] },
        { refID: 'empty', items: [{ name: 'Shirt', cost: { total: {} } }] },
        { refID: 'negative', items: [{ name: 'Shirt', cost: { total: { amount: -1 } } }] },
      ]);
      expect(final.body.data.meta).toMatchObject({ status: 'PARTIAL_SUCCESS', success: 3, failed: 1 });
      expect(final.body.data.errors).toEqual([
        expect.objectContaining({ refID: 'negative', code: 'ITEM_INVALID', reason: 'items[0].cost.total.amount must be a number of at least 0' }),
      ]);
      const read = await t.request(`${BASE}/parcel/${final.body.data.success[0].id}`, { headers: await t.headers() });
      expectOs1Valid('ContainerResponse', read.body);
      expect(read.body.data.items).toEqual([{ name: 'Shirt', cost: { total: { amount: 10 } } }]);
    });
  });

  it('the schemas really refuse what the original would not send', () => {
    expect(() => expectOs1Valid('ContainerResponse', { data: { id: 'x', containerType: 'parcel', parentId: null, state: 'created:created' } })).toThrow();
    expect(() =>
      expectOs1Valid('ContainerTypeResponse', { data: { name: 'crate', createdAt: 1, updatedAt: 1, createdBy: null, updatedBy: { id: 'a' } } }),
    ).toThrow();
  });
});
