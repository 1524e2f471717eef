// JSON batches end to end: submit, background processing, status, and the containers it made.
import { acceptedId, expectEnvelopeError } from './support/answers';
import { defineType } from './support/container-types';
import { finalStatus } from './support/final-status';
import { os1Schema } from './support/os1-schemas';
import { BASE, TestApp, TestResponse, startTestApp } from './support/test-app';

const USER = { id: 'u-42', name: 'Grace' };

describe('JSON batches over HTTP', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ WORKER_ENABLED: 'true', WORKER_CHUNK_SIZE: '50' });
    const define = async (body: unknown) => defineType(t, body);
    await define({
      name: 'bag',
      attributes: [
        { name: 'weight', dataType: 'number', required: true, validation: { range: { min: 0, max: 100 } } },
        { name: 'colour', dataType: 'string', defaultValue: 'grey', validation: { valueOneOf: ['grey', 'red'] } },
      ],
    });
    await define({ name: 'box', isLeaf: true });
  });
  afterAll(async () => {
    await t.close();
  });

  const submit = async (method: 'POST' | 'PUT', type: string, body: unknown, tenant = 'acme') =>
    t.request(`${BASE}/${type}/batch`, { method, headers: await t.headers(tenant, { 'X-COREOS-USERINFO': JSON.stringify(USER) }), body });

  const untilFinal = async (type: string, batchId: string, onPoll?: (meta: Record<string, number | string>) => void): Promise<TestResponse> =>
    finalStatus(t, type, batchId, { timeoutMs: 60_000, ...(onPoll ? { onPoll } : {}) });

  async function submitAndWait(method: 'POST' | 'PUT', type: string, payload: unknown[]) {
    const submitted = await submit(method, type, { payload });
    return untilFinal(type, acceptedId(submitted));
  }

  const countBatches = async () => Number((await t.database.read((m) => m.query('SELECT COUNT(*) AS n FROM batches')))[0].n);

  it('answers 202 with the batch id, Location and Retry-After once the batch is stored', async () => {
    const response = await submit('POST', 'bag', { payload: [{ refID: 'loc-1', attributes: { weight: 1 } }] });
    expect(response.status).toBe(202);
    expect(response.body.data.id).toMatch(/^batch:[0-9a-f-]{36}$/);
    expect(response.headers.get('location')).toBe(`${BASE}/bag/batch/status?batchId=${response.body.data.id}`);
    expect(response.headers.get('retry-after')).toBe('1');
    expect(os1Schema('BatchSuccessResponse')(response.body)).toBe(true);
    await untilFinal('bag', response.body.data.id);
  });

  it('processes a mixed batch: each item fails alone with its code, the rest succeed', async () => {
    const parent = await submitAndWait('POST', 'bag', [{ refID: 'parent', attributes: { weight: 5 } }]);
    const parentId = parent.body.data.success[0].id;
    const final = await submitAndWait('POST', 'bag', [
      {
        refID: 'ok-1',
        scannableId: 'SCAN-1',
        attributes: { weight: 10 },
        trackingDetails: [{ operator: 'DHL', trackingId: 'T-1' }],
        parentId,
        unknownField: 'dropped',
      },
      { refID: 'bad-attribute', attributes: { weight: 'heavy' } },
      { refID: 'bad-field', scannableId: '', attributes: { weight: 1 } },
      { refID: 'dup-scannable', scannableId: 'SCAN-1', attributes: { weight: 1 } },
      { refID: 'dup-tracking', attributes: { weight: 1 }, trackingDetails: [{ operator: 'DHL', trackingId: 'T-1' }] },
      { refID: 'items-on-bag', attributes: { weight: 1 }, items: [{ name: 'Shirt', cost: { total: { amount: 1, currency: 'EUR' } } }] },
      { refID: 'bad-parent', attributes: { weight: 1 }, parentId: 'bag:00000000-0000-4000-8000-000000000000' },
      { refID: 'no-weight', attributes: {} },
      { refID: 'ok-2', attributes: { weight: 0 } },
    ]);
    const { meta, errors, success } = final.body.data;
    expect(meta).toMatchObject({
      status: 'PARTIAL_SUCCESS',
      success: 2,
      failed: 7,
      pending: 0,
      cancelled: 0,
      total: 9,
      operation: 'create',
      source: 'json',
      createdBy: USER,
    });
    expect(success.map((s: { refID: string }) => s.refID)).toEqual(['ok-1', 'ok-2']);
    expect(errors.map((e: { refID: string; code: string }) => [e.refID, e.code])).toEqual([
      ['bad-attribute', 'ATTRIBUTE_INVALID'],
      ['bad-field', 'ITEM_INVALID'],
      ['dup-scannable', 'SCANNABLE_ID_TAKEN'],
      ['dup-tracking', 'TRACKING_ID_TAKEN'],
      ['items-on-bag', 'ITEMS_NOT_ALLOWED'],
      ['bad-parent', 'PARENT_INVALID'],
      ['no-weight', 'ATTRIBUTE_INVALID'],
    ]);
    expect(errors[0].reason).toBe("attribute 'weight' must be a number");
    expect(errors[1].reason).toBe('scannableId must be 1 to 128 characters');
    expect(os1Schema('ContainerBatchResponse')(final.body)).toBe(true);

    const read = await t.request(`${BASE}/bag/${success[0].id}`, { headers: await t.headers() });
    expect(read.status).toBe(200);
    expect(read.body.data).toEqual({
      id: success[0].id,
      containerType: 'bag',
      state: 'created:created',
      refID: 'ok-1',
      scannableId: 'SCAN-1',
      trackingDetails: [{ operator: 'DHL', trackingId: 'T-1', isPrimary: true }],
      attributes: { weight: 10, colour: 'grey' },
      items: [],
      parentId,
      isHazmat: false,
      isContainerizable: true,
      isReusable: false,
      createdAt: expect.any(Number),
      updatedAt: expect.any(Number),
      createdBy: USER,
      updatedBy: USER,
    });
    expect(success[1].id).toMatch(/^bag:[0-9a-f-]{36}$/);
  });

  it('ends SUCCESS when every item succeeds, with items on a leaf type', async () => {
    const final = await submitAndWait('POST', 'box', [
      {
        refID: 'b1',
        items: [
          {
            name: 'Shirt',
            code: 'SKU-1',
            cost: { unit: { amount: 2.5, currency: 'EUR' }, total: { amount: 5, currency: 'EUR' } },
            quantity: { value: 2, unit: 'nos' },
          },
        ],
      },
      { refID: 'b2', isHazmat: true, isReusable: true, isContainerizable: false },
    ]);
    expect(final.body.data.meta).toMatchObject({ status: 'SUCCESS', success: 2, failed: 0 });
    const second = await t.request(`${BASE}/box/${final.body.data.success[1].id}`, { headers: await t.headers() });
    expect(second.body.data).toMatchObject({ isHazmat: true, isReusable: true, isContainerizable: false, attributes: {} });
  });

  it('ends FAILED when no item succeeds', async () => {
    const final = await submitAndWait('POST', 'bag', [{ refID: 'f1' }, { refID: 'f2', attributes: { weight: -1 } }]);
    expect(final.body.data.meta).toMatchObject({ status: 'FAILED', success: 0, failed: 2 });
  });

  it('fails an item by its rule, on every store, when its reason quotes a NUL or half a surrogate pair', async () => {
    const final = await submitAndWait('POST', 'bag', [
      { refID: 'nul', attributes: { weight: 1, 'bad\u0000': 1 } },
      { refID: 'half', attributes: { weight: 1, [`${'a'.repeat(63)}\u{1F600}`]: 1, '\ud800x': 1 } },
    ]);
    expect(final.body.data.meta).toMatchObject({ status: 'FAILED', failed: 2 });
    expect(final.body.data.errors).toEqual([
      { refID: 'nul', code: 'ATTRIBUTE_INVALID', reason: "attribute 'bad\uFFFD' is not configured for this container type" },
      { refID: 'half', code: 'ATTRIBUTE_INVALID', reason: `attribute '${'a'.repeat(63)}' is not configured for this container type` },
    ]);
  });

  it('updates: merges attributes key by key; an unknown container fails alone with its containerId as refID', async () => {
    const created = await submitAndWait('POST', 'bag', [
      { refID: 'u1', attributes: { weight: 3, colour: 'red' }, trackingDetails: [{ operator: 'UPS', trackingId: 'U-1' }] },
    ]);
    const id = created.body.data.success[0].id;
    const final = await submitAndWait('PUT', 'bag', [
      { containerId: id, data: { attributes: { weight: 4 }, trackingDetails: [{ operator: 'UPS', trackingId: 'U-2' }] } },
      { containerId: 'bag:00000000-0000-4000-8000-00000000dead', data: {} },
    ]);
    expect(final.body.data.meta).toMatchObject({ status: 'PARTIAL_SUCCESS', operation: 'update', success: 1, failed: 1 });
    expect(final.body.data.success).toEqual([{ refID: id, id }]);
    expect(final.body.data.errors).toEqual([
      { refID: 'bag:00000000-0000-4000-8000-00000000dead', code: 'CONTAINER_NOT_FOUND', reason: expect.stringContaining('does not exist') },
    ]);
    const read = await t.request(`${BASE}/bag/${id}`, { headers: await t.headers() });
    expect(read.body.data).toMatchObject({
      attributes: { weight: 4, colour: 'red' },
      trackingDetails: [{ operator: 'UPS', trackingId: 'U-2', isPrimary: true }],
    });
    // The dropped tracking id is free again.
    const reuse = await submitAndWait('POST', 'bag', [{ refID: 'u2', attributes: { weight: 1 }, trackingDetails: [{ operator: 'UPS', trackingId: 'U-1' }] }]);
    expect(reuse.body.data.meta.status).toBe('SUCCESS');
  });

  it("hides another tenant's container and a container under another type", async () => {
    const created = await submitAndWait('POST', 'bag', [{ refID: 'h1', attributes: { weight: 1 } }]);
    const id = created.body.data.success[0].id;
    const foreign = await t.request(`${BASE}/bag/${id}`, { headers: await t.headers('globex') });
    expectEnvelopeError(foreign, 404, 'CONTAINER_NOT_FOUND');
    const otherType = await t.request(`${BASE}/box/${id}`, { headers: await t.headers() });
    expectEnvelopeError(otherType, 404, 'CONTAINER_NOT_FOUND');
  });

  it('keeps success + failed + pending + cancelled == total at every poll while a batch runs', async () => {
    const payload = Array.from({ length: 1024 }, (_, i) => ({ refID: `inv-${i}`, attributes: { weight: i % 7 === 0 ? 'x' : i % 100 } }));
    const submitted = await submit('POST', 'bag', { payload });
    expect(submitted.status).toBe(202);
    const seen = new Set<string>();
    let polls = 0;
    const final = await untilFinal('bag', submitted.body.data.id, (meta) => {
      polls++;
      seen.add(String(meta.status));
      expect(Number(meta.success) + Number(meta.failed) + Number(meta.pending) + Number(meta.cancelled)).toBe(meta.total);
    });
    expect(final.body.data.meta).toMatchObject({ status: 'PARTIAL_SUCCESS', total: 1024, failed: 147, success: 877 });
    expect(polls).toBeGreaterThan(1);
    expect(seen.has('IN_PROGRESS') || seen.has('QUEUED')).toBe(true);
  });

  it('pages through every result exactly once, in input order, also while the batch runs', async () => {
    const payload = Array.from({ length: 1024 }, (_, i) => ({ refID: `pg-${i}`, attributes: { weight: i % 5 === 0 ? 'x' : 1 } }));
    const submitted = await submit('POST', 'bag', { payload });
    const batchId = submitted.body.data.id;
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      // A client polls with the cursor it was given; while the batch runs there always is one.
      const response: TestResponse = await t.request(`${BASE}/bag/batch/results?batchId=${batchId}&limit=100${cursor ? `&cursor=${cursor}` : ''}`, {
        headers: await t.headers(),
      });
      expect(response.status).toBe(200);
      pages++;
      seen.push(...response.body.data.items.map((i: { refID: string }) => i.refID));
      cursor = response.body.data.nextCursor;
      if (response.body.data.items.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    } while (cursor);
    expect(pages).toBeGreaterThan(10);
    expect(seen).toEqual(payload.map((p) => p.refID));

    const failed = await t.request(`${BASE}/bag/batch/results?batchId=${batchId}&outcome=failed&limit=5000`, { headers: await t.headers() });
    expect(failed.body.data.items).toHaveLength(205);
    expect(failed.body.data.items[0]).toEqual({ refID: 'pg-0', outcome: 'failed', reason: "attribute 'weight' must be a number", code: 'ATTRIBUTE_INVALID' });
    const success = await t.request(`${BASE}/bag/batch/results?batchId=${batchId}&outcome=success&limit=1`, { headers: await t.headers() });
    expect(success.body.data.items).toEqual([{ refID: 'pg-1', outcome: 'success', id: expect.stringMatching(/^bag:/) }]);
    const bad = await t.request(`${BASE}/bag/batch/results?batchId=${batchId}&cursor=nope!`, { headers: await t.headers() });
    expectEnvelopeError(bad, 400, 'VALIDATION_FAILED');
    const foreign = await t.request(`${BASE}/bag/batch/results?batchId=${batchId}`, { headers: await t.headers('globex') });
    expectEnvelopeError(foreign, 404, 'BATCH_NOT_FOUND');
  });

  describe('whole-request rules: the error, and nothing stored', () => {
    const cases: Array<[string, string, 'POST' | 'PUT', unknown, number, string, string | null]> = [
      ['no items', 'bag', 'POST', { payload: [] }, 400, 'VALIDATION_FAILED', 'payload'],
      ['1025 items', 'bag', 'POST', { payload: Array.from({ length: 1025 }, (_, i) => ({ refID: `r${i}` })) }, 400, 'VALIDATION_FAILED', 'payload'],
      [
        'a refID equal to the position name of an item without one',
        'bag',
        'POST',
        { payload: [{ refID: '2' }, { attributes: {} }] },
        400,
        'VALIDATION_FAILED',
        'payload[0].refID',
      ],
      ['a refID that is not a string', 'bag', 'POST', { payload: [{ refID: 7 }] }, 400, 'VALIDATION_FAILED', 'payload[0].refID'],
      ['a refID of 129 characters', 'bag', 'POST', { payload: [{ refID: 'x'.repeat(129) }] }, 400, 'VALIDATION_FAILED', 'payload[0].refID'],
      ['a duplicate refID', 'bag', 'POST', { payload: [{ refID: 'a' }, { refID: 'a' }] }, 400, 'VALIDATION_FAILED', 'payload[1].refID'],
      ['a missing containerId', 'bag', 'PUT', { payload: [{ data: {} }] }, 400, 'VALIDATION_FAILED', 'payload[0].containerId'],
      [
        'a duplicate containerId',
        'bag',
        'PUT',
        {
          payload: [
            { containerId: 'bag:1', data: {} },
            { containerId: 'bag:1', data: {} },
          ],
        },
        400,
        'VALIDATION_FAILED',
        'payload[1].containerId',
      ],
      ['a payload that is no array', 'bag', 'POST', { payload: { refID: 'a' } }, 400, 'VALIDATION_FAILED', 'payload'],
      ['no payload at all', 'bag', 'POST', {}, 400, 'VALIDATION_FAILED', 'payload'],
      ['a body that is an array', 'bag', 'POST', [{ refID: 'a' }], 400, 'VALIDATION_FAILED', null],
      [
        'a callback URL that is not absolute',
        'bag',
        'POST',
        { payload: [{ refID: 'a' }], callback: { url: '/hook' } },
        400,
        'VALIDATION_FAILED',
        'callback.url',
      ],
      [
        'a callback URL that is not http(s)',
        'bag',
        'POST',
        { payload: [{ refID: 'a' }], callback: { url: 'ftp://example.com/x' } },
        400,
        'VALIDATION_FAILED',
        'callback.url',
      ],
      [
        'a callback URL holding a NUL, which no store could keep as given',
        'bag',
        'POST',
        { payload: [{ refID: 'a' }], callback: { url: 'https://example.com/a\u0000b' } },
        400,
        'VALIDATION_FAILED',
        'callback.url',
      ],
      ['an unknown container type', 'crate', 'POST', { payload: [{ refID: 'a' }] }, 404, 'CONTAINER_TYPE_NOT_FOUND', null],
      ['a bad container type name', 'cr4te', 'POST', { payload: [{ refID: 'a' }] }, 400, 'VALIDATION_FAILED', 'containerType'],
    ];
    it.each(cases)('%s', async (_what, type, method, body, httpStatus, code, path) => {
      const before = await countBatches();
      const response = await submit(method, type, body);
      expect([response.status, response.body.error.code]).toEqual([httpStatus, code]);
      if (path) expect(response.body.error.additionalInfo.violations.map((v: { path: string }) => v.path)).toContain(path);
      expect(os1Schema('ErrorResponse')(response.body)).toBe(true);
      expect(await countBatches()).toBe(before);
    });

    it('lists every violation of the request at once', async () => {
      const response = await submit('POST', 'bag', { payload: [{ refID: 'a' }, { refID: '' }, { refID: 'a' }, 'x'] });
      expect(response.body.error.additionalInfo.violations.map((v: { path: string }) => v.path)).toEqual([
        'payload[1].refID',
        'payload[2].refID',
        'payload[3]',
      ]);
    });

    it.each([
      ['malformed JSON', '{"payload": [', 'application/json', 400, 'VALIDATION_FAILED'],
      ['a wrong content type', 'payload=1', 'application/x-www-form-urlencoded', 415, 'UNSUPPORTED_MEDIA_TYPE'],
      ['an empty body', '', 'application/json', 400, 'VALIDATION_FAILED'],
    ])('%s', async (_what, rawBody, contentType, httpStatus, code) => {
      const before = await countBatches();
      const response = await t.request(`${BASE}/bag/batch`, { method: 'POST', headers: await t.headers(), rawBody, contentType });
      expect([response.status, response.body.error.code]).toEqual([httpStatus, code]);
      expect(await countBatches()).toBe(before);
    });

    it('answers a multipart form on a JSON route with 415, as any body that is not JSON', async () => {
      const before = await countBatches();
      for (const method of ['POST', 'PUT']) {
        const form = new FormData();
        form.append('payload', '[{"refID":"mp"}]');
        const response = await t.request(`${BASE}/bag/batch`, { method, headers: await t.headers(), form });
        expectEnvelopeError(response, 415, 'UNSUPPORTED_MEDIA_TYPE');
        expect(response.body.error.description).toBe('Send the body as application/json.');
      }
      expect(await countBatches()).toBe(before);
    });

    it('checks the token before reading the body', async () => {
      const response = await t.request(`${BASE}/bag/batch`, {
        method: 'POST',
        headers: { ...(await t.headers()), 'X-COREOS-ACCESS': 'nope' },
        rawBody: '{"payload": [',
      });
      expectEnvelopeError(response, 401, 'UNAUTHORIZED');
    });
  });
});
