// API and workers scaled apart: an API process without a worker takes the batch, and a separate
// `npm run worker` process (dist/worker.js) on the same database processes it.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { defineType } from './support/container-types';
import { DIST, cleanEnv } from './support/service-process';
import { BASE, TEST_SECRET, TestApp, startTestApp } from './support/test-app';

describe('a separate worker process', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ WORKER_ENABLED: 'false' });
  });
  afterAll(async () => {
    await t.close();
  });

  it('processes batches that an API process without a worker accepted', async () => {
    await defineType(t, { name: 'bag' });
    const submitted = await t.request(`${BASE}/bag/batch`, {
      method: 'POST',
      headers: await t.headers(),
      body: { payload: Array.from({ length: 300 }, (_, i) => ({ refID: `w-${i}` })) },
    });
    expect(submitted.status).toBe(202);
    const status = async () => (await t.request(`${BASE}/bag/batch/status?batchId=${submitted.body.data.id}`, { headers: await t.headers() })).body.data.meta;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await status()).status).toBe('QUEUED');

    const worker = spawn(process.execPath, [path.join(DIST, 'worker.js')], {
      env: cleanEnv({ AUTH_JWT_SECRET: TEST_SECRET, DATABASE_URL: `sqlite:${path.join(t.dir, 'db.sqlite')}`, DATA_DIR: t.dir, WORKER_IDLE_MS: '20' }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    worker.stdout.on('data', (chunk) => (output += chunk));
    worker.stderr.on('data', (chunk) => (output += chunk));
    try {
      let meta = await status();
      for (let i = 0; i < 300 && meta.status !== 'SUCCESS'; i++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        meta = await status();
      }
      expect(meta).toMatchObject({ status: 'SUCCESS', success: 300 });
      expect(output).toContain('batch worker started');
    } finally {
      const exit = new Promise<number | null>((resolve) => worker.once('exit', resolve));
      worker.kill('SIGTERM');
      expect(await exit).toBe(0);
    }
  }, 60_000);
});
