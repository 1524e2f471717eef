// Hostile input at processing time, end to end (contract §10, §13): an item whose processing
// throws fails alone and its batch finishes; and one tenant's many big batches do not hold back
// another tenant's small one.
import { PROCESSING_ERROR, PROCESSING_ERROR_REASON } from '@container-service/batch-domain';
import { CreateContainerHandler } from '@container-service/container-domain';
import { ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { acceptedId } from './support/answers';
import { defineType } from './support/container-types';
import { eventually } from './support/eventually';
import { TERMINAL } from './support/final-status';
import { DIST, cleanEnv } from './support/service-process';
import { BASE, TEST_SECRET, TestApp, TestResponse, csvForm, startTestApp } from './support/test-app';

/** Nested `depth` deep: an object in objects, or an array in arrays. */
const deepObject = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
const deepArray = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
/** A CSV cell, quoted. */
const cell = (text: string) => `"${text.replace(/"/g, '""')}"`;

describe('hostile input at processing time', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ WORKER_ENABLED: 'true' });
    for (const tenant of ['acme', 'beta']) {
      const defined = await t.request(`${BASE}/container-types`, {
        method: 'POST',
        headers: await t.headers(tenant),
        body: {
          name: 'bag',
          attributes: [
            { name: 'weight', dataType: 'number' },
            { name: 'shape', dataType: 'object' },
            { name: 'parts', dataType: 'array' },
          ],
        },
      });
      expect(defined.status).toBe(202);
    }
  });
  afterAll(async () => {
    await t.close();
  });

  const status = async (batchId: string, tenant = 'acme', query = '') =>
    t.request(`${BASE}/bag/batch/status?batchId=${batchId}${query}`, { headers: await t.headers(tenant) });

  // The status call itself waits (wait=5), so the polls need no pause between them.
  const untilFinal = async (batchId: string, tenant = 'acme', withinMs = 30_000): Promise<TestResponse> =>
    eventually(
      async () => {
        const response = await status(batchId, tenant, '&wait=5');
        expect(response.status).toBe(200);
        return response;
      },
      { timeoutMs: withinMs, intervalMs: 0, what: `batch ${batchId} to finish`, until: (response) => TERMINAL.includes(response.body.data.meta.status) },
    );

  const submitJson = async (tenant: string, payload: unknown[]) => {
    const submitted = await t.request(`${BASE}/bag/batch`, { method: 'POST', headers: await t.headers(tenant), body: { payload } });
    return acceptedId(submitted);
  };

  it('fails a row nested 100 000 deep alone (by a rule or as PROCESSING_ERROR); every good row succeeds and the batch finishes within seconds', async () => {
    const lines = ['refID,attributes.weight,attributes.shape,attributes.parts,trackingDetails'];
    for (let i = 1; i <= 40; i++) {
      const shape = i === 7 ? cell(deepObject(100_000)) : i === 23 ? '' : cell('{"size":1}');
      const parts = i === 23 ? cell(deepArray(100_000)) : '';
      // Rows 6 and 8 (either side of the deep row 7) claim the same tracking id: the earlier wins.
      const tracking = i === 6 || i === 8 ? cell('[{"operator":"DHL","trackingId":"SHARED"}]') : '';
      lines.push(`g-${i},${i},${shape},${parts},${tracking}`);
    }
    const started = Date.now();
    const uploaded = await t.request(`${BASE}/bag/batch/upload`, { method: 'POST', headers: await t.headers(), form: csvForm(lines.join('\n')) });
    const final = await untilFinal(acceptedId(uploaded), 'acme', 15_000);
    expect(Date.now() - started).toBeLessThan(15_000);
    const { meta, errors, success } = final.body.data;
    expect(meta).toMatchObject({ status: 'PARTIAL_SUCCESS', success: 37, failed: 3, pending: 0, total: 40 });
    const failed = new Map<string, { code: string; reason: string; row: number }>(
      errors.map((e: { refID: string; code: string; reason: string; row: number }) => [e.refID, e]),
    );
    expect([...failed.keys()]).toEqual(['g-7', 'g-8', 'g-23']);
    for (const ref of ['g-7', 'g-23']) {
      const error = failed.get(ref)!;
      expect([PROCESSING_ERROR, 'ATTRIBUTE_INVALID', 'ITEM_INVALID']).toContain(error.code);
      if (error.code === PROCESSING_ERROR) expect(error.reason).toBe(PROCESSING_ERROR_REASON);
      // No stack frame, file path or SQL: a sentence for a person.
      expect(error.reason).not.toMatch(/\n|\bat \S+ \(|\/(work|tmp|usr|home|root)\b|stack|SQL/i);
    }
    expect(failed.get('g-8')).toMatchObject({ code: 'TRACKING_ID_TAKEN', row: 9 });
    expect(success.map((s: { refID: string }) => s.refID)).toContain('g-6');
  }, 60_000);

  it('does the same for an update file: the deep row fails alone and the other containers change', async () => {
    const created = await untilFinal(
      await submitJson(
        'acme',
        [1, 2, 3].map((i) => ({ refID: `u-${i}`, attributes: { weight: i } })),
      ),
    );
    const ids: string[] = created.body.data.success.map((s: { id: string }) => s.id);
    const csv = ['containerId,attributes.weight,attributes.shape', `${ids[0]},10,`, `${ids[1]},20,${cell(deepObject(100_000))}`, `${ids[2]},30,`].join('\n');
    const uploaded = await t.request(`${BASE}/bag/batch/upload`, { method: 'PUT', headers: await t.headers(), form: csvForm(csv) });
    const final = await untilFinal(acceptedId(uploaded), 'acme', 15_000);
    expect(final.body.data.meta).toMatchObject({ status: 'PARTIAL_SUCCESS', success: 2, failed: 1 });
    expect(final.body.data.errors).toHaveLength(1);
    expect(final.body.data.errors[0]).toMatchObject({ refID: ids[1], row: 3 });
    expect([PROCESSING_ERROR, 'ATTRIBUTE_INVALID', 'ITEM_INVALID']).toContain(final.body.data.errors[0].code);
    const third = await t.request(`${BASE}/bag/${ids[2]}`, { headers: await t.headers() });
    expect(third.body.data.attributes).toMatchObject({ weight: 30 });
  }, 60_000);

  describe('with a handler that throws for one chosen item', () => {
    let spy: jest.SpyInstance;
    beforeEach(() => {
      // eslint-disable-next-line @typescript-eslint/unbound-method -- called with the handler as `this` below
      const original = CreateContainerHandler.prototype.handleChunk;
      spy = jest.spyOn(CreateContainerHandler.prototype, 'handleChunk').mockImplementation(async function (
        this: CreateContainerHandler<unknown>,
        tx,
        context,
        items,
      ) {
        if (items.some((item) => item.refId === 'boom'))
          throw new Error('SQLITE_MISUSE near "INSERT INTO containers" in /srv/container-service/dist/secret.js');
        return original.call(this, tx, context, items);
      });
    });
    afterEach(() => {
      spy.mockRestore();
    });

    it('fails that item alone with PROCESSING_ERROR and a safe reason; the others succeed; the log has the details', async () => {
      const payload = Array.from({ length: 60 }, (_, i) => ({ refID: i === 41 ? 'boom' : `ok-${i}`, attributes: { weight: i } }));
      const batchId = await submitJson('acme', payload);
      const final = await untilFinal(batchId, 'acme', 15_000);
      expect(final.body.data.meta).toMatchObject({ status: 'PARTIAL_SUCCESS', success: 59, failed: 1, pending: 0 });
      expect(final.body.data.errors).toEqual([{ refID: 'boom', code: PROCESSING_ERROR, reason: PROCESSING_ERROR_REASON }]);
      expect(final.text).not.toMatch(/secret|SQLITE|\/srv/);
      const results = await t.request(`${BASE}/bag/batch/results?batchId=${batchId}&outcome=failed`, { headers: await t.headers() });
      expect(results.body.data.items).toEqual([{ refID: 'boom', outcome: 'failed', code: PROCESSING_ERROR, reason: PROCESSING_ERROR_REASON }]);
      // The operator sees what happened, with the item named.
      expect(t.logs.some((line) => line.includes('PROCESSING_ERROR') && line.includes('"refId":"boom"') && line.includes('secret.js'))).toBe(true);
    }, 30_000);

    it('settles a batch made only of such an item as FAILED', async () => {
      const batchId = await submitJson('acme', [{ refID: 'boom' }]);
      const final = await untilFinal(batchId, 'acme', 15_000);
      expect(final.body.data.meta).toMatchObject({ status: 'FAILED', success: 0, failed: 1 });
      expect(final.body.data.errors[0].code).toBe(PROCESSING_ERROR);
    }, 30_000);
  });
});

describe('fairness between tenants, with a worker process of its own', () => {
  let t: TestApp;
  let worker: ChildProcess | null = null;
  let output = '';

  beforeAll(async () => {
    // This process serves HTTP only; the worker runs apart, as it does on its own thread in
    // production, so that its chunks never hold up a submit here.
    t = await startTestApp({ WORKER_ENABLED: 'false' });
    for (const tenant of ['acme', 'beta']) {
      await defineType(t, { name: 'bag' }, tenant);
    }
  });
  afterAll(async () => {
    await stopWorker();
    await t.close();
  });

  async function startWorker(): Promise<void> {
    output = '';
    worker = spawn(process.execPath, [path.join(DIST, 'worker.js')], {
      env: cleanEnv({ AUTH_JWT_SECRET: TEST_SECRET, DATABASE_URL: `sqlite:${path.join(t.dir, 'db.sqlite')}`, DATA_DIR: t.dir, WORKER_IDLE_MS: '20' }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    worker.stdout!.on('data', (chunk) => (output += chunk));
    worker.stderr!.on('data', (chunk) => (output += chunk));
    await eventually(() => output, {
      timeoutMs: 10_000,
      intervalMs: 25,
      what: 'the worker to say it started',
      until: (text) => text.includes('batch worker started'),
    });
    expect(output).toContain('batch worker started');
  }
  async function stopWorker(): Promise<void> {
    const running = worker;
    if (running === null) return;
    worker = null;
    const exit = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGTERM');
    await exit;
  }

  const submit = async (tenant: string, payload: unknown[]) => {
    const submitted = await t.request(`${BASE}/bag/batch`, { method: 'POST', headers: await t.headers(tenant), body: { payload } });
    return acceptedId(submitted);
  };
  // The status call itself waits (wait=5), so the polls need no pause between them.
  const untilFinal = async (batchId: string, tenant: string): Promise<{ status: string; success: number; createdAt: number; completedAt: number }> =>
    eventually(async () => (await t.request(`${BASE}/bag/batch/status?batchId=${batchId}&wait=5`, { headers: await t.headers(tenant) })).body.data.meta, {
      timeoutMs: 120_000,
      intervalMs: 0,
      what: `batch ${batchId} to finish`,
      until: (meta) => TERMINAL.includes(meta.status),
    });

  it("finishes another tenant's small batch within a second or two while one tenant's 20 big batches wait, and then all of those", async () => {
    const latency = (meta: { createdAt: number; completedAt: number }) => meta.completedAt - meta.createdAt;
    const small = (tag: string) => Array.from({ length: 10 }, (_, i) => ({ refID: `${tag}-${i}` }));
    await startWorker();
    const idle = await untilFinal(await submit('beta', small('idle')), 'beta');
    await stopWorker();

    // Acme's batches are all stored before the worker comes back, so that a queue of them waits.
    const bigBatch = (b: number) =>
      Array.from({ length: 1024 }, (_, i) => ({
        refID: `a${b}-${i}`,
        trackingDetails: [1, 2, 3, 4].map((k) => ({ operator: 'DHL', trackingId: `A${b}-${i}-${k}` })),
      }));
    const big: string[] = [];
    for (let b = 0; b < 20; b++) big.push(await submit('acme', bigBatch(b)));
    await startWorker();
    const started = async () =>
      (await t.request(`${BASE}/bag/batch/status?batchId=${big[0]}`, { headers: await t.headers('acme') })).body.data.meta.status !== 'QUEUED';
    for (let i = 0; i < 400 && !(await started()); i++) await new Promise((resolve) => setTimeout(resolve, 10));

    const busyId = await submit('beta', small('busy'));
    // The 202 came once beta's batch was stored. How long the submit itself waited for SQLite's
    // write lock, which the worker process takes chunk after chunk, is the lock's business (it
    // hands out no turns); the claim's fairness is what happens from here on.
    const stored = Date.now();
    const busy = await untilFinal(busyId, 'beta');
    const finals = [];
    for (const id of big) finals.push(await untilFinal(id, 'acme'));

    expect(busy.status).toBe('SUCCESS');
    expect(finals.every((meta) => meta.status === 'SUCCESS' && meta.success === 1024)).toBe(true);
    // Beta's batch was taken after the chunk in hand, not after acme's queue: once it was stored,
    // at most the batch in hand and one claimed in the same instant finished before it; and from
    // its submit on, wait for the lock included, it took within two seconds of an idle run.
    expect(finals.filter((meta) => meta.completedAt > stored && meta.completedAt < busy.completedAt).length).toBeLessThanOrEqual(2);
    expect(latency(busy)).toBeLessThan(latency(idle) + 2000);
  }, 180_000);
});
