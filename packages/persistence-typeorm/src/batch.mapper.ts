// Explicit mapping between Batch snapshots and batch rows. A file batch's header (`columns`) is
// written once, with the batch, and read only where rows are read: status and list reads leave
// it out (a wide header parsed on every poll adds up), and progress updates never write it.
// Column names come from BatchSchema, so this file spells none of them.
import { Actor, Batch, BatchId, BatchSnapshot, RateWindow } from '@container-service/batch-domain';
import { BatchRow, BatchSchema } from './schemas/batch.schema';

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
    kind: s.kind,
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
    rateFromAt: s.rateWindow?.fromAt ?? null,
    rateFromDone: s.rateWindow?.fromDone ?? null,
    rateMarkAt: s.rateWindow?.markAt ?? null,
    rateMarkDone: s.rateWindow?.markDone ?? null,
  };
}

/** The rate window of a row, when all its marks are there. */
function rateWindowOf(row: BatchRow): RateWindow | null {
  const { rateFromAt, rateFromDone, rateMarkAt, rateMarkDone } = row;
  if (rateFromAt === undefined || rateFromDone === undefined || rateMarkAt === undefined || rateMarkDone === undefined) return null;
  if (rateFromAt === null || rateFromDone === null || rateMarkAt === null || rateMarkDone === null) return null;
  return { fromAt: rateFromAt, fromDone: rateFromDone, markAt: rateMarkAt, markDone: rateMarkDone };
}

export function fromBatchRow(row: BatchRow): Batch {
  const snapshot: BatchSnapshot = {
    id: row.id as BatchId,
    tenantId: row.tenantId,
    kind: row.kind,
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
    rateWindow: rateWindowOf(row),
  };
  return Batch.fromSnapshot(snapshot);
}

/** Every field of a batch but its header, which a list or status answer never shows. */
export const SUMMARY_FIELDS = [
  'pk',
  'tenantId',
  'id',
  'kind',
  'targetType',
  'operation',
  'source',
  'total',
  'success',
  'failed',
  'cancelled',
  'createdAt',
  'startedAt',
  'completedAt',
  'cancelledAt',
  'createdBy',
  'parentBatchId',
  'callbackState',
  'callbackAttempts',
  'rateFromAt',
  'rateFromDone',
  'rateMarkAt',
  'rateMarkDone',
] as const satisfies ReadonlyArray<keyof BatchRow>;

/** A batch summary as the driver gives it for SUMMARY_COLUMNS: keyed by field, values as stored. */
export type RawSummaryRow = Record<(typeof SUMMARY_FIELDS)[number], string | number | null>;

/** SUMMARY_FIELDS as a select list for fixed SQL, each column named after its field. */
export const SUMMARY_COLUMNS = SUMMARY_FIELDS.map((field) => {
  const column = BatchSchema.options.columns[field]?.name ?? field;
  return column === field ? field : `${column} AS "${field}"`;
}).join(', ');

const numOrNull = (value: string | number | null): number | null => (value === null ? null : Number(value));
const textOrNull = (value: string | number | null): string | null => (value === null ? null : String(value));

/** A summary read with fixed SQL as a row; numbers may come back as strings from some drivers. */
export function fromRawSummary(r: RawSummaryRow): BatchRow {
  return {
    pk: Number(r.pk),
    tenantId: String(r.tenantId),
    id: String(r.id),
    kind: String(r.kind),
    targetType: String(r.targetType),
    operation: String(r.operation),
    source: String(r.source),
    total: Number(r.total),
    success: Number(r.success),
    failed: Number(r.failed),
    cancelled: Number(r.cancelled),
    createdAt: Number(r.createdAt),
    startedAt: numOrNull(r.startedAt),
    completedAt: numOrNull(r.completedAt),
    cancelledAt: numOrNull(r.cancelledAt),
    createdBy: textOrNull(r.createdBy),
    parentBatchId: textOrNull(r.parentBatchId),
    callbackState: String(r.callbackState),
    callbackAttempts: Number(r.callbackAttempts),
    rateFromAt: numOrNull(r.rateFromAt),
    rateFromDone: numOrNull(r.rateFromDone),
    rateMarkAt: numOrNull(r.rateMarkAt),
    rateMarkDone: numOrNull(r.rateMarkDone),
    // Not in a summary (SUMMARY_FIELDS).
    columns: null,
  };
}
