// Explicit mapping between Batch snapshots and batch rows. A file batch's header (`columns`) is
// written once, with the batch, and read only where rows are read: status and list reads leave
// it out (a wide header parsed on every poll adds up), and progress updates never write it.
import { Actor, Batch, BatchId, BatchSnapshot } from '@container-service/batch-domain';
import { BatchRow } from './schemas/batch.schema';

export function toBatchRow(batch: Batch): Omit<BatchRow, 'pk'> {
  const columns = batch.toSnapshot().columns;
  return { ...toBatchProgress(batch), columns: columns === null ? null : JSON.stringify(columns) };
}

/** A batch row without its key and header: what an update after submit writes. */
export function toBatchProgress(batch: Batch): Omit<BatchRow, 'pk' | 'columns'> {
  const s = batch.toSnapshot();
  return {
    tenantId: s.tenantId,
    id: s.id,
    targetType: s.targetType,
    operation: s.operation,
    source: s.source,
    total: s.total,
    success: s.success,
    failed: s.failed,
    cancelled: s.cancelled,
    createdAt: s.createdAt,
    startedAt: s.startedAt,
    completedAt: s.completedAt,
    cancelledAt: s.cancelledAt,
    createdBy: s.createdBy === null ? null : JSON.stringify(s.createdBy),
    parentBatchId: s.parentBatchId,
    callbackState: s.callbackState,
    callbackAttempts: s.callbackAttempts,
  };
}

export function fromBatchRow(row: BatchRow): Batch {
  const snapshot: BatchSnapshot = {
    id: row.id as BatchId,
    tenantId: row.tenantId,
    targetType: row.targetType,
    operation: row.operation as BatchSnapshot['operation'],
    source: row.source as BatchSnapshot['source'],
    total: row.total,
    success: row.success,
    failed: row.failed,
    cancelled: row.cancelled,
    createdAt: row.createdAt,
    startedAt: row.startedAt,
    completedAt: row.completedAt,
    cancelledAt: row.cancelledAt,
    createdBy: row.createdBy === null ? null : (JSON.parse(row.createdBy) as Actor),
    parentBatchId: row.parentBatchId as BatchId | null,
    callbackState: row.callbackState as BatchSnapshot['callbackState'],
    callbackAttempts: row.callbackAttempts,
    columns: row.columns === null ? null : (JSON.parse(row.columns) as string[]),
  };
  return Batch.fromSnapshot(snapshot);
}
