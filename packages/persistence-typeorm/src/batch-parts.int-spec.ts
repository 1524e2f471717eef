// One big batch shared by several workers on the real databases (ADR 0020): its parts processed
// out of order and at the same time, and still every conflict within it decided in input order,
// every item with one outcome, every container stored once, the counters adding up.
import { ITEMS_PER_PART, ProcessBatchChunk, SubmitBatch } from '@container-service/batch-domain';
import { FixedClock, SequentialIdGenerator, StaticAccessVerifier, leaseOn } from '@container-service/batch-domain/testing';
import { CONTAINER_BATCH_KIND, CreateContainerHandler, UpdateContainerHandler, containerBatchScope } from '@container-service/container-domain';
import { aContainerType } from '@container-service/container-domain/testing';
import { Database } from './database';
import { TypeOrmBatchProcessingStore } from './typeorm-batch-processing.store';
import { TypeOrmBatchRepository } from './typeorm-batch.repository';
import { TypeOrmContainerStoreProvider } from './typeorm-container.store';
import { TypeOrmContainerTypeRepository } from './typeorm-container-type.repository';
import { postgresScratch, requirePostgres } from '../test/postgres-scratch';
import { sqliteScratch } from '../test/sqlite-scratch';

jest.setTimeout(120_000);

const tempUrl = sqliteScratch('cs-parts').url;
const stores: Array<[string, () => Promise<string> | string]> = [['a SQLite file', tempUrl]];
if (requirePostgres()) {
  const scratch = postgresScratch('cs_parts');
  stores.push(['PostgreSQL', () => scratch.migrated()]);
}

const TOTAL = ITEMS_PER_PART * 2 + 100;
/** Items that claim what an earlier item claims, with the one they repeat: the later always in an earlier-numbered-or-later part. */
const REPEATS: ReadonlyArray<[later: number, earlier: number]> = [
  [ITEMS_PER_PART + 5, 3], // a scannable id of part 0 again in part 1
  [ITEMS_PER_PART * 2 + 7, ITEMS_PER_PART + 9], // a tracking id of part 1 again in part 2
  [20, 11], // within part 0
];

function items() {
  const scannable = new Map<number, number>(REPEATS.filter((_, i) => i !== 1).map(([later, earlier]) => [later, earlier]));
  const tracking = new Map<number, number>([[REPEATS[1]![0], REPEATS[1]![1]]]);
  return Array.from({ length: TOTAL }, (_, i) => ({
    refID: `r-${i}`,
    scannableId: `S-${scannable.get(i) ?? i}`,
    trackingDetails: [{ operator: 'DHL', trackingId: `T-${tracking.get(i) ?? i}` }],
  }));
}

for (const [label, fresh] of stores) {
  describe(`a big batch shared by workers on ${label}`, () => {
    it('decides conflicts in input order whatever order its parts run in, and loses no count', async () => {
      const url = await fresh();
      const database = await Database.open(url);
      const rival = await Database.open(url, { busyTimeoutMs: 10_000 });
      try {
        await new TypeOrmContainerTypeRepository(database).add(aContainerType({ name: 'bag', attributes: [] }));
        const clock = new FixedClock();
        const ids = new SequentialIdGenerator();
        const submit = new SubmitBatch(
          new TypeOrmBatchRepository(database),
          { exists: async () => true },
          new StaticAccessVerifier().grant('tok', 'acme'),
          clock,
          ids,
          { ...containerBatchScope, maxItems: TOTAL, referenceField: { create: 'refID', update: 'containerId' } },
        );
        const submitted = await submit.execute({
          accessToken: 'tok',
          tenantId: 'acme',
          targetType: 'bag',
          operation: 'create',
          source: 'json',
          payload: items(),
          actor: null,
        });
        if (!submitted.ok) throw new Error(JSON.stringify(submitted.error));
        const locator = { tenantId: 'acme', kind: CONTAINER_BATCH_KIND, targetType: 'bag', batchId: submitted.value.batchId };
        const workers = [database, rival].map((db, w) => {
          const store = new TypeOrmBatchProcessingStore(db);
          const containers = new TypeOrmContainerStoreProvider();
          const handlers = { [CONTAINER_BATCH_KIND]: { create: new CreateContainerHandler(containers, ids), update: new UpdateContainerHandler(containers) } };
          return { store, process: new ProcessBatchChunk(store, handlers, clock, 500), owner: `w${w}` };
        });
        // The last range first, then the others, two workers at once: the tail (part 3) only once they are done.
        const run = async (worker: (typeof workers)[number], part: number) => {
          while (!(await worker.process.execute(leaseOn(locator, part))).done);
        };
        await run(workers[0]!, 2);
        await Promise.all([run(workers[0]!, 1), run(workers[1]!, 0)]);
        const tail = await workers[1]!.store.claim('w1', [CONTAINER_BATCH_KIND], clock.now(), clock.now() + 60_000);
        expect(tail).toMatchObject({ part: 3 });
        await run(workers[1]!, 3);

        const repository = new TypeOrmBatchRepository(database);
        const results = (await repository.findResults(locator, { afterSeq: -1, limit: TOTAL }))!;
        expect(results.batch.counts).toEqual({ total: TOTAL, success: TOTAL - REPEATS.length, failed: REPEATS.length, cancelled: 0, pending: 0 });
        expect(results.batch.isFinished).toBe(true);
        expect(results.items.map((item) => item.seq)).toEqual(Array.from({ length: TOTAL }, (_, i) => i));
        for (const [later, earlier] of REPEATS) {
          expect(results.items[earlier]).toMatchObject({ outcome: 'success' });
          expect(results.items[later]).toMatchObject({ outcome: 'failed', code: later === REPEATS[1]![0] ? 'TRACKING_ID_TAKEN' : 'SCANNABLE_ID_TAKEN' });
        }
        const [{ n }] = await database.read((m) => m.query('SELECT COUNT(*) AS n FROM containers'));
        expect(Number(n)).toBe(TOTAL - REPEATS.length);
        expect(await workers[0]!.store.claim('w0', [CONTAINER_BATCH_KIND], clock.now() + 120_000, clock.now() + 180_000)).toBeNull();
      } finally {
        await rival.close();
        await database.close();
      }
    });
  });
}
