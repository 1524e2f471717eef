// Processing on the real databases: the processing and claim contracts on a SQLite file and on
// PostgreSQL, and what only a real database shows: item handlers' writes and outcomes together, store failures told
// from item failures, looks for work that take no write lock.
import {
  BatchContext,
  HandledOutcome,
  ItemHandler,
  PROCESSING_ERROR,
  PROCESSING_ERROR_REASON,
  PendingItem,
  ProcessBatchChunk,
  StoreFailure,
} from '@container-service/batch-domain';
import {
  FixedClock,
  SequentialIdGenerator,
  T0,
  aBatch,
  aBatchId,
  leaseOn,
  describeBatchClaimContract,
  describeBatchProcessingContract,
  type ProcessingFixture,
} from '@container-service/batch-domain/testing';
import { AttributeConfig } from '@container-service/container-domain';
import { CONTAINER_BATCH_KIND, CreateContainerHandler, UpdateContainerHandler } from '@container-service/container-domain';
import { aContainer, aContainerType } from '@container-service/container-domain/testing';
import { EntityManager } from 'typeorm';
import { Database } from './database';
import { TypeOrmBatchProcessingStore } from './typeorm-batch-processing.store';
import { isSqliteFault as isStoreFault } from './sqlite-database';
import { isPostgresFault } from './postgres-database';
import { DatabaseDamagedError } from './damage-watch';
import { TypeOrmBatchRepository } from './typeorm-batch.repository';
import { TypeOrmBatchSeeder } from './testing';
import { TypeOrmContainerStore, TypeOrmContainerStoreProvider } from './typeorm-container.store';
import { TypeOrmContainerTypeRepository } from './typeorm-container-type.repository';
import { postgresScratch, requirePostgres } from '../test/postgres-scratch';
import { sqliteScratch } from '../test/sqlite-scratch';

const locator = { tenantId: 'acme', kind: CONTAINER_BATCH_KIND, targetType: 'bag', batchId: aBatchId() };
const KINDS = [CONTAINER_BATCH_KIND];

const tempUrl = sqliteScratch('cs-proc').url;

/** Each store with a way to a fresh database, and the error its driver throws when the disk is full. */
interface Store {
  readonly label: string;
  readonly url: () => Promise<string> | string;
  readonly diskFull: Record<string, unknown>;
}
const stores: Store[] = [{ label: 'a SQLite file', url: tempUrl, diskFull: { code: 'SQLITE_FULL' } }];
if (requirePostgres()) {
  const scratch = postgresScratch('cs_proc');
  stores.push({ label: 'PostgreSQL', url: () => scratch.migrated(), diskFull: { driverError: { code: '53100' } } });
}

async function setUp(inputs: unknown[], options: { columns?: string[]; attributes?: AttributeConfig[]; url?: Store['url'] } = {}) {
  const url = await (options.url ?? tempUrl)();
  const database = await Database.open(url);
  await new TypeOrmContainerTypeRepository(database).add(
    aContainerType({ name: 'bag', attributes: options.attributes ?? [{ name: 'weight', dataType: 'number', required: true }] }),
  );
  const batch = aBatch({
    kind: CONTAINER_BATCH_KIND,
    targetType: 'bag',
    total: inputs.length,
    ...(options.columns ? { source: 'file', columns: options.columns } : {}),
  });
  await new TypeOrmBatchRepository(database).add(
    batch,
    inputs.map((input, i) => ({ refId: `r-${i}`, input })),
  );
  const store = new TypeOrmBatchProcessingStore(database);
  const stores = new TypeOrmContainerStoreProvider();
  const create = new CreateContainerHandler(stores, new SequentialIdGenerator());
  const update = new UpdateContainerHandler(stores);
  const count = async (table: string) => Number((await database.read((m) => m.query(`SELECT COUNT(*) AS n FROM ${table}`)))[0].n);
  return { url, database, store, create, update, count };
}

for (const on of stores) {
  describe(`processing on ${on.label}`, () => {
    it('applies a batch chunk by chunk; containers and outcomes land together', async () => {
      const inputs = Array.from({ length: 5 }, (_, i) => ({
        refID: `r-${i}`,
        attributes: i === 2 ? {} : { weight: i },
        trackingDetails: [{ operator: 'DHL', trackingId: `T${i % 4}` }],
      }));
      const { database, store, create, update, count } = await setUp(inputs, { url: on.url });
      const process = new ProcessBatchChunk(store, { [CONTAINER_BATCH_KIND]: { create, update } }, new FixedClock(), 2);
      let report;
      do report = await process.execute(leaseOn(locator));
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

    it("reads on after items another process recorded in the part meanwhile, neither again nor skipping any (ADR 0036's resume points)", async () => {
      const inputs = Array.from({ length: 10 }, (_, i) => ({ refID: `r-${i}`, attributes: { weight: i } }));
      const { url, database, store, create, update, count } = await setUp(inputs, { url: on.url });
      const other = await Database.open(url);
      try {
        const handlers = { [CONTAINER_BATCH_KIND]: { create, update } };
        const here = (size: number) => new ProcessBatchChunk(store, handlers, new FixedClock(), size).execute(leaseOn(locator));
        const there = (size: number) =>
          new ProcessBatchChunk(new TypeOrmBatchProcessingStore(other), handlers, new FixedClock(), size).execute(leaseOn(locator));
        expect(await here(2)).toMatchObject({ processed: 2 });
        expect(await there(3)).toMatchObject({ processed: 3 });
        expect(await here(2)).toMatchObject({ processed: 2, done: false });
        expect(await there(1)).toMatchObject({ processed: 1 });
        expect(await here(5)).toMatchObject({ processed: 2, done: true });
        const results = await new TypeOrmBatchRepository(database).findResults(locator, { afterSeq: -1, limit: 20 });
        expect(results!.items.map((r) => [r.seq, r.outcome])).toEqual(inputs.map((_, seq) => [seq, 'success']));
        expect(await count('containers')).toBe(10);
      } finally {
        await other.close();
        await database.close();
      }
    });

    it('reads a part from its start again when the outcome at its resume point is gone (commits a failover lost)', async () => {
      const inputs = Array.from({ length: 10 }, (_, i) => ({ refID: `r-${i}`, attributes: { weight: i } }));
      const { database, store, create, update, count } = await setUp(inputs, { url: on.url });
      const process = (size: number) =>
        new ProcessBatchChunk(store, { [CONTAINER_BATCH_KIND]: { create, update } }, new FixedClock(), size).execute(leaseOn(locator));
      expect(await process(2)).toMatchObject({ processed: 2 });
      expect(await process(2)).toMatchObject({ processed: 2 });
      // The second chunk's commit lost: its outcomes, containers and counts gone, the store's resume point (seq 3) left.
      await database.write(async (m) => {
        await m.query('DELETE FROM batch_outcomes WHERE seq >= 2');
        await m.query("DELETE FROM containers WHERE ref_id IN ('r-2', 'r-3')");
        await m.query('UPDATE batches SET success = 2');
      });
      let report;
      do report = await process(3);
      while (!report.done);
      const results = await new TypeOrmBatchRepository(database).findResults(locator, { afterSeq: -1, limit: 20 });
      expect(results!.items.map((r) => [r.seq, r.outcome])).toEqual(inputs.map((_, seq) => [seq, 'success']));
      expect(results!.batch.counts).toMatchObject({ success: 10, pending: 0 });
      expect(await count('containers')).toBe(10);
      await database.close();
    });

    it('leaves neither containers nor outcomes when a chunk fails midway', async () => {
      const inputs = Array.from({ length: 3 }, (_, i) => ({ refID: `r-${i}`, attributes: { weight: i } }));
      const { database, store, create, update, count } = await setUp(inputs, { url: on.url });
      // Writes every container of the chunk, then the disk fails before the outcomes are recorded.
      const failing: ItemHandler<EntityManager> = {
        async handleChunk(tx: EntityManager, context: BatchContext, items: readonly PendingItem[]): Promise<HandledOutcome[]> {
          await create.handleChunk(tx, context, items);
          expect(Number((await tx.query('SELECT COUNT(*) AS n FROM containers'))[0].n)).toBe(3);
          throw Object.assign(new Error('database or disk is full'), on.diskFull);
        },
      };
      await expect(
        new ProcessBatchChunk(store, { [CONTAINER_BATCH_KIND]: { create: failing, update } }, new FixedClock(), 10).execute(leaseOn(locator)),
      ).rejects.toBeInstanceOf(StoreFailure);
      expect(await count('containers')).toBe(0);
      expect((await new TypeOrmBatchRepository(database).findStatus(locator, 10))!.batch.counts.pending).toBe(3);
      await new ProcessBatchChunk(store, { [CONTAINER_BATCH_KIND]: { create, update } }, new FixedClock(), 10).execute(leaseOn(locator));
      expect(await count('containers')).toBe(3);
      await database.close();
    });

    /** Runs a chunk of 2 that stops at `pause` ('handled': its items applied; 'recorded': its outcomes written too) until a cancel on another connection was sent. */
    async function cancelDuringChunk(pause: 'handled' | 'recorded') {
      const inputs = Array.from({ length: 6 }, (_, i) => ({ refID: `r-${i}`, attributes: { weight: i } }));
      const { url, database, store, create, update, count } = await setUp(inputs, { url: on.url });
      let reached: () => void = () => undefined;
      const inFlight = new Promise<void>((resolve) => (reached = resolve));
      let release: () => void = () => undefined;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const hold = async () => {
        reached();
        await gate;
      };
      const held: ItemHandler<EntityManager> = {
        async handleChunk(tx: EntityManager, context: BatchContext, items: readonly PendingItem[]): Promise<HandledOutcome[]> {
          const outcomes = await create.handleChunk(tx, context, items);
          if (pause === 'handled') await hold();
          return outcomes;
        },
      };
      const recordChunk = store.recordChunk.bind(store);
      store.recordChunk = async (...args) => {
        const recorded = await recordChunk(...args);
        if (pause === 'recorded') await hold();
        return recorded;
      };
      const chunk = new ProcessBatchChunk(store, { [CONTAINER_BATCH_KIND]: { create: held, update } }, new FixedClock(), 2).execute(leaseOn(locator));
      await inFlight;
      const other = await Database.open(url, { busyTimeoutMs: 5000 });
      const cancel = new TypeOrmBatchRepository(other).cancel(locator, T0 + 5);
      await new Promise((resolve) => setTimeout(resolve, 50));
      release();
      const report = await chunk;
      const cancelled = await cancel;
      const view = await new TypeOrmBatchRepository(database).findStatus(locator, 10);
      const containers = await count('containers');
      await other.close();
      await database.close();
      return { report, cancelled, view: view!, containers };
    }

    it('lets a cancel on another connection wait for a chunk that recorded its items, then cancel the rest: the counters add up', async () => {
      const { report, cancelled, view, containers } = await cancelDuringChunk('recorded');
      expect(report).toMatchObject({ processed: 2 });
      expect(cancelled?.cancelled).toBe(true);
      expect(cancelled?.batch.counts).toMatchObject({ total: 6, success: 2, failed: 0, cancelled: 4, pending: 0 });
      expect(view.batch.counts).toMatchObject({ total: 6, success: 2, failed: 0, cancelled: 4, pending: 0 });
      expect(view.successes.map((s) => s.refId)).toEqual(['r-0', 'r-1']);
      expect(containers).toBe(2);
    });

    it('supersedes a chunk whose items a cancel took first, or lets the cancel wait: either way no cancelled item leaves a container', async () => {
      const { report, cancelled, view, containers } = await cancelDuringChunk('handled');
      expect(cancelled?.cancelled).toBe(true);
      const { success, cancelled: gone, pending } = view.batch.counts;
      expect([success + gone, pending]).toEqual([6, 0]);
      expect(containers).toBe(success);
      // PostgreSQL lets the cancel commit first; SQLite's one writer makes it wait for the chunk.
      expect(report).toEqual(success === 0 ? { processed: 0, done: true, leaseEnded: false, superseded: true } : expect.objectContaining({ processed: 2 }));
    });

    it('fails an item whose processing throws (JSON nested 100 000 deep) with PROCESSING_ERROR alone; the rest lands in input order', async () => {
      const deep = '{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000);
      const rows = [
        ['r-0', '1', '{"size":1}', '[{"operator":"DHL","trackingId":"T1"}]'],
        ['r-1', '2', deep, '[{"operator":"DHL","trackingId":"T2"}]'],
        ['r-2', '3', '{"size":3}', '[{"operator":"DHL","trackingId":"T2"}]'],
        ['r-3', '4', '{"size":4}', '[{"operator":"DHL","trackingId":"T1"}]'],
      ];
      const { database, store, create, update, count } = await setUp(rows, {
        url: on.url,
        columns: ['refID', 'attributes.weight', 'attributes.shape', 'trackingDetails'],
        attributes: [
          { name: 'weight', dataType: 'number', required: true },
          { name: 'shape', dataType: 'object', required: false },
        ],
      });
      const report = await new ProcessBatchChunk(store, { [CONTAINER_BATCH_KIND]: { create, update } }, new FixedClock(), 10).execute(leaseOn(locator));
      expect(report).toMatchObject({ processed: 4, done: true });
      const view = await new TypeOrmBatchRepository(database).findStatus(locator, 10);
      // The deep row is either refused by a rule (a depth limit) or fails alone; either way the
      // others are decided in input order: r-2 takes T2, which r-1 never got, and r-3 loses T1 to r-0.
      const deepRow = view!.failures.find((f) => f.refId === 'r-1');
      expect([PROCESSING_ERROR, 'ATTRIBUTE_INVALID']).toContain(deepRow?.code);
      if (deepRow?.code === PROCESSING_ERROR) expect(deepRow.reason).toBe(PROCESSING_ERROR_REASON);
      expect(view!.successes.map((s) => s.refId)).toEqual(['r-0', 'r-2']);
      expect(view!.failures.map((f) => [f.refId, f.code])).toEqual([
        ['r-1', deepRow?.code],
        ['r-3', 'TRACKING_ID_TAKEN'],
      ]);
      expect(await count('containers')).toBe(2);
      await database.close();
    });
  });
}

describe('processing on SQLite', () => {
  it('looks for work without the write lock, so a look that finds nothing never waits for it', async () => {
    const { url, database, store } = await setUp([{ refID: 'r-0' }]);
    await database.write((tx) => tx.query('UPDATE batches SET completed_at = 1'));
    // Another connection (a submit in another thread or process) holds the write lock meanwhile.
    const other = await Database.open(url, { busyTimeoutMs: 5000 });
    let release: () => void = () => undefined;
    const held = other.write(() => new Promise<void>((resolve) => (release = resolve)));
    await new Promise((resolve) => setTimeout(resolve, 10));
    const started = Date.now();
    expect(await store.claim('w1', KINDS, 1000, 2000)).toBeNull();
    expect(Date.now() - started).toBeLessThan(500);
    release();
    await held;
    await other.close();
    await database.close();
  });

  it("writes leases flushed 'with-next' (the next chunk's synced commit takes them to disk), and every chunk synced", async () => {
    const { database, store, create, update } = await setUp([{ refID: 'r-0' }]);
    const processor = new ProcessBatchChunk(store, { [CONTAINER_BATCH_KIND]: { create, update } }, new FixedClock());
    const write = jest.spyOn(database, 'write');
    const lease = await store.claim('w1', KINDS, 1000, 2000);
    expect(await store.renew(lease!, 1000, 3000)).toBe(true);
    await store.release(lease!);
    const leaseWrites = write.mock.calls.map((call) => call[1]);
    expect(leaseWrites).toEqual([{ flush: 'with-next' }, { flush: 'with-next' }, { flush: 'with-next' }]);
    write.mockClear();
    await processor.execute((await store.claim('w1', KINDS, 1000, 2000))!);
    const [claim, chunk] = write.mock.calls.map((call) => call[1]);
    expect(claim).toEqual({ flush: 'with-next' });
    expect(chunk?.flush).not.toBe('with-next');
    await database.close();
  });

  it('tells a failure of the database itself from one of an item', () => {
    const driverFailure = (code: string) => Object.assign(new Error('failed'), { driverError: { code } });
    for (const code of ['SQLITE_BUSY', 'SQLITE_FULL', 'SQLITE_IOERR_WRITE', 'SQLITE_CORRUPT', 'SQLITE_NOTADB', 'SQLITE_READONLY_DBMOVED', 'SQLITE_CANTOPEN']) {
      expect(isStoreFault(driverFailure(code))).toBe(true);
    }
    expect(isStoreFault(Object.assign(new Error('no space'), { code: 'ENOSPC' }))).toBe(true);
    expect(isStoreFault(new DatabaseDamagedError('SQLITE_CORRUPT: database disk image is malformed'))).toBe(true);
    for (const code of ['SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_TOOBIG', 'SQLITE_ERROR']) expect(isStoreFault(driverFailure(code))).toBe(false);
    expect(isStoreFault(new RangeError('Maximum call stack size exceeded'))).toBe(false);
    expect(isStoreFault(Object.assign(new TypeError('x'), { code: 'ERR_INVALID_ARG_TYPE' }))).toBe(false);
  });

  it('turns a busy database into a StoreFailure, so that no item is blamed for it', async () => {
    const { url, database, create, update } = await setUp([{ refID: 'r-0', attributes: { weight: 1 } }]);
    const other = await Database.open(url, { busyTimeoutMs: 5000 });
    const busy = await Database.open(url, { busyTimeoutMs: 50 });
    let release: () => void = () => undefined;
    const held = other.write(() => new Promise<void>((resolve) => (release = resolve)));
    await new Promise((resolve) => setTimeout(resolve, 10));
    const process = new ProcessBatchChunk(new TypeOrmBatchProcessingStore(busy), { [CONTAINER_BATCH_KIND]: { create, update } }, new FixedClock(), 10);
    await expect(process.execute(leaseOn(locator))).rejects.toBeInstanceOf(StoreFailure);
    release();
    await held;
    expect((await new TypeOrmBatchRepository(database).findStatus(locator, 10))!.batch.counts.pending).toBe(1);
    expect((await process.execute(leaseOn(locator))).processed).toBe(1);
    await Promise.all([other.close(), busy.close(), database.close()]);
  });
});

describe('processing on PostgreSQL', () => {
  it("tells a failure of the database itself from one of an item by the error's SQLSTATE", () => {
    const driverFailure = (code: string) => Object.assign(new Error('failed'), { driverError: { code } });
    for (const code of ['08006', '08001', '53100', '53300', '57P01', '57P03', '58030', '40001', '40P01', '55P03']) {
      expect(isPostgresFault(driverFailure(code))).toBe(true);
    }
    expect(isPostgresFault(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isPostgresFault(new Error('Connection terminated unexpectedly'))).toBe(true);
    for (const code of ['23505', '23503', '22001', '22P02', '42601']) expect(isPostgresFault(driverFailure(code))).toBe(false);
    expect(isPostgresFault(new RangeError('Maximum call stack size exceeded'))).toBe(false);
  });
});

// The race case meets a rival on a second Database opened on the same database: another
// connection (on SQLite with its own write queue), as another process would have.
for (const { label, url: fresh } of stores) {
  describeBatchClaimContract(`TypeOrmBatchProcessingStore on ${label}`, async () => {
    const url = await fresh();
    const open = async () => {
      const database = await Database.open(url);
      return { store: new TypeOrmBatchProcessingStore(database), repository: new TypeOrmBatchSeeder(database), close: () => database.close() };
    };
    return { ...(await open()), rival: open };
  });

  describeBatchProcessingContract<EntityManager>(`TypeOrmBatchProcessingStore on ${label}`, async () => {
    const url = await fresh();
    const open = async (): Promise<ProcessingFixture<EntityManager>> => {
      const database = await Database.open(url);
      const repository = new TypeOrmBatchRepository(database);
      return {
        store: new TypeOrmBatchProcessingStore(database),
        seed: async (batch, items) => {
          await repository.add(batch, items);
        },
        receive: async (batch, items) => {
          const { tenantId, kind, targetType, id } = batch.toSnapshot();
          const intake = await repository.beginIntake({ tenantId, kind, targetType, batchId: id, expiresAt: T0 + 60_000 });
          await intake.append(items, T0 + 60_000);
          return {
            commit: async () => {
              await intake.commit(batch);
            },
          };
        },
        results: async (at) => (await repository.findResults(at, { afterSeq: -1, limit: 1000 }))?.items ?? [],
        // An item handler's own write: a container, through the chunk's transaction.
        handlerWrites: {
          write: (tx, mark) => new TypeOrmContainerStore(tx).insertMany([aContainer({ id: `bag:${mark}` })]),
          committed: async () =>
            (await database.read((m) => m.query<Array<{ id: string }>>('SELECT id FROM containers ORDER BY id'))).map((row) => row.id.slice('bag:'.length)),
        },
        close: () => database.close(),
      };
    };
    return { ...(await open()), rival: open };
  });
}
