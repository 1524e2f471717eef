// Monitoring end to end: /metrics on the API's port without a token, in the Prometheus text
// format, counting real work (items by outcome, callback tries by outcome) and reading the
// backlog (batches by status, pending items, processing lag) from the store at scrape time;
// label values are route templates and outcomes, never a tenant's data. METRICS_ENABLED=false
// takes the route away. The request log line of every error names the envelope's code, and the
// 'batch finished' line its counts and duration. Built processes: the API's worker thread counts
// into the API's /metrics, and a worker process serves its own on METRICS_PORT. The backlog is
// read by the same statements on PostgreSQL (jest.postgres.config.js runs this file again).
import { Clock } from '@container-service/batch-domain';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expectStatus } from './support/answers';
import { BuiltProcesses } from './support/built-processes';
import { defineType } from './support/container-types';
import { eventually } from './support/eventually';
import { finalStatus } from './support/final-status';
import { Receiver, startReceiver } from './support/receiver';
import { BASE, TEST_SECRET, TestApp, e2eStore, startTestApp } from './support/test-app';

/** Every sample of a scrape: metric name, labels, value. */
function samples(text: string): Array<{ name: string; labels: Record<string, string>; value: number }> {
  return text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (!match) throw new Error(`not a sample line of the text format: ${line}`);
      const labels: Record<string, string> = {};
      for (const [, key, value] of (match[2] ?? '').matchAll(/([a-zA-Z_]\w*)="((?:[^"\\]|\\.)*)"/g)) labels[key!] = value!;
      return { name: match[1]!, labels, value: Number(match[3]) };
    });
}

/** The value of `name` with exactly these labels (among others); undefined when there is no such sample. */
function valueOf(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  return samples(text).find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
}

async function scrape(url: string): Promise<{ status: number; contentType: string | null; text: string }> {
  const response = await fetch(`${url}/metrics`);
  return { status: response.status, contentType: response.headers.get('content-type'), text: await response.text() };
}

interface Meta {
  readonly data: { readonly meta: { readonly status: string; readonly success: number } };
}

const logLines = (t: TestApp) => t.logs.map((line) => JSON.parse(line) as Record<string, unknown>);

describe('metrics over HTTP, after real work', () => {
  let t: TestApp;
  let receiver: Receiver;
  let batchId: string;

  beforeAll(async () => {
    receiver = await startReceiver();
    t = await startTestApp({ WORKER_ENABLED: 'true', WORKER_CHUNK_SIZE: '2', CALLBACK_BACKOFF_BASE_MS: '50', CALLBACK_MAX_ATTEMPTS: '3' });
    await defineType(t, { name: 'pallet', attributes: [{ name: 'weight', dataType: 'number', required: true }] });
    // The receiver refuses the first try: one failed and one delivered callback attempt.
    receiver.plan(503, 200);
    const submitted = await t.request(`${BASE}/pallet/batch`, {
      method: 'POST',
      headers: await t.headers('acme', { 'X-COREOS-REQUEST-ID': 'metrics-submit' }),
      body: {
        payload: [
          { refID: 'secret-ref-1', attributes: { weight: 1 } },
          { refID: 'secret-ref-2', attributes: { weight: 'heavy' } },
          { refID: 'secret-ref-3', attributes: { weight: 3 } },
          { refID: 'secret-ref-4', attributes: {} },
          { refID: 'secret-ref-5', attributes: { weight: 5 } },
        ],
        callback: { url: `${receiver.url}?tenant=acme` },
      },
    });
    expectStatus(submitted, 202);
    batchId = submitted.body.data.id;
    await finalStatus(t, 'pallet', batchId, { timeoutMs: 30_000 });
    await eventually(
      async () => (await t.request(`${BASE}/pallet/batch/status?batchId=${batchId}`, { headers: await t.headers() })).body.data.meta.callback.state,
      {
        timeoutMs: 30_000,
        intervalMs: 25,
        what: 'the callback to be delivered',
        until: (state) => state === 'DELIVERED',
      },
    );
  }, 60_000);
  afterAll(async () => {
    await t.close();
    await receiver.close();
  });

  it('answers without a token, in the Prometheus text format, with exact counts of the work done', async () => {
    const { status, contentType, text } = await scrape(t.url);
    expect(status).toBe(200);
    expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(valueOf(text, 'container_service_items_processed_total', { outcome: 'succeeded' })).toBe(3);
    expect(valueOf(text, 'container_service_items_processed_total', { outcome: 'failed' })).toBe(2);
    expect(valueOf(text, 'container_service_callback_attempts_total', { outcome: 'failed' })).toBe(1);
    expect(valueOf(text, 'container_service_callback_attempts_total', { outcome: 'delivered' })).toBe(1);
    expect(valueOf(text, 'container_service_lease_takeovers_total')).toBe(0);
    expect(valueOf(text, 'container_service_batches', { status: 'PARTIAL_SUCCESS' })).toBe(1);
    expect(valueOf(text, 'container_service_batches', { status: 'QUEUED' })).toBe(0);
    expect(valueOf(text, 'container_service_items_pending')).toBe(0);
    expect(valueOf(text, 'container_service_processing_lag_seconds')).toBe(0);
    // Process metrics, under the service's prefix.
    expect(valueOf(text, 'container_service_process_resident_memory_bytes')).toBeGreaterThan(0);
  });

  it('ignores identity headers and a bad token: it is no API route', async () => {
    const response = await fetch(`${t.url}/metrics`, { headers: { 'X-COREOS-TID': 'acme', 'X-COREOS-ACCESS': 'not-a-token' } });
    expect(response.status).toBe(200);
  });

  it('labels request latency with route templates, methods and status codes, never raw paths', async () => {
    await t.request(`${BASE}/pallet/batch/status?batchId=batch:00000000-0000-4000-8000-000000000000`, { headers: await t.headers() });
    await t.request('/secret-path/acme/12345');
    const { text } = await scrape(t.url);
    const routes = new Set(
      samples(text)
        .filter((s) => s.name === 'container_service_http_request_duration_seconds_count')
        .map((s) => s.labels.route),
    );
    expect(routes).toContain(`${BASE}/:containerType/batch`);
    expect(routes).toContain(`${BASE}/:containerType/batch/status`);
    expect(routes).toContain('unmatched');
    for (const route of routes) expect(route === 'unmatched' || route === '/metrics' || route!.startsWith('/')).toBe(true);
    expect(
      valueOf(text, 'container_service_http_request_duration_seconds_count', { method: 'POST', route: `${BASE}/:containerType/batch`, status_code: '202' }),
    ).toBe(1);
    expect(
      valueOf(text, 'container_service_http_request_duration_seconds_count', {
        method: 'GET',
        route: `${BASE}/:containerType/batch/status`,
        status_code: '404',
      }),
    ).toBe(1);
    expect(valueOf(text, 'container_service_http_request_duration_seconds_count', { method: 'GET', route: 'unmatched', status_code: '404' })).toBe(1);
  });

  it("never shows a tenant's data: no tenant, batch, type, reference or callback address", async () => {
    const { text } = await scrape(t.url);
    for (const secret of ['acme', batchId, batchId.replace('batch:', ''), 'pallet', 'secret-ref', 'secret-path', receiver.url, '12345']) {
      expect(text).not.toContain(secret);
    }
    const labelNames = new Set(samples(text).flatMap((s) => Object.keys(s.labels)));
    expect([...labelNames].sort()).toEqual(expect.arrayContaining(['le', 'method', 'outcome', 'route', 'status', 'status_code']));
    for (const name of labelNames)
      expect(['le', 'method', 'outcome', 'route', 'status', 'status_code', 'version', 'major', 'minor', 'patch', 'space', 'kind', 'type']).toContain(name);
  });

  it("logs 'batch finished' with the batch's counts and how long it took", () => {
    const finished = logLines(t).find((line) => line.msg === 'batch finished' && line.batchId === batchId);
    expect(finished).toMatchObject({ status: 'PARTIAL_SUCCESS', total: 5, success: 3, failed: 2, cancelled: 0, pending: 0, tenant: 'acme' });
    expect(typeof finished?.durationMs).toBe('number');
  });

  it("names the envelope's error code on the request line of every 4xx and 5xx answer, and none on others", async () => {
    const errors = [
      await t.request('/no/such/route', { headers: { 'X-COREOS-REQUEST-ID': 'log-404' } }),
      await t.request(`${BASE}/pallet/batch/status?batchId=nope`, { headers: await t.headers('acme', { 'X-COREOS-REQUEST-ID': 'log-400' }) }),
      await t.request(`${BASE}/pallet/batch/status?batchId=${batchId}`, {
        headers: { 'X-COREOS-REQUEST-ID': 'log-401', 'X-COREOS-TID': 'acme', 'X-COREOS-ACCESS': 'x' },
      }),
      await t.request(`${BASE}/pallet/batch/status?batchId=batch:00000000-0000-4000-8000-000000000001`, {
        headers: await t.headers('acme', { 'X-COREOS-REQUEST-ID': 'log-404-batch' }),
      }),
      await t.request(`${BASE}/pallet/batch`, {
        method: 'POST',
        headers: await t.headers('acme', { 'X-COREOS-REQUEST-ID': 'log-400-body' }),
        body: { payload: 'no' },
      }),
    ];
    const ok = await t.request(`${BASE}/pallet/batch/status?batchId=${batchId}`, { headers: await t.headers('acme', { 'X-COREOS-REQUEST-ID': 'log-200' }) });
    expect(ok.status).toBe(200);
    const lines = logLines(t).filter((line) => line.msg === 'request served');
    const lineOf = (id: string) => lines.find((line) => line.reqId === id);
    const ids = ['log-404', 'log-400', 'log-401', 'log-404-batch', 'log-400-body'];
    for (const [i, response] of errors.entries()) {
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(lineOf(ids[i]!)).toMatchObject({ status: response.status, code: response.body.error.code });
    }
    expect(new Set(errors.map((r) => r.body.error.code)).size).toBeGreaterThanOrEqual(3);
    expect(lineOf('log-200')).toMatchObject({ status: 200 });
    expect(lineOf('log-200')).not.toHaveProperty('code');
  });
});

describe('backlog gauges while items wait (no worker)', () => {
  let t: TestApp;
  let now = Date.UTC(2026, 5, 1, 12, 0, 0);
  const clock: Clock = { now: () => now };

  beforeAll(async () => {
    t = await startTestApp({}, clock);
    await defineType(t, { name: 'bag' });
    await defineType(t, { name: 'bag' }, 'beta');
  });
  afterAll(async () => {
    await t.close();
  });

  const submit = async (tenant: string, count: number) =>
    expectStatus(
      await t.request(`${BASE}/bag/batch`, {
        method: 'POST',
        headers: await t.headers(tenant),
        body: { payload: Array.from({ length: count }, (_, i) => ({ refID: `${tenant}-${now}-${i}` })) },
      }),
      202,
    );

  it('shows pending items of every tenant together, the oldest one’s age, and reads the store at most once per 2 s', async () => {
    let { text } = await scrape(t.url);
    expect(valueOf(text, 'container_service_items_pending')).toBe(0);
    expect(valueOf(text, 'container_service_processing_lag_seconds')).toBe(0);

    now += 5000;
    await submit('acme', 3);
    now += 10_000;
    await submit('beta', 2);
    now += 32_000;
    ({ text } = await scrape(t.url));
    expect(valueOf(text, 'container_service_items_pending')).toBe(5);
    expect(valueOf(text, 'container_service_processing_lag_seconds')).toBe(42);
    expect(valueOf(text, 'container_service_batches', { status: 'QUEUED' })).toBe(2);
    expect(text).not.toMatch(/acme|beta/);

    // Within the cache period the store is not read again (a new batch is not seen yet), but the lag still ages.
    await submit('acme', 4);
    now += 1000;
    ({ text } = await scrape(t.url));
    expect(valueOf(text, 'container_service_items_pending')).toBe(5);
    expect(valueOf(text, 'container_service_processing_lag_seconds')).toBe(43);
    now += 1000;
    ({ text } = await scrape(t.url));
    expect(valueOf(text, 'container_service_items_pending')).toBe(9);
    expect(valueOf(text, 'container_service_batches', { status: 'QUEUED' })).toBe(3);
  });
});

describe('METRICS_ENABLED=false', () => {
  it('takes /metrics away: it answers the 404 of any unknown route', async () => {
    const t = await startTestApp({ METRICS_ENABLED: 'false' });
    try {
      const metrics = await t.request('/metrics');
      const unknown = await t.request('/metricz');
      expect(metrics.status).toBe(404);
      expect(metrics.body.error).toEqual(unknown.body.error);
      expect(metrics.text).not.toContain('container_service_');
    } finally {
      await t.close();
    }
  });
});

// Built processes on a SQLite file of their own: run once, on the SQLite pass only.
(e2eStore() === 'sqlite' ? describe : describe.skip)('metrics of built processes', () => {
  // Made here, not as the suite is collected: a skipped suite runs no afterAll to remove it.
  let dir: string;
  let fleet: BuiltProcesses;
  let client: TestApp;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cs-metrics-'));
    fleet = new BuiltProcesses({
      AUTH_JWT_SECRET: TEST_SECRET,
      DATABASE_URL: `sqlite:${path.join(dir, 'db.sqlite')}`,
      DATA_DIR: dir,
      WORKER_IDLE_MS: '20',
    });
    // Only for its token minter and HTTP client: the requests go to the built API below.
    client = await startTestApp();
  });
  // Each case starts the processes it needs: none left from another takes its work.
  afterEach(async () => {
    await fleet.killAll();
  });
  afterAll(async () => {
    try {
      await fleet.killAll();
      await client.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  const call = async (url: string, pathAndQuery: string, init: { method?: string; body?: unknown } = {}) => {
    const response = await fetch(url + pathAndQuery, {
      method: init.method ?? 'GET',
      headers: { ...(await client.headers()), ...(init.body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });
    return { status: response.status, body: (await response.json()) as { data: { id: string } } };
  };

  it("counts the API's worker thread's work in the API's /metrics", async () => {
    const api = await fleet.start('api', 20_000, { WORKER_ENABLED: 'true', WORKER_THREAD: 'true' });
    expect(api.output()).toContain('"worker":"thread"');
    expect((await call(api.url, `${BASE}/container-types`, { method: 'POST', body: { name: 'bag' } })).status).toBe(202);
    const payload = Array.from({ length: 7 }, (_, i) => ({ refID: `t-${i}` }));
    expect((await call(api.url, `${BASE}/bag/batch`, { method: 'POST', body: { payload } })).status).toBe(202);
    const text = await eventually(async () => (await scrape(api.url)).text, {
      timeoutMs: 30_000,
      intervalMs: 100,
      what: 'the worker thread’s items to be counted',
      until: (scraped) => valueOf(scraped, 'container_service_items_processed_total', { outcome: 'succeeded' }) === 7,
    });
    expect(valueOf(text, 'container_service_items_processed_total', { outcome: 'failed' })).toBe(0);
  }, 60_000);

  it('lets a worker process be scraped on METRICS_PORT, /metrics and /health only', async () => {
    const api = await fleet.start('api', 20_000);
    expect((await call(api.url, `${BASE}/container-types`, { method: 'POST', body: { name: 'sack' } })).status).toBe(202);
    expect((await call(api.url, `${BASE}/sack/batch`, { method: 'POST', body: { payload: [{ refID: 'w-1' }, { refID: 'w-2' }] } })).status).toBe(202);
    const worker = await fleet.start('worker', 20_000, { METRICS_PORT: '0' });
    const url = await eventually(() => /"url":"(http:\/\/[^"]+)\/metrics"[^\n]*metrics listening/.exec(worker.output())?.[1], {
      timeoutMs: 10_000,
      intervalMs: 50,
      what: 'the worker to say where its metrics are',
    });
    const text = await eventually(async () => (await scrape(url!)).text, {
      timeoutMs: 30_000,
      intervalMs: 100,
      what: 'the worker process’s items to be counted',
      until: (scraped) => valueOf(scraped, 'container_service_items_processed_total', { outcome: 'succeeded' }) === 2,
    });
    expect(valueOf(text, 'container_service_items_pending')).toBeDefined();
    expect((await fetch(`${url!}/health`)).status).toBe(200);
    expect((await fetch(`${url!}/core/api/v2/containers/bag/batch`)).status).toBe(404);
    // The API's own /metrics counts none of it: each process is scraped for its own work.
    expect(valueOf((await scrape(api.url)).text, 'container_service_items_processed_total', { outcome: 'succeeded' })).toBe(0);
  }, 60_000);

  it('counts a lease takeover where a worker takes up the part of a worker that died', async () => {
    const api = await fleet.start('api', 20_000);
    expect((await call(api.url, `${BASE}/container-types`, { method: 'POST', body: { name: 'crate' } })).status).toBe(202);
    const payload = Array.from({ length: 1000 }, (_, i) => ({ refID: `k-${i}` }));
    const submitted = await call(api.url, `${BASE}/crate/batch`, { method: 'POST', body: { payload } });
    expect(submitted.status).toBe(202);
    const env = { METRICS_PORT: '0', WORKER_CHUNK_SIZE: '1', WORKER_LEASE_MS: '1000' };
    const metricsUrl = (output: () => string) =>
      eventually(() => /"url":"(http:\/\/[^"]+)\/metrics"[^\n]*metrics listening/.exec(output())?.[1], {
        timeoutMs: 10_000,
        intervalMs: 50,
        what: 'a worker to say where its metrics are',
      });
    const succeeded = async (url: string) => valueOf((await scrape(url)).text, 'container_service_items_processed_total', { outcome: 'succeeded' }) ?? 0;
    const first = await fleet.start('worker', 20_000, env);
    const firstUrl = (await metricsUrl(() => first.output()))!;
    await eventually(() => succeeded(firstUrl), { timeoutMs: 30_000, intervalMs: 20, what: 'the first worker to record items', until: (n) => n > 0 });
    // Dies holding the lease: nothing is released, the part waits for the lease to expire.
    await fleet.kill(first, 'SIGKILL');
    const second = await fleet.start('worker', 20_000, env);
    const secondUrl = (await metricsUrl(() => second.output()))!;
    const seen = await eventually(
      async () => {
        const text = (await scrape(secondUrl)).text;
        return {
          takeovers: valueOf(text, 'container_service_lease_takeovers_total'),
          succeeded: valueOf(text, 'container_service_items_processed_total', { outcome: 'succeeded' }),
        };
      },
      { timeoutMs: 60_000, intervalMs: 100, what: 'the second worker to take the part over', until: (now) => (now.succeeded ?? 0) > 0 },
    );
    // One part (1 000 items are less than a part), taken over once.
    expect(seen.takeovers).toBe(1);
    const final = await eventually(async () => (await call(api.url, `${BASE}/crate/batch/status?batchId=${submitted.body.data.id}`)).body as unknown as Meta, {
      timeoutMs: 60_000,
      intervalMs: 200,
      what: 'the batch to succeed',
      until: (answer) => answer.data.meta.status === 'SUCCESS',
    });
    expect(final.data.meta.success).toBe(1000);
  }, 120_000);
});
