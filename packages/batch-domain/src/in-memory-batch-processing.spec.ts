// The processing contract on the in-memory fake, with a handler's own writes that join its transaction.
import { Batch } from './batch';
import { NewBatchItem } from './batch-item';
import { InMemoryBatchRepository, InMemoryTx, T0, describeBatchProcessingContract } from './testing';

describeBatchProcessingContract<InMemoryTx>('in memory', async () => {
  const repository = new InMemoryBatchRepository();
  const marks: string[] = [];
  return {
    store: repository,
    seed: async (batch: Batch, items: readonly NewBatchItem[]) => {
      await repository.add(batch, items);
    },
    receive: async (batch: Batch, items: readonly NewBatchItem[]) => {
      const { tenantId, kind, targetType, id } = batch.toSnapshot();
      const intake = await repository.beginIntake({ tenantId, kind, targetType, batchId: id, expiresAt: T0 + 60_000 });
      await intake.append(items, T0 + 60_000);
      return {
        commit: async () => {
          await intake.commit(batch);
        },
      };
    },
    results: async (locator) => (await repository.findResults(locator, { afterSeq: -1, limit: 1000 }))?.items ?? [],
    handlerWrites: {
      write: async (tx: InMemoryTx, mark: string) => {
        marks.push(mark);
        tx.onRollback(() => marks.splice(marks.indexOf(mark), 1));
      },
      committed: async () => [...marks],
    },
  };
});
