// Idempotent submits end to end (§7): the tenant's X-COREOS-REQUEST-ID is the key; a repeat of
// the same request answers the original 202, another request under the key is 422.
import { BASE, TestApp, csvForm, startTestApp } from './support/test-app';

describe('idempotent submits over HTTP', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
    for (const tenant of ['acme', 'globex']) {
      const defined = await t.request(`${BASE}/container-types`, { method: 'POST', headers: await t.headers(tenant), body: { name: 'bag', attributes: [{ name: 'weight', dataType: 'number' }] } });
      expect(defined.status).toBe(202);
    }
  });
  afterAll(async () => {
    await t.close();
  });

  const batches = async () => Number((await t.database.reader.query('SELECT COUNT(*) AS n FROM batches'))[0].n);
  const submit = async (requestId: string, body: unknown, options: { tenant?: string; method?: string; secret?: string; type?: string } = {}) =>
    t.request(`${BASE}/${options.type ?? 'bag'}/batch`, {
      method: options.method ?? 'POST',
      headers: await t.headers(options.tenant ?? 'acme', { 'X-COREOS-REQUEST-ID': requestId, ...(options.secret ? { 'X-COREOS-CALLBACK-SECRET': options.secret } : {}) }),
      body,
    });

  it('answers a repeated submit with the original 202 and batch id, creating nothing, whatever the key order', async () => {
    const body = { payload: [{ refID: 'i-1', attributes: { weight: 1 } }], callback: { url: 'https://example.com/hook', meta: { a: 1, b: 2 } } };
    const first = await submit('idem-1', body);
    expect(first.status).toBe(202);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const count = await batches();
    const again = await submit('idem-1', { callback: { meta: { b: 2, a: 1 }, url: 'https://example.com/hook' }, payload: [{ attributes: { weight: 1 }, refID: 'i-1' }] });
    expect(again.status).toBe(202);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body.data.id).toBe(first.body.data.id);
    expect(again.headers.get('location')).toBe(first.headers.get('location'));
    expect(again.headers.get('x-coreos-request-id')).toBe('idem-1');
    expect(await batches()).toBe(count);
  });

  it.each([
    ['another body', { payload: [{ refID: 'i-2', attributes: { weight: 2 } }] }, {}],
    ['another callback', { payload: [{ refID: 'i-2', attributes: { weight: 1 } }], callback: { url: 'https://example.com/other' } }, {}],
    ['another method', { payload: [{ containerId: 'bag:x', data: {} }] }, { method: 'PUT' }],
    ['another callback secret', { payload: [{ refID: 'i-2', attributes: { weight: 1 } }] }, { secret: 'other-secret' }],
  ])('refuses the same request id with %s: 422 IDEMPOTENCY_KEY_REUSED, nothing stored', async (_name, body, options) => {
    const first = await submit('idem-2', { payload: [{ refID: 'i-2', attributes: { weight: 1 } }] }, { secret: 'the-secret' });
    expect(first.status).toBe(202);
    const count = await batches();
    const reused = await submit('idem-2', body, options);
    expect([reused.status, reused.body.error.code]).toEqual([422, 'IDEMPOTENCY_KEY_REUSED']);
    expect(await batches()).toBe(count);
  });

  it("lets another tenant use the same request id for its own batch", async () => {
    const body = { payload: [{ refID: 'i-3', attributes: { weight: 1 } }] };
    const mine = await submit('idem-3', body);
    const theirs = await submit('idem-3', body, { tenant: 'globex' });
    expect([mine.status, theirs.status]).toEqual([202, 202]);
    expect(theirs.headers.get('idempotent-replayed')).toBeNull();
    expect(theirs.body.data.id).not.toBe(mine.body.data.id);
  });

  it('stores one batch for identical submits racing each other', async () => {
    const count = await batches();
    const body = { payload: Array.from({ length: 500 }, (_, i) => ({ refID: `race-${i}`, attributes: { weight: i } })) };
    const answers = await Promise.all(Array.from({ length: 5 }, () => submit('idem-race', body)));
    expect(answers.map((a) => a.status)).toEqual([202, 202, 202, 202, 202]);
    expect(new Set(answers.map((a) => a.body.data.id)).size).toBe(1);
    expect(answers.filter((a) => a.headers.get('idempotent-replayed') === 'true')).toHaveLength(4);
    expect(await batches()).toBe(count + 1);
  });

  it('does not spend a key on a request that was refused', async () => {
    const refused = await submit('idem-4', { payload: [] });
    expect(refused.status).toBe(400);
    const accepted = await submit('idem-4', { payload: [{ refID: 'i-4' }] });
    expect(accepted.status).toBe(202);
    expect(accepted.headers.get('idempotent-replayed')).toBeNull();
  });

  it('replays an upload of the same file, and refuses another file under the same id', async () => {
    const upload = async (csv: string, requestId: string) =>
      t.request(`${BASE}/bag/batch/upload`, { method: 'POST', headers: await t.headers('acme', { 'X-COREOS-REQUEST-ID': requestId }), form: csvForm(csv, { callback: '{"url":"https://example.com/u"}' }) });
    const first = await upload('refID,attributes.weight\nu-1,1\nu-2,2\n', 'idem-5');
    expect(first.status).toBe(202);
    const count = await batches();
    const items = Number((await t.database.reader.query('SELECT COUNT(*) AS n FROM batch_items'))[0].n);
    const again = await upload('refID,attributes.weight\nu-1,1\nu-2,2\n', 'idem-5');
    expect([again.status, again.body.data.id, again.headers.get('idempotent-replayed')]).toEqual([202, first.body.data.id, 'true']);
    expect(await batches()).toBe(count);
    expect(Number((await t.database.reader.query('SELECT COUNT(*) AS n FROM batch_items'))[0].n)).toBe(items);
    const other = await upload('refID,attributes.weight\nu-1,1\nu-2,3\n', 'idem-5');
    expect([other.status, other.body.error.code]).toEqual([422, 'IDEMPOTENCY_KEY_REUSED']);
    expect(await batches()).toBe(count);
  });

  it('refuses a malformed callback secret as a header error', async () => {
    const response = await submit('idem-6', { payload: [{ refID: 'i-6' }] }, { secret: 'has space' });
    expect([response.status, response.body.error.code, response.body.error.additionalInfo.header]).toEqual([400, 'INVALID_HEADER', 'X-COREOS-CALLBACK-SECRET']);
  });
});
