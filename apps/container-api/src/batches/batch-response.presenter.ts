// Maps a batch status report to the contract's BatchResponse (§3). Explicit, field by field.
import { Batch, BatchProgress, BatchSnapshot, BatchStatus, BatchStatusReport, FailureResult, SuccessResult } from '@container-service/batch-domain';
import { ActionByJson, presentActionBy } from '../http/action-by';

export interface BatchMetaJson {
  status: string;
  success: number;
  failed: number;
  total: number;
  batchId: string;
  containerType: string;
  operation: string;
  source: string;
  pending: number;
  cancelled: number;
  createdAt: number;
  startedAt: number | null;
  completedAt: number | null;
  hasMore?: boolean;
  callback: { state: string; attempts: number };
  progress: { percent: number; itemsPerSecond: number; etaMs: number | null };
  parentBatchId?: string;
  createdBy: ActionByJson;
}

export interface BatchResponseJson {
  meta: BatchMetaJson;
  errors: Array<{ refID: string; reason: string; code: string; row?: number }>;
  success: Array<{ refID: string; id: string; row?: number }>;
}

/** A batch's meta; `hasMore` only where lists of items come with it. */
function presentMeta(b: BatchSnapshot, status: BatchStatus, pending: number, hasMore: boolean | undefined, progress: BatchProgress): BatchMetaJson {
  const meta: BatchMetaJson = {
    status,
    success: b.success,
    failed: b.failed,
    total: b.total,
    batchId: b.id,
    containerType: b.targetType,
    operation: b.operation,
    source: b.source,
    pending,
    cancelled: b.cancelled,
    createdAt: b.createdAt,
    startedAt: b.startedAt,
    completedAt: b.completedAt,
    ...(hasMore !== undefined ? { hasMore } : {}),
    callback: { state: b.callbackState, attempts: b.callbackAttempts },
    progress: { percent: progress.percent, itemsPerSecond: progress.itemsPerSecond, etaMs: progress.etaMs },
    createdBy: presentActionBy(b.createdBy, b.tenantId),
  };
  if (b.parentBatchId !== null) meta.parentBatchId = b.parentBatchId;
  return meta;
}

/** The meta of a batch in a listing, with its progress at `now` as the status route shows it. */
export function presentBatchMeta(batch: Batch, now: number): BatchMetaJson {
  return presentMeta(batch.toSnapshot(), batch.status, batch.counts.pending, undefined, batch.progressAt(now));
}

/** A status report's meta alone, as the event stream sends it. */
export function presentReportMeta(report: BatchStatusReport): BatchMetaJson {
  return presentMeta(report.batch, report.status, report.pending, report.hasMore, report.progress);
}

/** A status report as BatchResponse. */
export function presentBatchStatus(report: BatchStatusReport): BatchResponseJson {
  return {
    meta: presentMeta(report.batch, report.status, report.pending, report.hasMore, report.progress),
    errors: presentFailures(report.failures),
    success: presentSuccesses(report.successes),
  };
}

/** A status answer's `errors`. */
export function presentFailures(failures: readonly FailureResult[]): BatchResponseJson['errors'] {
  return failures.map((f) =>
    f.row === null ? { refID: f.refId, reason: f.reason, code: f.code } : { refID: f.refId, reason: f.reason, code: f.code, row: f.row },
  );
}

/** A status answer's `success`. */
export function presentSuccesses(successes: readonly SuccessResult[]): BatchResponseJson['success'] {
  return successes.map((s) => (s.row === null ? { refID: s.refId, id: s.resultId } : { refID: s.refId, id: s.resultId, row: s.row }));
}
