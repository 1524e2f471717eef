// What every BatchBacklog must answer: totals over every tenant, the derived status of each
// batch, the items still pending and when the oldest of them was submitted.
import { BatchBacklog, BatchRetention } from '../batch-repository.port';
import { BatchSeeder } from './batch-seeder';
import { T0, aBatchId, storeBatch } from './builders';

export interface BacklogFixture {
  readonly backlog: BatchBacklog;
  /** Stores batches over the same store. */
  readonly seeder: BatchSeeder;
  /** Removes finished batches from the same store (retention). */
  readonly repository: Pick<BatchRetention, 'purgeFinishedBatches'>;
  close?(): Promise<void>;
}

export function describeBatchBacklogContract(name: string, open: () => Promise<BacklogFixture>): void {
  describe(`BatchBacklog: ${name}`, () => {
    let fixture: BacklogFixture;
    beforeEach(async () => {
      fixture = await open();
    });
    afterEach(async () => {
      await fixture.close?.();
    });

    it('says an empty store has nothing waiting', async () => {
      expect(await fixture.backlog.backlog()).toEqual({
        batches: { QUEUED: 0, IN_PROGRESS: 0, SUCCESS: 0, PARTIAL_SUCCESS: 0, FAILED: 0, CANCELLED: 0 },
        pendingItems: 0,
        oldestPendingAt: null,
      });
    });

    it("counts every tenant's batches by status, their pending items, and the oldest one's submission", async () => {
      const { seeder } = fixture;
      await storeBatch(seeder, 'SS', { id: aBatchId(1), tenantId: 'acme' }, T0);
      await storeBatch(seeder, 'SF', { id: aBatchId(2), tenantId: 'acme' }, T0 + 1);
      await storeBatch(seeder, 'FF', { id: aBatchId(3), tenantId: 'beta' }, T0 + 2);
      await storeBatch(seeder, '...', { id: aBatchId(4), tenantId: 'beta' }, T0 + 30);
      await storeBatch(seeder, 'S..', { id: aBatchId(5), tenantId: 'acme' }, T0 + 20);
      const cancelled = await storeBatch(seeder, 'S.', { id: aBatchId(6), tenantId: 'gamma' }, T0 + 3);
      cancelled.cancel(T0 + 5000);
      await seeder.recordCancellation(cancelled);
      expect(await fixture.backlog.backlog()).toEqual({
        batches: { QUEUED: 1, IN_PROGRESS: 1, SUCCESS: 1, PARTIAL_SUCCESS: 1, FAILED: 1, CANCELLED: 1 },
        pendingItems: 5,
        oldestPendingAt: T0 + 20,
      });
    });

    it('counts a finished batch until retention removes it, and a cancelled one once, whatever happens to it after', async () => {
      const { seeder } = fixture;
      await storeBatch(seeder, 'SF', { id: aBatchId(1), tenantId: 'acme' }, T0);
      await storeBatch(seeder, 'SS', { id: aBatchId(2), tenantId: 'beta' }, T0 + 50_000);
      const cancelled = await storeBatch(seeder, 'S..', { id: aBatchId(3), tenantId: 'acme' }, T0 + 1);
      cancelled.cancel(T0 + 100);
      await seeder.recordCancellation(cancelled);
      const counts = async () => (await fixture.backlog.backlog()).batches;
      expect(await counts()).toEqual({ QUEUED: 0, IN_PROGRESS: 0, SUCCESS: 1, PARTIAL_SUCCESS: 1, FAILED: 0, CANCELLED: 1 });
      while ((await fixture.repository.purgeFinishedBatches(T0 + 10_000, 1)) > 0);
      expect(await counts()).toEqual({ QUEUED: 0, IN_PROGRESS: 0, SUCCESS: 1, PARTIAL_SUCCESS: 0, FAILED: 0, CANCELLED: 0 });
    });
  });
}
