// Contract §12 on PostgreSQL: while the database is down (crashed: `pg_ctl stop -m immediate`) or
// frozen (every server process stopped with SIGSTOP, which is how a hung host or a network black
// hole looks: connections stay open, nothing answers), every request answers 503
// SERVICE_UNAVAILABLE with Retry-After within 10 s, /health/ready answers 503 and /health 200, and
// no process exits; once the database is back every process carries on by itself, and every
// acknowledged batch ends with exactly its items' outcomes, none applied twice, each called back.
// The processes, built and started as an operator would: API A without a worker, API B with its
// worker thread, and a `npm run worker` process, all on a durable throwaway server of this file.
// The deadlines are the defaults (DATABASE_CONNECT_TIMEOUT_MS, DATABASE_QUERY_TIMEOUT_MS).
import { Database } from '@container-service/persistence-typeorm';
import { startThrowawayPostgres, type ThrowawayPostgres } from '@container-service/test-postgres';
import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { eventually } from './support/eventually';
import { Receiver, startReceiver } from './support/receiver';
import { Answer, ServiceClient, serviceClient } from './support/service-client';
import { DIST, Running, cleanEnv, kill, start } from './support/service-process';
import { TEST_SECRET } from './support/test-app';

const TENANT = 'acme';
/** What the contract allows for a 503 while the database is unreachable. */
const ANSWER_WITHIN_MS = 10_000;
const ITEMS_PER_BATCH = 500;

interface Submitted {
  readonly id: string;
  readonly n: number;
}

interface Probe {
  readonly what: string;
  readonly status: number | string;
  readonly ms: number;
  readonly retryAfter: string | null;
  readonly code: unknown;
  /** The envelope's echo of the request (§2). */
  readonly uri: unknown;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('PostgreSQL going away under a running service', () => {
  let server: ThrowawayPostgres;
  let dir: string;
  let receiver: Receiver;
  let env: Record<string, string>;
  let apiA: Running;
  let apiB: Running;
  let worker: { child: ChildProcess; output: () => string };
  const a = serviceClient(() => apiA.url);
  const b = serviceClient(() => apiB.url);
  const acknowledged: Submitted[] = [];
  /** Submits answered 503 while the database was away, to send again (same key) once it is back. */
  const refused: number[] = [];
  const measured: string[] = [];
  let submission = 0;

  beforeAll(async () => {
    const started = Date.now();
    server = await startThrowawayPostgres({ durable: true });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cs-outage-'));
    receiver = await startReceiver();
    env = {
      AUTH_JWT_SECRET: TEST_SECRET,
      DATABASE_URL: server.url,
      DATA_DIR: dir,
      LOG_LEVEL: 'warn',
      // A worker whose chunk failed keeps its claim until the lease ends: keep that short here.
      WORKER_LEASE_MS: '2000',
      WORKER_IDLE_MS: '50',
      CALLBACK_ALLOW_PRIVATE_NETWORKS: 'true',
      CALLBACK_BACKOFF_BASE_MS: '100',
      CALLBACK_MAX_ATTEMPTS: '50',
    };
    // start() waits for the 'listening' line, which is logged at info.
    apiA = await start(dir, { ...env, LOG_LEVEL: 'info', WORKER_ENABLED: 'false' });
    [apiB, worker] = await Promise.all([start(dir, { ...env, LOG_LEVEL: 'info' }), startWorker({ ...env, LOG_LEVEL: 'info' })]);
    measured.push(`  (server and three processes started in ${Date.now() - started} ms)`);
  }, 60_000);

  afterAll(async () => {
    /* eslint-disable @typescript-eslint/no-unnecessary-condition -- unset when beforeAll failed early */
    for (const running of [apiA, apiB]) if (running && running.child.exitCode === null) await kill(running, 'SIGKILL');
    if (worker && worker.child.exitCode === null) worker.child.kill('SIGKILL');
    await receiver?.close();
    await server?.stop();
    /* eslint-enable @typescript-eslint/no-unnecessary-condition */
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    if (measured.length > 0) process.stdout.write(`database outage, time to answer:\n${measured.join('\n')}\n`);
  });

  function startWorker(workerEnv: Record<string, string>): Promise<{ child: ChildProcess; output: () => string }> {
    const child = spawn(process.execPath, [path.join(DIST, 'worker.js')], { cwd: dir, env: cleanEnv(workerEnv), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`worker did not start:\n${out}`));
      }, 20_000);
      const onData = (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('batch worker started')) {
          clearTimeout(timer);
          resolve({ child, output: () => out });
        }
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`worker exited with ${code}:\n${out}`));
      });
    });
  }

  const payload = (n: number) => ({
    payload: Array.from({ length: ITEMS_PER_BATCH }, (_, i) => ({ refID: `r${n}-${i}`, scannableId: `S${n}-${i}`, attributes: { weight: i % 100 } })),
    callback: { url: `${receiver.url}?n=${n}` },
  });

  /** Submits batch `n` with Idempotency-Key outage-<n>; remembers it when acknowledged. */
  async function submit(api: ServiceClient, n: number): Promise<Answer> {
    const answer = await api.call('POST', '/bag/batch', { tenant: TENANT, body: payload(n), headers: { 'Idempotency-Key': `outage-${n}` }, timeoutMs: 15_000 });
    if (answer.status === 202 && !acknowledged.some((batch) => batch.n === n)) acknowledged.push({ id: answer.body.data.id, n });
    return answer;
  }

  async function timedCall(what: string, call: () => Promise<Answer>): Promise<Probe> {
    const started = Date.now();
    try {
      const answer = await call();
      const body = answer.body as { error?: { code?: unknown }; request?: { uri?: unknown } } | null;
      return {
        what,
        status: answer.status,
        ms: Date.now() - started,
        retryAfter: answer.headers.get('retry-after'),
        code: body?.error?.code,
        uri: body?.request?.uri,
      };
    } catch (error) {
      return { what, status: (error as Error).name, ms: Date.now() - started, retryAfter: null, code: null, uri: null };
    }
  }

  async function health(running: Running, route: string): Promise<Answer> {
    const response = await fetch(`${running.url}${route}`, { signal: AbortSignal.timeout(15_000) });
    return { status: response.status, body: await response.json(), headers: response.headers };
  }

  /** Every kind of request on both APIs at once, each timed. */
  async function probeAll(): Promise<{ unavailable: Probe[]; live: Probe[] }> {
    const someBatch = acknowledged[0]!.id;
    const probes = await Promise.all(
      (
        [
          ['A', apiA, a],
          ['B', apiB, b],
        ] as const
      ).flatMap(([name, running, api]) => {
        const n = ++submission;
        return [
          timedCall(`${name} status`, () => api.call('GET', `/bag/batch/status?batchId=${someBatch}`, { tenant: TENANT, timeoutMs: 15_000 })),
          timedCall(`${name} submit`, async () => {
            let taken = false;
            try {
              const answer = await submit(api, n);
              taken = answer.status === 202;
              return answer;
            } finally {
              if (!taken) refused.push(n);
            }
          }),
          timedCall(`${name} types`, () => api.call('GET', '/container-types', { tenant: TENANT, timeoutMs: 15_000 })),
          timedCall(`${name} ready`, () => health(running, '/health/ready')),
          timedCall(`${name} live`, () => health(running, '/health')),
        ];
      }),
    );
    return { unavailable: probes.filter((probe) => !probe.what.endsWith('live')), live: probes.filter((probe) => probe.what.endsWith('live')) };
  }

  function expectUnavailable(label: string, { unavailable, live }: { unavailable: Probe[]; live: Probe[] }): void {
    measured.push(`  ${label}: ${[...unavailable, ...live].map((probe) => `${probe.what} ${String(probe.status)} in ${probe.ms} ms`).join(', ')}`);
    for (const probe of unavailable) {
      expect({ what: probe.what, status: probe.status, code: probe.code, retryAfter: probe.retryAfter, uri: probe.uri }).toEqual({
        what: probe.what,
        status: 503,
        code: 'SERVICE_UNAVAILABLE',
        retryAfter: expect.stringMatching(/^\d+$/),
        uri: expect.stringMatching(/^\/(core|health)/),
      });
      expect(probe.ms).toBeLessThan(ANSWER_WITHIN_MS);
    }
    for (const probe of live) expect([probe.what, probe.status]).toEqual([probe.what, 200]);
  }

  function expectAllRunning(): void {
    const exits = [
      ['API A', apiA.child],
      ['API B', apiB.child],
      ['worker', worker.child],
    ].map(([name, child]) => [name, (child as ChildProcess).exitCode, (child as ChildProcess).signalCode]);
    expect(exits).toEqual([
      ['API A', null, null],
      ['API B', null, null],
      ['worker', null, null],
    ]);
  }

  async function untilReady(): Promise<void> {
    for (const running of [apiA, apiB]) {
      await eventually(async () => (await health(running, '/health/ready')).status, {
        timeoutMs: 15_000,
        intervalMs: 100,
        what: `${running.url} to be ready again`,
        until: (status) => status === 200,
      });
    }
  }

  /** Sends the submits refused meanwhile again, with their keys: each is taken now (once). */
  async function resubmitRefused(): Promise<void> {
    for (const n of refused.splice(0)) {
      const answer = await submit(n % 2 === 0 ? a : b, n);
      expect([n, answer.status]).toEqual([n, 202]);
    }
  }

  it('takes batches on both APIs, with processing and callbacks under way', async () => {
    const defined = await a.call('POST', '/container-types', {
      tenant: TENANT,
      body: { name: 'bag', attributes: [{ name: 'weight', dataType: 'number', required: true }] },
    });
    expect(defined.status).toBe(202);
    for (let i = 0; i < 6; i++) {
      const n = ++submission;
      expect((await submit(i % 2 === 0 ? a : b, n)).status).toBe(202);
    }
  });

  it('answers 503 with Retry-After within 10 s while the server is down, and carries on once it is back', async () => {
    const last = await a.call('GET', `/bag/batch/status?batchId=${acknowledged.at(-1)!.id}`, { tenant: TENANT });
    // The crash comes while work is in flight.
    expect(last.body.data.meta.pending).toBeGreaterThan(0);
    await server.crash();
    expectUnavailable('crashed, at once', await probeAll());
    expectAllRunning();
    // Down for a while: workers and dispatchers keep failing and retrying meanwhile.
    await sleep(2000);
    expectUnavailable('crashed, 2 s later', await probeAll());
    expectAllRunning();

    await server.restart();
    const back = Date.now();
    await untilReady();
    measured.push(`  ready again ${Date.now() - back} ms after the crashed server was back`);
    await resubmitRefused();
    expectAllRunning();
  }, 60_000);

  it('answers 503 with Retry-After within 10 s while the server is frozen, and carries on once it answers again', async () => {
    // Work in flight as it freezes.
    for (let i = 0; i < 2; i++) {
      const n = ++submission;
      expect((await submit(i % 2 === 0 ? a : b, n)).status).toBe(202);
    }
    await server.freeze();
    try {
      // The pools hold connections to it: the statement deadline answers first.
      expectUnavailable('frozen, at once', await probeAll());
      expectAllRunning();
      // Those were dropped: now new connections wait for a login that never comes.
      expectUnavailable('frozen, again', await probeAll());
      expectAllRunning();
    } finally {
      await server.thaw();
    }
    const back = Date.now();
    await untilReady();
    measured.push(`  ready again ${Date.now() - back} ms after the frozen server was thawed`);
    await resubmitRefused();
    expectAllRunning();
  }, 60_000);

  it('finishes every acknowledged batch with exactly its items, none applied twice, and calls each back', async () => {
    const deadline = Date.now() + 40_000;
    for (const batch of acknowledged) {
      const final = await a.untilFinal('bag', batch.id, TENANT, deadline);
      expect([batch.n, final.final, final.meta?.status]).toEqual([batch.n, true, 'SUCCESS']);
      expect(final.meta).toMatchObject({ total: ITEMS_PER_BATCH, success: ITEMS_PER_BATCH, failed: 0, pending: 0 });
      const results = await b.call('GET', `/bag/batch/results?batchId=${batch.id}&limit=5000`, { tenant: TENANT });
      const refIds: string[] = results.body.data.items.map((item: { refID: string; outcome: string }) => `${item.refID}:${item.outcome}`);
      expect(new Set(refIds).size).toBe(ITEMS_PER_BATCH);
      expect(refIds.every((ref) => ref.startsWith(`r${batch.n}-`) && ref.endsWith(':success'))).toBe(true);
    }
    // Every submit answered 202, and each key made one batch.
    expect(new Set(acknowledged.map((batch) => batch.id)).size).toBe(acknowledged.length);

    const store = await Database.open(server.url, { migrate: false });
    try {
      const [row] = await store.read((m) =>
        m.query<Array<{ containers: number; distinct_ids: number; batches: number }>>(
          'SELECT (SELECT COUNT(*)::int FROM containers) AS containers, (SELECT COUNT(DISTINCT scannable_id)::int FROM containers) AS distinct_ids, (SELECT COUNT(*)::int FROM batches) AS batches',
        ),
      );
      expect(row).toEqual({
        containers: acknowledged.length * ITEMS_PER_BATCH,
        distinct_ids: acknowledged.length * ITEMS_PER_BATCH,
        batches: acknowledged.length,
      });
    } finally {
      await store.close();
    }

    await eventually(
      () => acknowledged.filter((batch) => !receiver.received.some((r) => r.answered === 200 && r.body.includes(batch.id))).map((batch) => batch.n),
      {
        timeoutMs: 20_000,
        intervalMs: 100,
        what: 'every batch to be called back',
        until: (missing) => missing.length === 0,
      },
    );
    expectAllRunning();
  }, 90_000);

  it('stops every process cleanly afterwards', async () => {
    worker.child.removeAllListeners('exit');
    const workerExit = new Promise<number | null>((resolve) => worker.child.once('exit', resolve));
    worker.child.kill('SIGTERM');
    expect(await Promise.all([kill(apiA, 'SIGTERM'), kill(apiB, 'SIGTERM'), workerExit])).toEqual([0, 0, 0]);
  }, 30_000);
});
