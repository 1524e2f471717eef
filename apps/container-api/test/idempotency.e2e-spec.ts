// Idempotent submits end to end (§7): opt-in with Idempotency-Key, per tenant; a repeat of the
// same request answers the original 202, another request under the key is 422. X-COREOS-REQUEST-ID
// plays no part: each call sends a fresh one here, unless a test says otherwise.
import { expectEnvelopeError } from './support/answers';
import { BASE, TestApp, csvForm, startTestApp } from './support/test-app';

describe('idempotent submits over HTTP', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
    for (const tenant of ['acme', 'globex']) {
      const defined = await t.request(`${BASE}/container-types`, {
        method: 'POST',
        headers: await t.headers(tenant),
        body: { name: 'bag', attributes: [{ name: 'weight', dataType: 'number' }] },
      });
      expect(defined.status).toBe(202);
    }
  });
  afterAll(async () => {
    await t.close();
  });

  const batches = async () => Number((await t.database.read((m) => m.query('SELECT COUNT(*) AS n FROM batches')))[0].n);
  const submit = async (key: string, body: unknown, options: { tenant?: string; method?: string; secret?: string; type?: string; requestId?: string } = {}) =>
    t.request(`${BASE}/${options.type ?? 'bag'}/batch`, {
      method: options.method ?? 'POST',
      headers: await t.headers(options.tenant ?? 'acme', {
        'Idempotency-Key': key,
        ...(options.requestId ? { 'X-COREOS-REQUEST-ID': options.requestId } : {}),
        ...(options.secret ? { 'X-COREOS-CALLBACK-SECRET': options.secret } : {}),
      }),
      body,
    });

  it('answers a repeated submit with the original 202 and batch id, creating nothing, whatever the key order', async () => {
    const body = { payload: [{ refID: 'i-1', attributes: { weight: 1 } }], callback: { url: 'https://example.com/hook', meta: { a: 1, b: 2 } } };
    const first = await submit('idem-1', body, { requestId: 'call-1' });
    expect(first.status).toBe(202);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const count = await batches();
    const again = await submit(
      'idem-1',
      { callback: { meta: { b: 2, a: 1 }, url: 'https://example.com/hook' }, payload: [{ attributes: { weight: 1 }, refID: 'i-1' }] },
      { requestId: 'call-2' },
    );
    expect(again.status).toBe(202);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body.data.id).toBe(first.body.data.id);
    expect(again.headers.get('location')).toBe(first.headers.get('location'));
    expect(again.headers.get('x-coreos-request-id')).toBe('call-2');
    expect(await batches()).toBe(count);
  });

  it.each([
    ['another body', { payload: [{ refID: 'i-2', attributes: { weight: 2 } }] }, {}],
    ['another callback', { payload: [{ refID: 'i-2', attributes: { weight: 1 } }], callback: { url: 'https://example.com/other' } }, {}],
    ['another method', { payload: [{ containerId: 'bag:x', data: {} }] }, { method: 'PUT' }],
    ['another callback secret', { payload: [{ refID: 'i-2', attributes: { weight: 1 } }] }, { secret: 'other-secret' }],
  ])('refuses the same key with %s: 422 IDEMPOTENCY_KEY_REUSED, nothing stored', async (_name, body, options) => {
    const first = await submit('idem-2', { payload: [{ refID: 'i-2', attributes: { weight: 1 } }] }, { secret: 'the-secret' });
    expect(first.status).toBe(202);
    const count = await batches();
    const reused = await submit('idem-2', body, options);
    expectEnvelopeError(reused, 422, 'IDEMPOTENCY_KEY_REUSED');
    expect(await batches()).toBe(count);
  });

  it('lets another tenant use the same key for its own batch', async () => {
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

  it('replays an upload of the same file, and refuses another file under the same key', async () => {
    const upload = async (csv: string, key: string) =>
      t.request(`${BASE}/bag/batch/upload`, {
        method: 'POST',
        headers: await t.headers('acme', { 'Idempotency-Key': key }),
        form: csvForm(csv, { callback: '{"url":"https://example.com/u"}' }),
      });
    const first = await upload('refID,attributes.weight\nu-1,1\nu-2,2\n', 'idem-5');
    expect(first.status).toBe(202);
    const count = await batches();
    const items = Number((await t.database.read((m) => m.query('SELECT COUNT(*) AS n FROM batch_items')))[0].n);
    const again = await upload('refID,attributes.weight\nu-1,1\nu-2,2\n', 'idem-5');
    expect([again.status, again.body.data.id, again.headers.get('idempotent-replayed')]).toEqual([202, first.body.data.id, 'true']);
    expect(await batches()).toBe(count);
    expect(Number((await t.database.read((m) => m.query('SELECT COUNT(*) AS n FROM batch_items')))[0].n)).toBe(items);
    const other = await upload('refID,attributes.weight\nu-1,1\nu-2,3\n', 'idem-5');
    expectEnvelopeError(other, 422, 'IDEMPOTENCY_KEY_REUSED');
    expect(await batches()).toBe(count);
    const malformed = await upload('refID,attributes.weight\nu-1,1\n', 'k'.repeat(256));
    expect([malformed.status, malformed.body.error.code, malformed.body.error.additionalInfo.header]).toEqual([400, 'INVALID_HEADER', 'Idempotency-Key']);
    expect(await batches()).toBe(count);
  });

  it('takes the key bare or as a quoted structured-field string, the same key either way', async () => {
    const body = { payload: [{ refID: 'i-7' }] };
    const bare = await submit('idem-7', body);
    const quoted = await submit('"idem-7"', body);
    expect([bare.status, quoted.status, quoted.headers.get('idempotent-replayed')]).toEqual([202, 202, 'true']);
    expect(quoted.body.data.id).toBe(bare.body.data.id);
  });

  it('takes any printable ASCII key of 1 to 255 characters, and refuses others with 400 INVALID_HEADER', async () => {
    const long = 'k'.repeat(255);
    const first = await submit(long, { payload: [{ refID: 'i-8' }] });
    const again = await submit(long, { payload: [{ refID: 'i-8' }] });
    expect([first.status, again.headers.get('idempotent-replayed')]).toEqual([202, 'true']);
    expect((await submit('with space ~!', { payload: [{ refID: 'i-8' }] })).status).toBe(202);
    const count = await batches();
    for (const key of ['k'.repeat(256), '', '""', 'caf\u00e9']) {
      const refused = await submit(key, { payload: [{ refID: 'i-9' }] });
      expect([refused.status, refused.body.error.code, refused.body.error.additionalInfo.header]).toEqual([400, 'INVALID_HEADER', 'Idempotency-Key']);
    }
    expect(await batches()).toBe(count);
  });

  it('without a key, makes a new batch of every submit, whatever its request id', async () => {
    const count = await batches();
    const plain = async () =>
      t.request(`${BASE}/bag/batch`, {
        method: 'POST',
        headers: await t.headers('acme', { 'X-COREOS-REQUEST-ID': 'reused' }),
        body: { payload: [{ refID: 'i-10' }] },
      });
    const [first, again] = [await plain(), await plain()];
    expect([first.status, again.status, again.headers.get('idempotent-replayed')]).toEqual([202, 202, null]);
    expect(again.body.data.id).not.toBe(first.body.data.id);
    expect(await batches()).toBe(count + 2);
  });

  it('refuses a malformed callback secret as a header error', async () => {
    const response = await submit('idem-6', { payload: [{ refID: 'i-6' }] }, { secret: 'has space' });
    expect([response.status, response.body.error.code, response.body.error.additionalInfo.header]).toEqual([400, 'INVALID_HEADER', 'X-COREOS-CALLBACK-SECRET']);
  });
});
