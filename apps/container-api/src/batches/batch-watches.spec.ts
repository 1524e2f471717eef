import { Batch, BatchLocator, BatchStatusReport } from '@container-service/batch-domain';
import { T0, aBatch, aLocator } from '@container-service/batch-domain/testing';
import { batchEventStream } from './batch-event-stream';
import { BatchWatches } from './batch-watches';

const TICK = 40;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A report of `batch` as it is now. */
function reportOf(batch: Batch): BatchStatusReport {
  return {
    batch: batch.toSnapshot(),
    status: batch.status,
    pending: batch.counts.pending,
    failures: [],
    successes: [],
    hasMore: false,
    progress: batch.progressAt(T0),
  };
}

/** A status use case over one batch, counting its reads. */
function setUp(total = 4) {
  const batch = aBatch({ total }, T0);
  const locator: BatchLocator = aLocator({ batchId: batch.id });
  const status = { reads: 0, read: async () => (status.reads++, reportOf(batch)) };
  const watches = new BatchWatches(status, TICK);
  return { batch, locator, status, watches };
}

describe('BatchWatches', () => {
  it('reads a followed batch once a tick, however many follow it', async () => {
    const { locator, status, watches } = setUp();
    const heard: number[] = Array<number>(100).fill(0);
    const leaves = heard.map((_, i) => watches.follow(locator, { seen: () => heard[i]!++, stop: () => {} }));
    await sleep(TICK * 5 + TICK / 2);
    // About five ticks (timers run late on a busy machine), and never a read per follower.
    expect(status.reads).toBeGreaterThanOrEqual(2);
    expect(status.reads).toBeLessThanOrEqual(6);
    // Every follower heard every read (but one that may be under way right now).
    expect(new Set(heard).size).toBe(1);
    expect(heard[0]).toBeGreaterThanOrEqual(status.reads - 1);
    for (const leave of leaves) leave();
    const after = status.reads;
    await sleep(TICK * 3);
    expect(status.reads).toBe(after);
  });

  it('shares a read under way, and the last read while it is younger than a tick', async () => {
    const { locator, status, watches } = setUp();
    const leave = watches.follow(locator, { seen: () => {}, stop: () => {} });
    await Promise.all(Array.from({ length: 50 }, () => watches.current(locator)));
    expect(status.reads).toBe(1);
    await watches.current(locator);
    expect(status.reads).toBe(1);
    leave();
  });

  it('answers a waiter when the batch finishes, or with the last read when time is up', async () => {
    const { batch, locator, watches } = setUp(2);
    const first = reportOf(batch);
    const timedOut = await watches.until(locator, first, TICK * 2.5);
    expect(timedOut.status).toBe('QUEUED');
    const finishing = watches.until(locator, first, 10_000);
    batch.recordOutcomes(['success', 'failed'], T0 + 1);
    expect((await finishing).status).toBe('PARTIAL_SUCCESS');
  });

  it('ends every follower when the app stops, and refuses new ones', async () => {
    const { batch, locator, watches } = setUp();
    const waiting = watches.until(locator, reportOf(batch), 10_000);
    const stopped: string[] = [];
    watches.follow(locator, { seen: () => {}, stop: () => stopped.push('a') });
    watches.onModuleDestroy();
    expect(stopped).toEqual(['a']);
    expect((await waiting).status).toBe('QUEUED');
    watches.follow(locator, { seen: () => {}, stop: () => stopped.push('late') });
    expect(stopped).toEqual(['a', 'late']);
  });
});

describe('batchEventStream', () => {
  /** Everything the stream gives until it ends. */
  const readAll = async (stream: NodeJS.ReadableStream): Promise<string> => {
    let text = '';
    for await (const chunk of stream) text += String(chunk);
    return text;
  };

  it('sends progress when the counters change (not for every read), then done, and ends', async () => {
    const { batch, locator, watches } = setUp(2);
    const stream = batchEventStream(watches, locator, reportOf(batch), 10_000);
    const text = readAll(stream);
    await sleep(TICK * 3);
    batch.recordOutcomes(['success'], T0 + 1);
    await sleep(TICK * 3);
    batch.recordOutcomes(['success'], T0 + 2);
    const events = (await text).split('\n\n').filter(Boolean);
    expect(events.map((e) => e.split('\n')[0])).toEqual(['event: progress', 'event: progress', 'event: done']);
    expect(events[1]).toContain('"success":1');
    expect(events[2]).toContain('"status":"SUCCESS"');
  });

  it('keeps an idle stream open with comment lines', async () => {
    const { batch, locator, watches } = setUp(2);
    const stream = batchEventStream(watches, locator, reportOf(batch), TICK);
    const text = readAll(stream);
    await sleep(TICK * 3.5);
    watches.onModuleDestroy();
    expect((await text).match(/^: keep-alive$/gm)?.length).toBeGreaterThanOrEqual(2);
  });

  it('stops following when the client goes away', async () => {
    const { batch, locator, status, watches } = setUp(2);
    const stream = batchEventStream(watches, locator, reportOf(batch), 10_000);
    stream.resume();
    await sleep(TICK * 2.5);
    stream.destroy();
    await sleep(TICK);
    const after = status.reads;
    await sleep(TICK * 3);
    expect(status.reads).toBe(after);
  });
});
