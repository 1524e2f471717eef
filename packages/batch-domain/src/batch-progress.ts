// How far a batch is, how fast it goes and how long it still needs (contract §3 `meta.progress`),
// derived only from what its stored row holds: the counters, the times, and a rate window that
// every chunk moves on under the batch's row lock. Any process reading the store therefore computes
// the same progress, whichever processes (and how many at once) did the work.

/**
 * Two marks of the processed count (success + failed) with their times. The rate is measured from
 * `from` to the moment of reading, so it covers between RATE_WINDOW_MS and twice that while work
 * flows, and slows down by itself when it stalls.
 */
export interface RateWindow {
  readonly fromAt: number;
  readonly fromDone: number;
  readonly markAt: number;
  readonly markDone: number;
}

export interface BatchProgress {
  /** Done (success + failed + cancelled) / total × 100, one decimal, rounded down: 100 only when all are done. */
  readonly percent: number;
  /** Items processed per second over the last few seconds of processing, one decimal; 0 before it starts. */
  readonly itemsPerSecond: number;
  /** Estimated milliseconds to the end; null when it cannot be estimated (not started, no pace), 0 once finished. */
  readonly etaMs: number | null;
}

/** How old the newer mark gets before it becomes the start of the window. */
export const RATE_WINDOW_MS = 5_000;
/** Spans shorter than this are read as this long: the first chunk of a batch says little about its pace. */
const MIN_SPAN_MS = 1_000;

/** The window after `processed` items were done at `now`, processing having started at `startedAt`. */
export function nextRateWindow(window: RateWindow | null, startedAt: number, processed: number, now: number): RateWindow {
  if (window === null) return { fromAt: startedAt, fromDone: 0, markAt: now, markDone: processed };
  if (now - window.markAt >= RATE_WINDOW_MS) return { fromAt: window.markAt, fromDone: window.markDone, markAt: now, markDone: processed };
  return window;
}

/** What progress is computed from: a batch snapshot has all of it. */
export interface ProgressFacts {
  readonly total: number;
  readonly success: number;
  readonly failed: number;
  readonly cancelled: number;
  readonly startedAt: number | null;
  readonly completedAt: number | null;
  readonly rateWindow: RateWindow | null;
}

const oneDecimal = (value: number): number => Math.round(value * 10) / 10;

/** The batch's progress as read at `now`. */
export function batchProgress(facts: ProgressFacts, now: number): BatchProgress {
  const { total, success, failed, cancelled, startedAt, completedAt } = facts;
  const done = success + failed + cancelled;
  const finished = completedAt !== null;
  const percent = total > 0 ? Math.floor((done * 1000) / total) / 10 : 100;
  if (startedAt === null) return { percent, itemsPerSecond: 0, etaMs: finished ? 0 : null };
  // Rows written before the window existed measure from the start.
  const fromAt = facts.rateWindow?.fromAt ?? startedAt;
  const fromDone = facts.rateWindow?.fromDone ?? 0;
  const span = Math.max((completedAt ?? now) - fromAt, MIN_SPAN_MS);
  const perSecond = (Math.max(success + failed - fromDone, 0) * 1000) / span;
  const itemsPerSecond = oneDecimal(perSecond);
  // A pace that shows as 0 items/s gives no estimate either (it would be days, and meaningless).
  const etaMs = finished ? 0 : itemsPerSecond > 0 ? Math.round(((total - done) * 1000) / perSecond) : null;
  return { percent, itemsPerSecond, etaMs };
}
