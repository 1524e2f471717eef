// Crash safety (contract §10): a service killed with SIGKILL in the middle of a 20 000-item batch
// is restarted on the same database and finishes it, applying every item exactly once.
import { Batch, batchIdFromUuid } from '@container-service/batch-domain';
import { ContainerType } from '@container-service/container-domain';
import { Database, TypeOrmBatchRepository, TypeOrmContainerTypeRepository } from '@container-service/persistence-typeorm';
import { SignJWT } from 'jose';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Running, start } from './support/service-process';
import { BASE, TEST_SECRET } from './support/test-app';

const ITEMS = 20_000;
const batchId = batchIdFromUuid('c0a5c0a5-0000-4000-8000-000000000001');

/** Every tenth item reuses the tracking id of the item before it, so exactly 2 000 must fail. */
function item(i: number) {
  const trackingId = i % 10 === 9 ? `T-${i - 1}` : `T-${i}`;
  return { refID: `r-${i}`, attributes: { weight: i % 100 }, trackingDetails: [{ operator: 'DHL', trackingId }] };
}

describe('a crash in the middle of a batch', () => {
  it('resumes after SIGKILL and applies every item exactly once', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cs-crash-'));
    const url = `sqlite:${path.join(dir, 'db.sqlite')}`;

    // The batch is seeded through the repository port: JSON submits hold at most 1 024 items.
    const seed = await Database.open(url);
    const type = ContainerType.define({ tenantId: 'acme', name: 'bag', attributes: [{ name: 'weight', dataType: 'number', required: true }] }, Date.now(), null);
    if (!type.ok) throw new Error('type');
    await new TypeOrmContainerTypeRepository(seed).add(type.value);
    const batch = Batch.submit({ id: batchId, tenantId: 'acme', targetType: 'bag', operation: 'create', source: 'json', total: ITEMS }, Date.now());
    if (!batch.ok) throw new Error('batch');
    await new TypeOrmBatchRepository(seed).add(
      batch.value,
      Array.from({ length: ITEMS }, (_, i) => ({ refId: `r-${i}`, input: item(i) })),
    );
    await seed.close();

    const env = { AUTH_JWT_SECRET: TEST_SECRET, DATABASE_URL: url, DATA_DIR: dir, WORKER_LEASE_MS: '1500', WORKER_CHUNK_SIZE: '250', LOG_LEVEL: 'info' };
    const token = await new SignJWT({ tid: 'acme' }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('10m').sign(new TextEncoder().encode(TEST_SECRET));
    const meta = async (running: Running) => {
      const response = await fetch(`${running.url}${BASE}/bag/batch/status?batchId=${batchId}`, {
        headers: { 'X-COREOS-REQUEST-ID': 'crash', 'X-COREOS-TID': 'acme', 'X-COREOS-ACCESS': token },
      });
      return ((await response.json()) as { data: { meta: Record<string, number | string> } }).data.meta;
    };

    const first = await start(dir, env);
    let before: Record<string, number | string>;
    for (;;) {
      before = await meta(first);
      if (Number(before.success) + Number(before.failed) >= 3000) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    first.child.kill('SIGKILL');
    await new Promise((resolve) => first.child.once('exit', resolve));
    expect(before.status).toBe('IN_PROGRESS');

    const second = await start(dir, env);
    let after: Record<string, number | string>;
    const deadline = Date.now() + 120_000;
    for (;;) {
      after = await meta(second);
      expect(Number(after.success) + Number(after.failed) + Number(after.pending) + Number(after.cancelled)).toBe(ITEMS);
      if (after.status !== 'IN_PROGRESS' && after.status !== 'QUEUED') break;
      if (Date.now() > deadline) throw new Error(`not finished: ${JSON.stringify(after)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    second.child.kill('SIGTERM');
    await new Promise((resolve) => second.child.once('exit', resolve));

    expect(after).toMatchObject({ status: 'PARTIAL_SUCCESS', success: 18_000, failed: 2_000, pending: 0, total: ITEMS });
    const check = await Database.open(url);
    const one = async (sql: string) => Number(Object.values((await check.reader.query(sql))[0] as Record<string, unknown>)[0]);
    // Every item has exactly one outcome, and the counters agree with the items.
    expect(await one("SELECT COUNT(*) FROM batch_items WHERE state = 'pending'")).toBe(0);
    expect(await one("SELECT COUNT(*) FROM batch_items WHERE state = 'success'")).toBe(18_000);
    expect(await one("SELECT COUNT(*) FROM batch_items WHERE state = 'failed' AND code = 'TRACKING_ID_TAKEN'")).toBe(2_000);
    // As many containers as successes, each the result of exactly one item.
    expect(await one('SELECT COUNT(*) FROM containers')).toBe(18_000);
    expect(await one('SELECT COUNT(DISTINCT c.id) FROM containers c JOIN batch_items i ON i.result_id = c.id')).toBe(18_000);
    // No tracking id stored twice, and none missing.
    expect(await one('SELECT COUNT(*) FROM container_tracking')).toBe(18_000);
    expect(await one('SELECT COUNT(*) FROM (SELECT tracking_id FROM container_tracking GROUP BY tenant_id, operator, tracking_id HAVING COUNT(*) > 1)')).toBe(0);
    await check.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }, 240_000);
});
