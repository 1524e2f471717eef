// Crash safety (contract §10): a service killed with SIGKILL in the middle of a 20 000-item batch
// is restarted on the same database and finishes it, applying every item exactly once.
import { Batch, batchIdFromUuid } from '@container-service/batch-domain';
import { CONTAINER_BATCH_KIND, ContainerType } from '@container-service/container-domain';
import { Database, TypeOrmBatchRepository, TypeOrmContainerTypeRepository } from '@container-service/persistence-typeorm';
import { SignJWT } from 'jose';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { eventually } from './support/eventually';
import { Running, kill, start } from './support/service-process';
import { BASE, TEST_SECRET } from './support/test-app';

const ITEMS = 20_000;
const batchId = batchIdFromUuid('c0a5c0a5-0000-4000-8000-000000000001');

/** Every tenth item reuses the tracking id of the item before it, so exactly 2 000 must fail. */
function item(i: number) {
  const trackingId = i % 10 === 9 ? `T-${i - 1}` : `T-${i}`;
  return { refID: `r-${i}`, attributes: { weight: i % 100 }, trackingDetails: [{ operator: 'DHL', trackingId }] };
}

/** A fresh database holding type bag and one batch of `items` create items, seeded through the
 * repository port (JSON submits hold at most 1 024 items). */
async function seed(items: number) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cs-crash-'));
  const url = `sqlite:${path.join(dir, 'db.sqlite')}`;
  const database = await Database.open(url);
  const type = ContainerType.define({ tenantId: 'acme', name: 'bag', attributes: [{ name: 'weight', dataType: 'number', required: true }] }, Date.now(), null);
  if (!type.ok) throw new Error('type');
  await new TypeOrmContainerTypeRepository(database).add(type.value);
  const batch = Batch.submit(
    { id: batchId, tenantId: 'acme', kind: CONTAINER_BATCH_KIND, targetType: 'bag', operation: 'create', source: 'json', total: items },
    Date.now(),
  );
  if (!batch.ok) throw new Error('batch');
  await new TypeOrmBatchRepository(database).add(
    batch.value,
    Array.from({ length: items }, (_, i) => ({ refId: `r-${i}`, input: item(i) })),
  );
  await database.close();
  const env = { AUTH_JWT_SECRET: TEST_SECRET, DATABASE_URL: url, DATA_DIR: dir, WORKER_LEASE_MS: '1500', WORKER_CHUNK_SIZE: '250', LOG_LEVEL: 'info' };
  return { dir, url, env };
}

async function meta(running: Running) {
  const token = await new SignJWT({ tid: 'acme' }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('10m').sign(new TextEncoder().encode(TEST_SECRET));
  const response = await fetch(`${running.url}${BASE}/bag/batch/status?batchId=${batchId}`, {
    headers: { 'X-COREOS-REQUEST-ID': 'crash', 'X-COREOS-TID': 'acme', 'X-COREOS-ACCESS': token },
  });
  return ((await response.json()) as { data: { meta: Record<string, number | string> } }).data.meta;
}

// No bound of its own before: the test's time limit (120 s and more) was the only one.
const untilProcessed = (running: Running, atLeast: number) =>
  eventually(() => meta(running), {
    timeoutMs: 240_000,
    intervalMs: 20,
    what: `${atLeast} items processed`,
    until: (current) => Number(current.success) + Number(current.failed) >= atLeast,
  });

describe('a crash in the middle of a batch', () => {
  it('stops cleanly on SIGTERM mid-batch, and a restart finishes the rest', async () => {
    const { dir, env } = await seed(3000);
    const first = await start(dir, env);
    const before = await untilProcessed(first, 500);
    expect(await kill(first, 'SIGTERM')).toBe(0);
    expect(before.status).toBe('IN_PROGRESS');
    const second = await start(dir, env);
    const after = await eventually(() => meta(second), {
      timeoutMs: 120_000,
      intervalMs: 50,
      what: 'the restarted service to finish the batch',
      until: (current) => current.status !== 'IN_PROGRESS',
    });
    await kill(second, 'SIGTERM');
    expect(after).toMatchObject({ status: 'PARTIAL_SUCCESS', success: 2700, failed: 300, pending: 0 });
    fs.rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  it('resumes after SIGKILL and applies every item exactly once', async () => {
    const { dir, url, env } = await seed(ITEMS);

    const first = await start(dir, env);
    const before = await untilProcessed(first, 3000);
    await kill(first, 'SIGKILL');
    expect(before.status).toBe('IN_PROGRESS');

    const second = await start(dir, env);
    const after = await eventually(
      async () => {
        const current = await meta(second);
        expect(Number(current.success) + Number(current.failed) + Number(current.pending) + Number(current.cancelled)).toBe(ITEMS);
        return current;
      },
      {
        timeoutMs: 120_000,
        intervalMs: 100,
        what: 'the restarted service to finish the batch',
        until: (current) => current.status !== 'IN_PROGRESS' && current.status !== 'QUEUED',
      },
    );
    await kill(second, 'SIGTERM');

    expect(after).toMatchObject({ status: 'PARTIAL_SUCCESS', success: 18_000, failed: 2_000, pending: 0, total: ITEMS });
    const check = await Database.open(url);
    const one = async (sql: string) => Number(Object.values((await check.read((m) => m.query(sql)))[0] as Record<string, unknown>)[0]);
    // Every item has exactly one outcome, and the counters agree with the items.
    expect(
      await one('SELECT COUNT(*) FROM batch_items i WHERE NOT EXISTS (SELECT 1 FROM batch_outcomes o WHERE o.batch_pk = i.batch_pk AND o.seq = i.seq)'),
    ).toBe(0);
    expect(await one("SELECT COUNT(*) FROM batch_outcomes WHERE state = 'success'")).toBe(18_000);
    expect(await one("SELECT COUNT(*) FROM batch_outcomes WHERE state = 'failed' AND code = 'TRACKING_ID_TAKEN'")).toBe(2_000);
    // As many containers as successes, each the result of exactly one item.
    expect(await one('SELECT COUNT(*) FROM containers')).toBe(18_000);
    expect(await one('SELECT COUNT(DISTINCT c.id) FROM containers c JOIN batch_outcomes o ON o.result_id = c.id')).toBe(18_000);
    // No tracking id stored twice, and none missing.
    expect(await one('SELECT COUNT(*) FROM container_tracking')).toBe(18_000);
    expect(await one('SELECT COUNT(*) FROM (SELECT tracking_id FROM container_tracking GROUP BY tenant_id, operator, tracking_id HAVING COUNT(*) > 1)')).toBe(
      0,
    );
    await check.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }, 240_000);
});
