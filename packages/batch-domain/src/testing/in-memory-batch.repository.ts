// In-memory BatchRepository for tests; behaves like the real adapters (see the contract suite).
import { Batch } from '../batch';
import { FailureResult, ItemOutcome, ItemResult, NewBatchItem, SuccessResult } from '../batch-item';
import { BatchLocator, BatchRepository, BatchStatusView, ResultsPageQuery } from '../batch-repository.port';
import { BatchLease, BatchProcessingStore, PendingItem } from '../batch-processing.port';
import { BatchSnapshot } from '../batch';

interface StoredItem {
  refId: string;
  row: number | null;
  input: unknown;
  result: ItemResult | null;
}

/** The in-memory transaction: writes made through it are undone when the work throws. */
export interface InMemoryTx {
  readonly id: number;
}

export class InMemoryBatchRepository implements BatchRepository, BatchProcessingStore<InMemoryTx> {
  private batches = new Map<string, BatchSnapshot>();
  private items = new Map<string, StoredItem[]>();
  private readonly leases = new Map<string, { owner: string; expiresAt: number }>();
  private txCount = 0;

  async transaction<T>(work: (tx: InMemoryTx) => Promise<T>): Promise<T> {
    const batches = new Map(this.batches);
    const items = new Map([...this.items].map(([k, v]) => [k, v.map((item) => ({ ...item }))]));
    try {
      return await work({ id: ++this.txCount });
    } catch (error) {
      this.batches = batches;
      this.items = items;
      throw error;
    }
  }

  async load(_tx: InMemoryTx, locator: BatchLocator): Promise<Batch | null> {
    const snapshot = this.batches.get(this.key(locator.tenantId, locator.batchId));
    return snapshot && snapshot.targetType === locator.targetType ? Batch.fromSnapshot(snapshot) : null;
  }

  async pendingItems(_tx: InMemoryTx, locator: BatchLocator, limit: number): Promise<PendingItem[]> {
    const items = this.items.get(this.key(locator.tenantId, locator.batchId)) ?? [];
    return items
      .map((item, seq) => ({ item, seq }))
      .filter(({ item }) => item.result === null)
      .slice(0, limit)
      .map(({ item, seq }) => ({ seq, refId: item.refId, row: item.row, input: structuredClone(item.input) }));
  }

  async claim(owner: string, now: number, expiresAt: number): Promise<BatchLease | null> {
    const open = [...this.batches.entries()]
      .filter(([key, s]) => s.completedAt === null && (this.leases.get(key)?.expiresAt ?? 0) <= now)
      .sort(([, a], [, b]) => a.createdAt - b.createdAt);
    const first = open[0];
    if (!first) return null;
    this.leases.set(first[0], { owner, expiresAt });
    const s = first[1];
    return { locator: { tenantId: s.tenantId, targetType: s.targetType, batchId: s.id }, owner, expiresAt };
  }

  async renew(lease: BatchLease, now: number, expiresAt: number): Promise<boolean> {
    const key = this.key(lease.locator.tenantId, lease.locator.batchId);
    const held = this.leases.get(key);
    if (!held || held.owner !== lease.owner) return false;
    this.leases.set(key, { owner: lease.owner, expiresAt: Math.max(expiresAt, now) });
    return true;
  }

  async release(lease: BatchLease): Promise<void> {
    const key = this.key(lease.locator.tenantId, lease.locator.batchId);
    if (this.leases.get(key)?.owner === lease.owner) this.leases.delete(key);
  }

  async add(batch: Batch, items: Iterable<NewBatchItem>): Promise<void> {
    const key = this.key(batch.tenantId, batch.id);
    if (this.batches.has(key)) throw new Error(`Batch ${batch.id} already stored`);
    const stored = [...items].map((item) => ({ refId: item.refId, row: item.row ?? null, input: structuredClone(item.input), result: null }));
    if (stored.length !== batch.counts.total) throw new Error(`Batch ${batch.id} has total ${batch.counts.total} but ${stored.length} items`);
    this.batches.set(key, batch.toSnapshot());
    this.items.set(key, stored);
  }

  recordChunk(_tx: InMemoryTx, batch: Batch, outcomes: readonly ItemOutcome[]): Promise<void> {
    return this.recordOutcomes(batch, outcomes);
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

  async findResults(locator: BatchLocator, query: ResultsPageQuery): Promise<{ items: ItemResult[]; pending: boolean } | null> {
    const key = this.key(locator.tenantId, locator.batchId);
    const snapshot = this.batches.get(key);
    if (!snapshot || snapshot.targetType !== locator.targetType) return null;
    const items = (this.items.get(key) ?? [])
      .map((item) => item.result)
      .filter((r): r is ItemResult => r !== null && r.seq > query.afterSeq && (query.outcome === undefined || r.outcome === query.outcome))
      .slice(0, query.limit);
    return { items, pending: Batch.fromSnapshot(snapshot).counts.pending > 0 };
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
