// In-memory BatchRepository for tests; behaves like the real adapters (see the contract suite).
import { Batch } from '../batch';
import { FailureResult, ItemOutcome, ItemResult, NewBatchItem, SuccessResult } from '../batch-item';
import { BatchLocator, BatchRepository, BatchStatusView } from '../batch-repository.port';
import { BatchSnapshot } from '../batch';

interface StoredItem {
  refId: string;
  row: number | null;
  input: unknown;
  result: ItemResult | null;
}

export class InMemoryBatchRepository implements BatchRepository {
  private readonly batches = new Map<string, BatchSnapshot>();
  private readonly items = new Map<string, StoredItem[]>();

  async add(batch: Batch, items: Iterable<NewBatchItem>): Promise<void> {
    const key = this.key(batch.tenantId, batch.id);
    if (this.batches.has(key)) throw new Error(`Batch ${batch.id} already stored`);
    const stored = [...items].map((item) => ({ refId: item.refId, row: item.row ?? null, input: structuredClone(item.input), result: null }));
    if (stored.length !== batch.counts.total) throw new Error(`Batch ${batch.id} has total ${batch.counts.total} but ${stored.length} items`);
    this.batches.set(key, batch.toSnapshot());
    this.items.set(key, stored);
  }

  async recordOutcomes(batch: Batch, outcomes: readonly ItemOutcome[]): Promise<void> {
    const key = this.key(batch.tenantId, batch.id);
    const items = this.items.get(key);
    if (!items) throw new Error(`Batch ${batch.id} is not stored`);
    for (const outcome of outcomes) {
      const item = items[outcome.seq];
      if (!item || item.result !== null) throw new Error(`Item ${outcome.seq} of ${batch.id} is not pending`);
    }
    for (const outcome of outcomes) {
      const item = items[outcome.seq]!;
      item.result =
        outcome.kind === 'success'
          ? { seq: outcome.seq, refId: item.refId, row: item.row, outcome: 'success', resultId: outcome.resultId }
          : { seq: outcome.seq, refId: item.refId, row: item.row, outcome: 'failed', reason: outcome.reason, code: outcome.code };
    }
    this.batches.set(key, batch.toSnapshot());
  }

  async recordCancellation(batch: Batch): Promise<void> {
    const key = this.key(batch.tenantId, batch.id);
    const items = this.items.get(key);
    if (!items) throw new Error(`Batch ${batch.id} is not stored`);
    items.forEach((item, seq) => {
      if (item.result === null) item.result = { seq, refId: item.refId, row: item.row, outcome: 'cancelled' };
    });
    this.batches.set(key, batch.toSnapshot());
  }

  async findStatus(locator: BatchLocator, listLimit: number): Promise<BatchStatusView | null> {
    const key = this.key(locator.tenantId, locator.batchId);
    const snapshot = this.batches.get(key);
    if (!snapshot || snapshot.targetType !== locator.targetType) return null;
    const results = (this.items.get(key) ?? []).map((item) => item.result);
    const failures = results.filter((r): r is FailureResult => r?.outcome === 'failed');
    const successes = results.filter((r): r is SuccessResult => r?.outcome === 'success');
    return {
      batch: Batch.fromSnapshot(snapshot),
      failures: failures.slice(0, listLimit),
      successes: successes.slice(0, listLimit),
      hasMore: failures.length > listLimit || successes.length > listLimit,
    };
  }

  private key(tenantId: string, batchId: string): string {
    return `${tenantId}\u0000${batchId}`;
  }
}
