// Small deterministic builders: aBatch({...}) and the items and outcomes that go with it.
import { BatchLease } from '../batch-processing.port';
import { Batch, SubmitBatchProps } from '../batch';
import { batchIdFromUuid } from '../batch-id';
import { ItemOutcome, NewBatchItem } from '../batch-item';
import { BatchLocator } from '../batch-repository.port';
import { BatchSeeder } from './batch-seeder';

export const T0 = Date.UTC(2026, 0, 1);
/** The kind of the batches these builders make unless told otherwise. */
export const A_KIND = 'widget';

export function aBatchId(n = 1): ReturnType<typeof batchIdFromUuid> {
  return batchIdFromUuid(`0b000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`);
}

export function aBatch(overrides: Partial<SubmitBatchProps> = {}, now = T0): Batch {
  const result = Batch.submit(
    { id: aBatchId(), tenantId: 'acme', kind: A_KIND, targetType: 'parcel', operation: 'create', source: 'json', total: 3, ...overrides },
    now,
  );
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

/** Where aBatch() is: acme's batch of A_KIND and type parcel, by aBatchId(). */
export function aLocator(overrides: Partial<BatchLocator> = {}): BatchLocator {
  return { tenantId: 'acme', kind: A_KIND, targetType: 'parcel', batchId: aBatchId(), ...overrides };
}

/** A lease on part `part` of the batch at `locator`, as a worker's claim gives it (for tests that drive processing directly). */
export function leaseOn(locator: BatchLocator, part = 0): BatchLease {
  return { locator, part, owner: 'test-worker', expiresAt: Number.MAX_SAFE_INTEGER };
}

export function someItems(count: number, options: { withRows?: boolean } = {}): NewBatchItem[] {
  return Array.from({ length: count }, (_, i) => ({
    refId: `r-${i + 1}`,
    row: options.withRows ? i + 2 : null,
    input: { refID: `r-${i + 1}`, n: i + 1 },
  }));
}

/** 'S' succeeds, 'F' fails, anything else stays pending: plan('SSF') for items 0..2. */
export function outcomesFor(plan: string, firstSeq = 0): ItemOutcome[] {
  const outcomes: ItemOutcome[] = [];
  Array.from(plan).forEach((step, i) => {
    const seq = firstSeq + i;
    if (step === 'S') outcomes.push({ seq, kind: 'success', resultId: `parcel:${seq + 1}` });
    if (step === 'F') outcomes.push({ seq, kind: 'failed', reason: `item ${seq + 1} is not valid`, code: 'ITEM_INVALID' });
  });
  return outcomes;
}

/** Stores a batch and records the planned outcomes through a seeder, the way processing would. */
export async function storeBatch(seeder: BatchSeeder, plan: string, overrides: Partial<SubmitBatchProps> = {}, now = T0): Promise<Batch> {
  const batch = aBatch({ total: plan.length, ...overrides }, now);
  await seeder.add(batch, someItems(plan.length, { withRows: batch.toSnapshot().source === 'file' }));
  const outcomes = outcomesFor(plan);
  if (outcomes.length > 0) {
    batch.recordOutcomes(
      outcomes.map((o) => o.kind),
      now + 1000,
    );
    await seeder.recordOutcomes(batch, outcomes);
  }
  return batch;
}
