// How a batch's state reads on a terminal or in a log: one summary line, one progress line, and
// the exit code the state means (2 when any item failed or was cancelled).
import type { BatchMeta } from '@container-service/client';
import { EXIT_ITEMS_FAILED, EXIT_OK } from './cli-error';

export function exitCodeFor(meta: BatchMeta): number {
  return meta.failed > 0 || meta.cancelled > 0 || meta.status === 'FAILED' || meta.status === 'CANCELLED' ? EXIT_ITEMS_FAILED : EXIT_OK;
}

/** `batch:… PARTIAL_SUCCESS: 18 succeeded, 2 failed, 0 cancelled, 0 pending of 20` */
export function summaryLine(meta: BatchMeta): string {
  const pending = meta.pending > 0 ? `, ${String(meta.pending)} pending` : '';
  return `${meta.batchId} ${meta.status}: ${String(meta.success)} succeeded, ${String(meta.failed)} failed, ${String(meta.cancelled)} cancelled${pending} of ${String(meta.total)}`;
}

/** `IN_PROGRESS 62.5% 12500/20000 1380 items/s ETA 5s`: one line per event when output is not a terminal. */
export function progressLine(meta: BatchMeta): string {
  const done = meta.success + meta.failed + meta.cancelled;
  return `${meta.status} ${formatPercent(percentOf(meta))}% ${String(done)}/${String(meta.total)} ${String(rateOf(meta))} items/s ETA ${formatEta(meta.progress.etaMs)}`;
}

export const percentOf = (meta: BatchMeta): number => meta.progress.percent;

export const rateOf = (meta: BatchMeta): number => Math.round(meta.progress.itemsPerSecond);

export const formatPercent = (percent: number): string => percent.toFixed(1);

/** `?` while unknown, else `45s`, `3m05s`, `1h02m`. */
export function formatEta(etaMs: number | null): string {
  if (etaMs === null) return '?';
  const seconds = Math.ceil(etaMs / 1000);
  if (seconds < 60) return `${String(seconds)}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${String(minutes)}m${String(seconds % 60).padStart(2, '0')}s`;
  return `${String(Math.floor(minutes / 60))}h${String(minutes % 60).padStart(2, '0')}m`;
}
