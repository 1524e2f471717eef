// Processing on the real database: chunk transactions, the unit of work, and leases.
import { BatchContext, HandledOutcome, ItemHandler, PendingItem, ProcessBatchChunk } from '@container-service/batch-domain';
import { FixedClock, SequentialIdGenerator, aBatch, aBatchId } from '@container-service/batch-domain/testing';
import { CreateContainerHandler, UpdateContainerHandler } from '@container-service/container-domain';
import { aContainerType } from '@container-service/container-domain/testing';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EntityManager } from 'typeorm';
import { Database } from './database';
import { TypeOrmBatchProcessingStore } from './typeorm-batch-processing.store';
import { TypeOrmBatchRepository } from './typeorm-batch.repository';
import { TypeOrmContainerStoreProvider } from './typeorm-container.store';
import { TypeOrmContainerTypeRepository } from './typeorm-container-type.repository';

const locator = { tenantId: 'acme', targetType: 'bag', batchId: aBatchId() };

async function setUp(inputs: unknown[]) {
  const database = await Database.open(`sqlite:${path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cs-proc-')), 'db.sqlite')}`);
  await new TypeOrmContainerTypeRepository(database).add(aContainerType({ name: 'bag', attributes: [{ name: 'weight', dataType: 'number', required: true }] }));
  const batch = aBatch({ targetType: 'bag', total: inputs.length });
  await new TypeOrmBatchRepository(database).add(batch, inputs.map((input, i) => ({ refId: `r-${i}`, input })));
  const store = new TypeOrmBatchProcessingStore(database);
  const stores = new TypeOrmContainerStoreProvider();
  const create = new CreateContainerHandler(stores, new SequentialIdGenerator());
  const update = new UpdateContainerHandler(stores);
  const count = async (table: string) => Number((await database.reader.query(`SELECT COUNT(*) AS n FROM ${table}`))[0].n);
  return { database, store, create, update, count };
}

describe('processing on SQLite', () => {
  it('applies a batch chunk by chunk; containers and outcomes land together', async () => {
    const inputs = Array.from({ length: 5 }, (_, i) => ({ refID: `r-${i}`, attributes: i === 2 ? {} : { weight: i }, trackingDetails: [{ operator: 'DHL', trackingId: `T${i % 4}` }] }));
    const { database, store, create, update, count } = await setUp(inputs);
    const process = new ProcessBatchChunk(store, { create, update }, new FixedClock(), 2);
    let report;
    do report = await process.execute(locator);
    while (!report.done);
    const view = await new TypeOrmBatchRepository(database).findStatus(locator, 10);
    expect(view!.batch.status).toBe('PARTIAL_SUCCESS');
    // Item 2 misses weight; item 4 reuses item 0's tracking id, so the first wins.
    expect(view!.failures.map((f) => [f.refId, f.code])).toEqual([
      ['r-2', 'ATTRIBUTE_INVALID'],
      ['r-4', 'TRACKING_ID_TAKEN'],
    ]);
    expect(await count('containers')).toBe(3);
    expect(await count('container_tracking')).toBe(3);
    await database.close();
  });

  it('leaves neither containers nor outcomes when a chunk fails midway', async () => {
    const inputs = Array.from({ length: 3 }, (_, i) => ({ refID: `r-${i}`, attributes: { weight: i } }));
    const { database, store, create, update, count } = await setUp(inputs);
    // Writes every container of the chunk, then the disk fails before the outcomes are recorded.
    const failing: ItemHandler<EntityManager> = {
      async handleChunk(tx: EntityManager, context: BatchContext, items: readonly PendingItem[]): Promise<HandledOutcome[]> {
        await create.handleChunk(tx, context, items);
        expect(Number((await tx.query('SELECT COUNT(*) AS n FROM containers'))[0].n)).toBe(3);
        throw new Error('disk full');
      },
    };
    await expect(new ProcessBatchChunk(store, { create: failing, update }, new FixedClock(), 10).execute(locator)).rejects.toThrow('disk full');
    expect(await count('containers')).toBe(0);
    expect((await new TypeOrmBatchRepository(database).findStatus(locator, 10))!.batch.counts.pending).toBe(3);
    await new ProcessBatchChunk(store, { create, update }, new FixedClock(), 10).execute(locator);
    expect(await count('containers')).toBe(3);
    await database.close();
  });

  it('refuses a duplicate tracking id in the database itself', async () => {
    const { database } = await setUp([{ refID: 'r-0' }]);
    const insert = () => database.write((tx) => tx.query("INSERT INTO container_tracking (tenant_id, operator, tracking_id, container_id) VALUES ('acme', 'DHL', 'T1', 'bag:1')"));
    await insert();
    await expect(insert()).rejects.toThrow(/UNIQUE/);
    await database.close();
  });

  it('leases a batch to one worker until the lease expires or is given up', async () => {
    const { database, store } = await setUp([{ refID: 'r-0' }]);
    const lease = await store.claim('w1', 1000, 2000);
    expect(lease).toMatchObject({ owner: 'w1', locator: { batchId: aBatchId() } });
    expect(await store.claim('w2', 1500, 2500)).toBeNull();
    expect(await store.renew({ ...lease!, owner: 'w2' }, 1500, 9000)).toBe(false);
    expect(await store.renew(lease!, 1500, 3000)).toBe(true);
    expect(await store.claim('w2', 2999, 4000)).toBeNull();
    const taken = await store.claim('w2', 3000, 4000);
    expect(taken?.owner).toBe('w2');
    expect(await store.renew(lease!, 3100, 5000)).toBe(false);
    await store.release(taken!);
    expect((await store.claim('w3', 3200, 4200))?.owner).toBe('w3');
    await database.close();
  });

  it('ends the lease with the chunk that finishes the batch, and not before', async () => {
    const inputs = Array.from({ length: 3 }, (_, i) => ({ refID: `r-${i}`, attributes: { weight: i } }));
    const { database, store, create, update } = await setUp(inputs);
    const leaseOf = async () => (await database.reader.query('SELECT lease_owner AS owner, lease_expires_at AS expiresAt FROM batches'))[0];
    const process = new ProcessBatchChunk(store, { create, update }, new FixedClock(), 2);
    await store.claim('w1', 1000, 2000);
    expect(await process.execute(locator)).toMatchObject({ done: false, leaseEnded: false });
    expect(await leaseOf()).toEqual({ owner: 'w1', expiresAt: 2000 });
    expect(await process.execute(locator)).toMatchObject({ done: true, leaseEnded: true });
    expect(await leaseOf()).toEqual({ owner: null, expiresAt: null });
    await database.close();
  });

  it('never hands out a batch still being received, and hands it out once committed', async () => {
    const { database, store } = await setUp([{ refID: 'r-0' }]);
    await database.write((tx) => tx.query("UPDATE batches SET completed_at = 1"));
    const repository = new TypeOrmBatchRepository(database);
    const intake = await repository.beginIntake({ tenantId: 'acme', batchId: aBatchId(2), targetType: 'bag', expiresAt: 500 });
    await intake.append([{ refId: 'f-1', row: 2, input: ['f-1'] }], 500);
    expect(await store.claim('w1', 1000, 2000)).toBeNull();
    await intake.append([{ refId: 'f-2', row: 3, input: ['f-2'] }], 5000);
    await intake.commit(aBatch({ id: aBatchId(2), targetType: 'bag', total: 2, source: 'file', columns: ['refID'] }));
    expect((await store.claim('w1', 1000, 2000))?.locator.batchId).toBe(aBatchId(2));
    await database.close();
  });

  it('looks for work without the write lock, so a look that finds nothing never waits for it', async () => {
    const { database, store } = await setUp([{ refID: 'r-0' }]);
    await database.write((tx) => tx.query('UPDATE batches SET completed_at = 1'));
    // Another connection (a submit in another thread or process) holds the write lock meanwhile.
    const other = await Database.open(`sqlite:${database.location.file}`, { busyTimeoutMs: 5000 });
    let release = () => undefined as void;
    const held = other.write(() => new Promise<void>((resolve) => (release = resolve)));
    await new Promise((resolve) => setTimeout(resolve, 10));
    const started = Date.now();
    expect(await store.claim('w1', 1000, 2000)).toBeNull();
    expect(Date.now() - started).toBeLessThan(500);
    release();
    await held;
    await other.close();
    await database.close();
  });
});
