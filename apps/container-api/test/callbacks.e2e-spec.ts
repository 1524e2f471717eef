// Callbacks end to end (§5): a real receiver on loopback; body, headers and signature checked the
// way a receiver would; retries with backoff until accepted or the attempts run out; slow
// receivers never hold up processing; the callback secret never shows in answers or logs.
import { createHmac } from 'node:crypto';
import { expectEnvelopeError } from './support/answers';
import { eventually } from './support/eventually';
import { TERMINAL } from './support/final-status';
import { os1Schema } from './support/os1-schemas';
import { Receiver, startReceiver } from './support/receiver';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SignJWT } from 'jose';
import { kill, start, stop } from './support/service-process';
import { BASE, TEST_SECRET, TestApp, TestResponse, csvForm, startTestApp } from './support/test-app';

const SECRET = 'cb-secret-Zq8Lr3Wn5';

describe('callbacks over HTTP', () => {
  let t: TestApp;
  let receiver: Receiver;
  const responses: TestResponse[] = [];

  beforeAll(async () => {
    receiver = await startReceiver();
    t = await startTestApp({
      WORKER_ENABLED: 'true',
      WORKER_CHUNK_SIZE: '50',
      CALLBACK_BACKOFF_BASE_MS: '100',
      CALLBACK_MAX_ATTEMPTS: '3',
      CALLBACK_TIMEOUT_MS: '5000',
    });
    const defined = await t.request(`${BASE}/container-types`, {
      method: 'POST',
      headers: await t.headers(),
      body: { name: 'bag', attributes: [{ name: 'weight', dataType: 'number', required: true }] },
    });
    expect(defined.status).toBe(202);
  });
  afterAll(async () => {
    await t.close();
    await receiver.close();
  });

  const call = async (path: string, options: Parameters<TestApp['request']>[1] = {}) => {
    const response = await t.request(path, options);
    responses.push(response);
    return response;
  };
  const status = async (batchId: string) => (await call(`${BASE}/bag/batch/status?batchId=${batchId}`, { headers: await t.headers() })).body.data;
  // Was 1500 polls 20 ms apart, at least 30 s.
  const until = async (batchId: string, done: (data: { meta: { status: string; callback: { state: string } } }) => boolean) =>
    eventually(() => status(batchId), { timeoutMs: 45_000, intervalMs: 20, what: `batch ${batchId} to reach the awaited state`, until: (data) => done(data) });
  const submit = async (payload: unknown[], callback: unknown, headers: Record<string, string> = {}) => {
    const response = await call(`${BASE}/bag/batch`, { method: 'POST', headers: await t.headers('acme', headers), body: { payload, callback } });
    expect(response.status).toBe(202);
    return response;
  };
  const deliveriesFor = (batchId: string) => receiver.received.filter((r) => r.body.includes(batchId));

  it('retries a failing receiver with backoff and delivers exactly once, signed, with the documented body and headers', async () => {
    receiver.plan(500, 503, 200);
    const submitted = await submit(
      [
        { refID: 'a', attributes: { weight: 1 } },
        { refID: 'b', attributes: { weight: 'x' } },
      ],
      { url: `${receiver.url}?src=test`, meta: { job: 'nightly', n: 3 } },
      { 'X-COREOS-CALLBACK-SECRET': SECRET, 'X-COREOS-REQUEST-ID': 'cb-submit-1' },
    );
    const batchId = submitted.body.data.id;
    const final = await until(batchId, (d) => d.meta.callback.state !== 'PENDING');
    expect(final.meta.callback).toEqual({ state: 'DELIVERED', attempts: 3 });

    const tries = deliveriesFor(batchId);
    expect(tries.map((r) => r.answered)).toEqual([500, 503, 200]);
    // Backoff: about 100 ms, then about 200 ms (±20 %).
    expect(tries[1]!.at - tries[0]!.at).toBeGreaterThanOrEqual(75);
    expect(tries[2]!.at - tries[1]!.at).toBeGreaterThanOrEqual(155);

    const accepted = tries[2]!;
    expect(accepted.headers['content-type']).toBe('application/json');
    expect(accepted.headers['x-coreos-request-id']).toBe('cb-submit-1');
    expect(accepted.headers['x-coreos-tid']).toBe('acme');
    const timestamp = accepted.headers['x-coreos-timestamp'] as string;
    expect(timestamp).toMatch(/^\d{13}$/);
    const expected = `sha256=${createHmac('sha256', SECRET).update(`${timestamp}.${accepted.body}`).digest('hex')}`;
    expect(accepted.headers['x-coreos-hmac-signature']).toBe(expected);

    const body = JSON.parse(accepted.body);
    expect(body).toMatchObject({
      tenantId: 'acme',
      containerType: 'bag',
      batchId,
      status: 'failed',
      reason: '1 of 2 items failed',
      meta: { job: 'nightly', n: 3 },
    });
    expect(os1Schema('ContainerBatchResponse')({ data: body.data, request: { uri: '/', method: 'GET', queryString: '', body: {} } })).toBe(true);
    expect(body.data.meta).toMatchObject({ batchId, status: 'PARTIAL_SUCCESS', success: 1, failed: 1 });
    // The status route's BatchResponse (§5), progress included: the same meta as the route answers.
    const status = await t.request(`${BASE}/bag/batch/status?batchId=${batchId}`, { headers: await t.headers() });
    expect(body.data.meta).toEqual({ ...status.body.data.meta, callback: body.data.meta.callback });
    expect(body.data.meta.progress).toEqual({ percent: 100, itemsPerSecond: expect.any(Number), etaMs: 0 });
    expect(body.data.errors).toEqual([{ refID: 'b', reason: "attribute 'weight' must be a number", code: 'ATTRIBUTE_INVALID' }]);
  });

  it('announces success without a signature when no secret was given', async () => {
    const submitted = await submit([{ refID: 'ok', attributes: { weight: 1 } }], { url: receiver.url });
    const batchId = submitted.body.data.id;
    await until(batchId, (d) => d.meta.callback.state === 'DELIVERED');
    const [delivery] = deliveriesFor(batchId);
    expect(delivery!.headers['x-coreos-hmac-signature']).toBeUndefined();
    expect(delivery!.headers['x-coreos-timestamp']).toMatch(/^\d{13}$/);
    expect(JSON.parse(delivery!.body)).toMatchObject({ status: 'success', reason: 'all 1 items succeeded', meta: null });
  });

  it('ends FAILED after the configured attempts when the receiver never accepts', async () => {
    receiver.plan(500, 500, 500, 500);
    const submitted = await submit([{ refID: 'x', attributes: { weight: 1 } }], { url: receiver.url });
    const batchId = submitted.body.data.id;
    const final = await until(batchId, (d) => d.meta.callback.state !== 'PENDING');
    expect(final.meta.callback).toEqual({ state: 'FAILED', attempts: 3 });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(deliveriesFor(batchId)).toHaveLength(3);
    receiver.plan();
  });

  it('fires with the final status when a batch is cancelled, and for a file batch with a callback field', async () => {
    const submitted = await submit(
      Array.from({ length: 1024 }, (_, i) => ({ refID: `c-${i}`, attributes: { weight: 1 } })),
      { url: receiver.url, meta: { kind: 'cancel' } },
    );
    const batchId = submitted.body.data.id;
    // Hold the writer: the worker gets at most one chunk in before the cancel.
    let release: () => void = () => undefined;
    const held = t.database.write(() => new Promise<void>((resolve) => (release = resolve)));
    const cancelling = call(`${BASE}/bag/batch/cancel?batchId=${batchId}`, { method: 'POST', headers: await t.headers() });
    await new Promise((resolve) => setTimeout(resolve, 20));
    release();
    await held;
    expect((await cancelling).status).toBe(200);
    const final = await until(batchId, (d) => d.meta.callback.state === 'DELIVERED');
    expect(final.meta.status).toBe('CANCELLED');
    const body = JSON.parse(deliveriesFor(batchId)[0]!.body);
    expect(body).toMatchObject({ status: 'failed', meta: { kind: 'cancel' }, data: { meta: { status: 'CANCELLED', pending: 0 } } });
    expect(body.reason).toMatch(/^the batch was cancelled: \d+ of 1024 items succeeded, 0 failed, \d+ were not processed$/);

    const upload = await call(`${BASE}/bag/batch/upload`, {
      method: 'POST',
      headers: await t.headers('acme', { 'X-COREOS-CALLBACK-SECRET': SECRET }),
      form: csvForm('refID,attributes.weight\nf-1,1\n', { callback: JSON.stringify({ url: receiver.url, meta: { file: true } }), callbackFirst: true }),
    });
    expect(upload.status).toBe(202);
    await until(upload.body.data.id, (d) => d.meta.callback.state === 'DELIVERED');
    const fileDelivery = deliveriesFor(upload.body.data.id)[0]!;
    expect(JSON.parse(fileDelivery.body)).toMatchObject({
      status: 'success',
      meta: { file: true },
      data: { meta: { source: 'file' }, success: [{ refID: 'f-1', row: 2 }] },
    });
    expect(fileDelivery.headers['x-coreos-hmac-signature']).toBe(
      `sha256=${createHmac('sha256', SECRET)
        .update(`${String(fileDelivery.headers['x-coreos-timestamp'])}.${fileDelivery.body}`)
        .digest('hex')}`,
    );
  });

  it('keeps processing batches and answering status reads while a receiver does not answer', async () => {
    receiver.plan('hold');
    const slow = await submit([{ refID: 'slow', attributes: { weight: 1 } }], { url: receiver.url });
    const slowId = slow.body.data.id;
    await eventually(() => deliveriesFor(slowId), {
      timeoutMs: 5_000,
      intervalMs: 10,
      what: 'the slow callback to be tried',
      until: (deliveries) => deliveries.length > 0,
    });
    expect(deliveriesFor(slowId)).toHaveLength(1);
    // While that delivery hangs, a large batch is processed to the end.
    const big = await submit(
      Array.from({ length: 1024 }, (_, i) => ({ refID: `big-${i}`, attributes: { weight: 1 } })),
      undefined,
    );
    const bigFinal = await until(big.body.data.id, (d) => TERMINAL.includes(d.meta.status));
    expect(bigFinal.meta).toMatchObject({ status: 'SUCCESS', success: 1024 });
    expect((await status(slowId)).meta.callback).toEqual({ state: 'PENDING', attempts: 0 });
    receiver.release();
    expect((await until(slowId, (d) => d.meta.callback.state === 'DELIVERED')).meta.callback.attempts).toBe(1);
  });

  it('never shows the callback secret in an answer or a log line', async () => {
    const listed = await call(`${BASE}/bag/batches?limit=500`, { headers: await t.headers() });
    expect(listed.status).toBe(200);
    for (const response of responses) expect(response.text).not.toContain(SECRET);
    expect(t.logs.length).toBeGreaterThan(10);
    for (const line of t.logs) expect(line).not.toContain(SECRET);
  });
});

describe('callback addresses, with the guard on', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ CALLBACK_ALLOW_PRIVATE_NETWORKS: 'false' });
    await t.request(`${BASE}/container-types`, { method: 'POST', headers: await t.headers(), body: { name: 'bag' } });
  });
  afterAll(async () => {
    await t.close();
  });

  it.each([
    'http://127.0.0.1/hook',
    'http://localhost:8080/hook',
    'http://10.1.2.3/hook',
    'http://172.16.5.4/hook',
    'http://192.168.0.10/hook',
    'http://169.254.169.254/latest/meta-data',
    'http://100.64.0.7/hook',
    'http://0.0.0.0/hook',
    'http://[::1]/hook',
    'http://[fe80::1]/hook',
    'http://[fd00::1]/hook',
    'http://[::ffff:127.0.0.1]/hook',
    'http://[::ffff:a00:1]/hook',
    'https://host.that-does-not-exist.invalid/hook',
  ])('refuses %s at submit, storing nothing', async (url) => {
    const before = Number((await t.database.read((m) => m.query('SELECT COUNT(*) AS n FROM batches')))[0].n);
    const json = await t.request(`${BASE}/bag/batch`, { method: 'POST', headers: await t.headers(), body: { payload: [{ refID: 'r' }], callback: { url } } });
    expect([json.status, json.body.error.code, json.body.error.additionalInfo.violations[0].path]).toEqual([400, 'VALIDATION_FAILED', 'callback.url']);
    const file = await t.request(`${BASE}/bag/batch/upload`, {
      method: 'POST',
      headers: await t.headers(),
      form: csvForm('refID\nr\n', { callback: JSON.stringify({ url }) }),
    });
    expect([file.status, file.body.error.code, file.body.error.additionalInfo.violations[0].path]).toEqual([400, 'VALIDATION_FAILED', 'callback.url']);
    expect(Number((await t.database.read((m) => m.query('SELECT COUNT(*) AS n FROM batches')))[0].n)).toBe(before);
  });

  it("lists a bad callback with the payload's violations in one answer, storing nothing", async () => {
    const before = Number((await t.database.read((m) => m.query('SELECT COUNT(*) AS n FROM batches')))[0].n);
    const body = { payload: [{ refID: '' }, { refID: 'x'.repeat(129) }, { refID: 'ok' }], callback: { url: 'ftp://example.com/hook' } };
    const answer = await t.request(`${BASE}/bag/batch`, { method: 'POST', headers: await t.headers(), body });
    expectEnvelopeError(answer, 400, 'VALIDATION_FAILED');
    expect(answer.body.error.additionalInfo.violations.map((v: { path: string }) => v.path)).toEqual(['callback.url', 'payload[0].refID', 'payload[1].refID']);
    expect(Number((await t.database.read((m) => m.query('SELECT COUNT(*) AS n FROM batches')))[0].n)).toBe(before);
  });

  it('accepts a public address', async () => {
    const response = await t.request(`${BASE}/bag/batch`, {
      method: 'POST',
      headers: await t.headers(),
      body: { payload: [{ refID: 'r' }], callback: { url: 'http://93.184.216.34/hook' } },
    });
    expect(response.status).toBe(202);
  });
});

describe('a callback pending across a restart', () => {
  it('is still delivered by the restarted service', async () => {
    const receiver = await startReceiver();
    receiver.plan(500);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cs-callback-restart-'));
    const env = {
      AUTH_JWT_SECRET: TEST_SECRET,
      DATABASE_URL: `sqlite:${path.join(dir, 'db.sqlite')}`,
      DATA_DIR: dir,
      CALLBACK_ALLOW_PRIVATE_NETWORKS: 'true',
      CALLBACK_BACKOFF_BASE_MS: '1500',
      WORKER_IDLE_MS: '20',
    };
    const token = await new SignJWT({ tid: 'acme' }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('10m').sign(new TextEncoder().encode(TEST_SECRET));
    let n = 0;
    const headers = () => ({ 'X-COREOS-REQUEST-ID': `restart-${++n}`, 'X-COREOS-TID': 'acme', 'X-COREOS-ACCESS': token, 'content-type': 'application/json' });
    const first = await start(dir, env);
    await fetch(`${first.url}${BASE}/container-types`, { method: 'POST', headers: headers(), body: JSON.stringify({ name: 'bag' }) });
    const submitted = await fetch(`${first.url}${BASE}/bag/batch`, {
      method: 'POST',
      headers: headers(),
      body: JSON.stringify({ payload: [{ refID: 'r' }], callback: { url: receiver.url } }),
    });
    const batchId = ((await submitted.json()) as { data: { id: string } }).data.id;
    const callbackOf = async (url: string) =>
      (
        (await (await fetch(`${url}${BASE}/bag/batch/status?batchId=${batchId}`, { headers: headers() })).json()) as {
          data: { meta: { callback: { state: string; attempts: number } } };
        }
      ).data.meta.callback;
    await eventually(() => callbackOf(first.url), {
      timeoutMs: 10_000,
      intervalMs: 20,
      what: 'a first callback try',
      until: (callback) => callback.attempts > 0,
    });
    expect(await callbackOf(first.url)).toEqual({ state: 'PENDING', attempts: 1 });
    await kill(first, 'SIGKILL');

    const second = await start(dir, env);
    const callback = await eventually(() => callbackOf(second.url), {
      timeoutMs: 10_000,
      intervalMs: 20,
      what: 'the callback to settle after the restart',
      until: (current) => current.state !== 'PENDING',
    });
    expect(callback).toEqual({ state: 'DELIVERED', attempts: 2 });
    expect(receiver.received.map((r) => r.answered)).toEqual([500, 200]);
    await stop(second);
    await receiver.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }, 60_000);
});
