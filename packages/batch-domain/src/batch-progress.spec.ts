import { Batch } from './batch';
import { ProgressFacts, RATE_WINDOW_MS, batchProgress, nextRateWindow } from './batch-progress';
import { T0, aBatch } from './testing';

const facts = (overrides: Partial<ProgressFacts>): ProgressFacts => ({
  total: 100,
  success: 0,
  failed: 0,
  cancelled: 0,
  startedAt: null,
  completedAt: null,
  rateWindow: null,
  ...overrides,
});

describe('batchProgress', () => {
  it('is 0 %, 0 items/s and no estimate before processing starts', () => {
    expect(batchProgress(facts({}), T0)).toEqual({ percent: 0, itemsPerSecond: 0, etaMs: null });
  });

  it('counts success, failed and cancelled as done, to one decimal', () => {
    expect(batchProgress(facts({ total: 16, success: 7, failed: 2, cancelled: 1, startedAt: T0 }), T0 + 2_000).percent).toBe(62.5);
    expect(batchProgress(facts({ total: 3, success: 1, startedAt: T0 }), T0 + 2_000).percent).toBe(33.3);
  });

  it('rounds the percentage down, so that 100 means finished', () => {
    expect(batchProgress(facts({ total: 10_000, success: 9_999, startedAt: T0 }), T0 + 2_000).percent).toBe(99.9);
  });

  it('measures the rate from the start of the window to the moment of reading, and the ETA from it', () => {
    const rateWindow = { fromAt: T0, fromDone: 100, markAt: T0 + 4_000, markDone: 300 };
    // 400 items in 8 s since the window's start: 50/s; 500 left: 10 s.
    expect(batchProgress(facts({ total: 1_000, success: 450, failed: 50, startedAt: T0 - 10_000, rateWindow }), T0 + 8_000)).toEqual({
      percent: 50,
      itemsPerSecond: 50,
      etaMs: 10_000,
    });
  });

  it('slows down by itself when processing stalls', () => {
    const rateWindow = { fromAt: T0, fromDone: 0, markAt: T0 + 5_000, markDone: 500 };
    const running = batchProgress(facts({ total: 1_000, success: 500, startedAt: T0, rateWindow }), T0 + 5_000);
    const stalled = batchProgress(facts({ total: 1_000, success: 500, startedAt: T0, rateWindow }), T0 + 50_000);
    expect(running.itemsPerSecond).toBe(100);
    expect(stalled.itemsPerSecond).toBe(10);
    expect(stalled.etaMs).toBe(50_000);
  });

  it('reads spans under a second as one second (a first chunk says little about the pace)', () => {
    expect(batchProgress(facts({ total: 1_000, success: 200, startedAt: T0 }), T0 + 10).itemsPerSecond).toBe(200);
  });

  it('measures from the start for rows stored before the window existed', () => {
    expect(batchProgress(facts({ total: 100, success: 40, startedAt: T0 }), T0 + 4_000)).toEqual({ percent: 40, itemsPerSecond: 10, etaMs: 6_000 });
  });

  it('gives an ETA of 0 and the final pace once finished', () => {
    const rateWindow = { fromAt: T0, fromDone: 0, markAt: T0 + 2_000, markDone: 100 };
    expect(batchProgress(facts({ success: 90, failed: 10, startedAt: T0, completedAt: T0 + 2_000, rateWindow }), T0 + 60_000)).toEqual({
      percent: 100,
      itemsPerSecond: 50,
      etaMs: 0,
    });
  });

  it('gives an ETA of 0 for a batch cancelled before it started', () => {
    expect(batchProgress(facts({ cancelled: 100, completedAt: T0 }), T0)).toEqual({ percent: 100, itemsPerSecond: 0, etaMs: 0 });
  });

  it('has no estimate when the pace shows as 0 items/s', () => {
    expect(batchProgress(facts({ total: 100, success: 1, startedAt: T0 }), T0 + 60_000)).toEqual({ percent: 1, itemsPerSecond: 0, etaMs: null });
  });

  it('has no estimate when nothing was processed in the window', () => {
    const rateWindow = { fromAt: T0, fromDone: 0, markAt: T0, markDone: 0 };
    expect(batchProgress(facts({ startedAt: T0, rateWindow }), T0 + 3_000).etaMs).toBeNull();
  });
});

describe('nextRateWindow', () => {
  it('starts at the batch start with nothing done', () => {
    expect(nextRateWindow(null, T0, 50, T0 + 200)).toEqual({ fromAt: T0, fromDone: 0, markAt: T0 + 200, markDone: 50 });
  });

  it('keeps its marks while the newer one is younger than the window', () => {
    const window = { fromAt: T0, fromDone: 0, markAt: T0 + 200, markDone: 50 };
    expect(nextRateWindow(window, T0, 80, T0 + RATE_WINDOW_MS)).toBe(window);
  });

  it('slides: the newer mark becomes the start once it is a window old', () => {
    const window = { fromAt: T0, fromDone: 0, markAt: T0 + 200, markDone: 50 };
    expect(nextRateWindow(window, T0, 900, T0 + 200 + RATE_WINDOW_MS)).toEqual({
      fromAt: T0 + 200,
      fromDone: 50,
      markAt: T0 + 200 + RATE_WINDOW_MS,
      markDone: 900,
    });
  });
});

describe('Batch progress', () => {
  it('follows recorded outcomes: the window moves with the chunks that land', () => {
    const batch: Batch = aBatch({ total: 1_000 }, T0);
    batch.start(T0);
    for (let second = 1; second <= 20; second++) batch.recordOutcomes(Array<'success'>(40).fill('success'), T0 + second * 1_000);
    // 40 items a second, read at the last chunk: the window covers its last 5 to 10 seconds.
    expect(batch.progressAt(T0 + 20_000)).toEqual({ percent: 80, itemsPerSecond: 40, etaMs: 5_000 });
    expect(batch.toSnapshot().rateWindow?.fromAt).toBeGreaterThanOrEqual(T0 + 10_000);
  });
});
