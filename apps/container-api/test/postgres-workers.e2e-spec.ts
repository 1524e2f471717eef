// Workers in processes of their own on PostgreSQL: an API process without a worker takes batches,
// two `npm run worker` processes (dist/worker.js) hear of them at once through LISTEN/NOTIFY,
// though they would poll only once a minute, and share one big batch between them.
import { freshDatabase, type FreshDatabase } from '@container-service/test-postgres';
import { ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { defineType } from './support/container-types';
import { DIST, cleanEnv } from './support/service-process';
import { BASE, TEST_SECRET, TestApp, startTestApp } from './support/test-app';

jest.setTimeout(120_000);

interface WorkerProcess {
  readonly child: ChildProcess;
  readonly lines: string[];
}

describe('worker processes on PostgreSQL', () => {
  let database: FreshDatabase;
  let t: TestApp;
  const workers: WorkerProcess[] = [];

  beforeAll(async () => {
    const base = process.env.TEST_DATABASE_URL;
    if (!base) throw new Error('TEST_DATABASE_URL is set by the jest globalSetup');
    database = await freshDatabase(base, 'e2e_workers');
    t = await startTestApp({ DATABASE_URL: database.url, WORKER_ENABLED: 'false' });
    for (const id of ['w-1', 'w-2']) {
      const child = spawn(process.execPath, [path.join(DIST, 'worker.js')], {
        // Polling once a minute (the most allowed): only a wakeup can start work within the test's time.
        env: cleanEnv({
          AUTH_JWT_SECRET: TEST_SECRET,
          DATABASE_URL: database.url,
          DATA_DIR: t.dir,
          WORKER_ID: id,
          WORKER_IDLE_MS: '60000',
          LOG_LEVEL: 'debug',
        }),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const lines: string[] = [];
      let rest = '';
      const take = (chunk: Buffer) => {
        const text = rest + chunk.toString('utf8');
        const all = text.split('\n');
        rest = all.pop() ?? '';
        lines.push(...all);
      };
      child.stdout.on('data', take);
      child.stderr.on('data', take);
      workers.push({ child, lines });
    }
    const started = Date.now();
    while (!workers.every((w) => w.lines.some((line) => line.includes('batch worker started')))) {
      if (Date.now() - started > 30_000) throw new Error(`workers did not start:\n${workers.map((w) => w.lines.join('\n')).join('\n---\n')}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    // Past their first look for work: from here on only a wakeup starts them.
    await new Promise((resolve) => setTimeout(resolve, 1000));
  });

  afterAll(async () => {
    await Promise.all(
      workers.map(async ({ child }) => {
        if (child.exitCode !== null) return;
        const exit = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exit;
      }),
    );
    await t.close();
    await database.drop();
  });

  const statusOf = async (id: string) => (await t.request(`${BASE}/bag/batch/status?batchId=${id}`, { headers: await t.headers() })).body.data.meta;
  async function finished(id: string, within: number) {
    const until = Date.now() + within;
    let meta = await statusOf(id);
    while (meta.status === 'QUEUED' || meta.status === 'IN_PROGRESS') {
      if (Date.now() > until) throw new Error(`batch ${id} still ${meta.status} after ${within} ms: ${JSON.stringify(meta)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
      meta = await statusOf(id);
    }
    return meta;
  }

  it('processes a batch submitted to another process at once, woken by NOTIFY rather than a poll', async () => {
    await defineType(t, { name: 'bag' });
    const submitted = await t.request(`${BASE}/bag/batch`, {
      method: 'POST',
      headers: await t.headers(),
      body: { payload: Array.from({ length: 50 }, (_, i) => ({ refID: `n-${i}` })) },
    });
    expect(submitted.status).toBe(202);
    expect(await finished(submitted.body.data.id, 15_000)).toMatchObject({ status: 'SUCCESS', success: 50 });
  });

  it('shares one big batch between both workers, part by part, with conflicts decided in input order', async () => {
    const total = 9000;
    // Row 8 502 (item 8 500) repeats the scannable id of item 10, in another part.
    const rows = Array.from({ length: total }, (_, i) => `b-${i},S-${i === 8500 ? 10 : i}`);
    const form = new FormData();
    form.append('file', new Blob([['refID,scannableId', ...rows].join('\n')], { type: 'text/csv' }), 'bags.csv');
    const submitted = await t.request(`${BASE}/bag/batch/upload`, { method: 'POST', headers: await t.headers(), form });
    expect(submitted.status).toBe(202);
    const id: string = submitted.body.data.id;
    expect(await finished(id, 90_000)).toMatchObject({ status: 'PARTIAL_SUCCESS', success: total - 1, failed: 1 });
    const failed = await t.request(`${BASE}/bag/batch/results?batchId=${id}&outcome=failed`, { headers: await t.headers() });
    expect(failed.body.data.items).toEqual([expect.objectContaining({ refID: 'b-8500', outcome: 'failed', code: 'SCANNABLE_ID_TAKEN' })]);
    const partsTaken = workers.map(
      ({ lines }) =>
        lines.filter((line) => {
          try {
            const entry = JSON.parse(line) as { msg?: string; batchId?: string };
            return entry.msg === 'part taken' && entry.batchId === id;
          } catch {
            return false;
          }
        }).length,
    );
    // Three ranges of 4 096 and a tail: both workers took some.
    expect(partsTaken.every((n) => n > 0)).toBe(true);
    const [{ n }] = await t.database.read((m) => m.query("SELECT COUNT(*) AS n FROM containers WHERE container_type = 'bag'"));
    expect(Number(n)).toBe(50 + total - 1);
  });
});
