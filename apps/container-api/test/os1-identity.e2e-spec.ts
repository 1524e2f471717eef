// Clients of the original OS1 service as they are (contract §1, §7, §11): X-COREOS-USERINFO in
// whatever form they send it, never refused for its form, and who acted always an ActionBy object;
// X-COREOS-REQUEST-ID reused across calls, each call handled on its own.
import { documentedHeaders } from './support/openapi';
import { os1Schema } from './support/os1-schemas';
import { rawRequest } from './support/raw-http';
import { BASE, TestApp, startTestApp } from './support/test-app';

/** The fixed request id an OS1 reference app sends on every call of its start-up sequence. */
const REFERENCE_REQUEST_ID = '7f4c2a9e-reference-app';

describe('OS1 clients: who acted, and request ids reused', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
    const defined = await t.request(`${BASE}/container-types`, {
      method: 'POST',
      headers: await t.headers(),
      body: { name: 'bag', attributes: [{ name: 'weight', dataType: 'number' }] },
    });
    expect(defined.status).toBe(202);
  });
  afterAll(async () => {
    await t.close();
  });

  /** OS1 headers with a token whose subject is `svc-1` (or none), the given request id and user info. */
  const os1Headers = async (options: { requestId?: string; userInfo?: string; subject?: string | null } = {}) => {
    const subject = options.subject === undefined ? 'svc-1' : options.subject;
    return {
      'X-COREOS-REQUEST-ID': options.requestId ?? REFERENCE_REQUEST_ID,
      'X-COREOS-TID': 'acme',
      'X-COREOS-ACCESS': await t.token('acme', subject === null ? {} : { sub: subject }),
      ...(options.userInfo !== undefined ? { 'X-COREOS-USERINFO': options.userInfo } : {}),
    };
  };
  const body = (refID: string) => ({ payload: [{ refID, attributes: { weight: 1 } }] });
  const submit = async (headers: Record<string, string>, refID = 'i-1') => t.request(`${BASE}/bag/batch`, { method: 'POST', headers, body: body(refID) });
  const metaOf = async (batchId: string) => {
    const status = await t.request(`${BASE}/bag/batch/status?batchId=${batchId}`, { headers: await t.headers() });
    expect(status.status).toBe(200);
    const validate = os1Schema('ContainerBatchResponse');
    expect([validate(status.body), validate.errors ?? []]).toEqual([true, []]);
    return status.body.data.meta;
  };
  const batches = async () => Number((await t.database.read((m) => m.query('SELECT COUNT(*) AS n FROM batches')))[0].n);

  describe('X-COREOS-USERINFO', () => {
    it.each([
      ['our JSON', '{"id":"u-1","name":"Ada"}', { id: 'u-1', name: 'Ada' }],
      ['a numeric id', '{"id":1}', { id: '1' }],
      ['an app id and a name', '{"name":"Ada","appID":"app-7"}', { id: 'app-7', name: 'Ada', appID: 'app-7' }],
      ["the reference app's Go value", 'api.Userinfo{ID:"", Name:"Ada", AppID:"app-7"}', { id: 'app-7', name: 'Ada', appID: 'app-7' }],
      ['a Go value without its package, fields in another order', 'Userinfo{Name:"Ada \\"A\\" L", ID:"u-2"}', { id: 'u-2', name: 'Ada "A" L' }],
      ['a bare number (the token subject acts)', '1234', { id: 'svc-1' }],
      ['cut-off JSON (the token subject acts)', '{"id":', { id: 'svc-1' }],
      ['garbage (the token subject acts)', 'x{"}]\\`@', { id: 'svc-1' }],
    ])('accepts %s and records it as meta.createdBy', async (_form, userInfo, createdBy) => {
      const submitted = await submit(await os1Headers({ userInfo }));
      expect(submitted.status).toBe(202);
      expect((await metaOf(submitted.body.data.id)).createdBy).toEqual(createdBy);
    });

    it('records the tenant when neither the header nor the token names anyone', async () => {
      const submitted = await submit(await os1Headers({ subject: null }));
      expect(submitted.status).toBe(202);
      expect((await metaOf(submitted.body.data.id)).createdBy).toEqual({ id: 'acme' });
    });

    it('reads a UTF-8 name sent as raw header bytes', async () => {
      const userInfo = Buffer.from('{"id":"u-3","name":"Zoë"}', 'utf8').toString('latin1');
      const payload = Buffer.from(JSON.stringify(body('i-1')));
      const headers = Object.entries({ ...(await os1Headers()), 'X-COREOS-USERINFO': userInfo, 'Content-Type': 'application/json' });
      const answer = await rawRequest(Number(new URL(t.url).port), { method: 'POST', target: `${BASE}/bag/batch`, headers, body: payload, timeoutMs: 10_000 });
      expect(answer.status).toBe(202);
      expect((await metaOf(JSON.parse(answer.text).data.id)).createdBy).toEqual({ id: 'u-3', name: 'Zoë' });
    });

    it('takes a value of exactly 8 KiB, and refuses a longer one with 400 INVALID_HEADER before anything is stored', async () => {
      expect((await submit(await os1Headers({ userInfo: 'u'.repeat(8192) }))).status).toBe(202);
      const count = await batches();
      const refused = await submit(await os1Headers({ userInfo: 'u'.repeat(8193) }));
      expect([refused.status, refused.body.error.code, refused.body.error.additionalInfo.header]).toEqual([400, 'INVALID_HEADER', 'X-COREOS-USERINFO']);
      expect(refused.headers.get('x-coreos-request-id')).toBe(REFERENCE_REQUEST_ID);
      expect(await batches()).toBe(count);
    });

    it('shows the actor on a container type made with a Go value', async () => {
      const headers = await os1Headers({ userInfo: 'api.Userinfo{ID:"", Name:"Ada", AppID:"app-7"}' });
      expect((await t.request(`${BASE}/container-types`, { method: 'POST', headers, body: { name: 'crate' } })).status).toBe(202);
      const read = await t.request(`${BASE}/container-types/crate`, { headers: await t.headers() });
      expect(read.body.data.createdBy).toEqual({ id: 'app-7', name: 'Ada', appID: 'app-7' });
    });
  });

  describe('X-COREOS-REQUEST-ID is a correlation id only', () => {
    it('answers two different submits under one request id with 202 and two batches', async () => {
      const count = await batches();
      const first = await submit(await os1Headers(), 'r-1');
      const second = await submit(await os1Headers(), 'r-2');
      expect([first.status, second.status]).toEqual([202, 202]);
      expect(second.body.data.id).not.toBe(first.body.data.id);
      expect(second.headers.get('idempotent-replayed')).toBeNull();
      expect(second.headers.get('x-coreos-request-id')).toBe(REFERENCE_REQUEST_ID);
      expect(await batches()).toBe(count + 2);
    });

    it('makes a new batch of an identical submit under the same request id', async () => {
      const count = await batches();
      const first = await submit(await os1Headers({ requestId: 'same-call' }));
      const again = await submit(await os1Headers({ requestId: 'same-call' }));
      expect([first.status, again.status]).toEqual([202, 202]);
      expect(again.body.data.id).not.toBe(first.body.data.id);
      expect(again.headers.get('idempotent-replayed')).toBeNull();
      expect(await batches()).toBe(count + 2);
    });

    it('documents Idempotency-Key, the opt-in for idempotency, on the submit routes', async () => {
      const document = (await t.request('/docs-json')).body;
      const paths = document.paths;
      for (const [path, method] of [
        [`${BASE}/{containerType}/batch`, 'post'],
        [`${BASE}/{containerType}/batch`, 'put'],
        [`${BASE}/{containerType}/batch/upload`, 'post'],
        [`${BASE}/{containerType}/batch/upload`, 'put'],
      ] as const) {
        const headers = documentedHeaders(document, paths[path][method]);
        expect(headers).toEqual(expect.arrayContaining(['X-COREOS-REQUEST-ID', 'Idempotency-Key', 'X-COREOS-CALLBACK-SECRET']));
      }
    });

    it('does the same for uploads', async () => {
      const upload = async () => {
        const form = new FormData();
        form.append('file', new Blob(['refID,attributes.weight\nu-1,1\n'], { type: 'text/csv' }), 'bags.csv');
        return t.request(`${BASE}/bag/batch/upload`, { method: 'POST', headers: await os1Headers(), form });
      };
      const first = await upload();
      const again = await upload();
      expect([first.status, again.status]).toEqual([202, 202]);
      expect(again.body.data.id).not.toBe(first.body.data.id);
    });
  });
});
