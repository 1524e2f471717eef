// Explicit mapping between Batch snapshots and batch rows.
import { Actor, Batch, BatchId, BatchSnapshot } from '@container-service/batch-domain';
import { BatchRow } from './schemas/batch.schema';

export function toBatchRow(batch: Batch): Omit<BatchRow, 'pk'> {
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
    columns: s.columns === null ? null : JSON.stringify(s.columns),
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
