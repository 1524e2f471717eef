import { HandledOutcome, ItemHandler, PROCESSING_ERROR, PendingItem, ProcessBatchChunk, StoreFailure } from '@container-service/batch-domain';
import { A_KIND, FixedClock, InMemoryBatchRepository, InMemoryTx, aBatch, aBatchId, storeBatch } from '@container-service/batch-domain/testing';
import pino from 'pino';
import { eventually } from '../../test/support/eventually';
import { BatchWorker, MAINTENANCE_INTERVAL_MS } from './batch-worker';
import { WorkEvents } from '../metrics/work-events';

const config = { enabled: true, thread: false, threadNice: 0, id: 'w-test', chunkSize: 2, leaseMs: 10_000, idleMs: 5 };
const locator = { tenantId: 'acme', kind: A_KIND, targetType: 'parcel', batchId: aBatchId() };
/** Waits until `done` says yes, looking every 5 ms; fails after `timeoutMs` saying what it waited for. */
const until = (what: string, done: () => boolean | Promise<boolean>, timeoutMs = 5_000) => eventually(done, { timeoutMs, intervalMs: 5, what });

class SlowHandler implements ItemHandler<InMemoryTx> {
  chunks = 0;
  /** The store fails for every chunk of this batch. */
  failFor: string | null = null;
  /** Items whose processing throws, whatever the chunk. */
  poison = new Set<string>();
  /** The tenant of each chunk applied, in order. */
  readonly tenants: string[] = [];
  onChunk: () => void = () => undefined;
  async handleChunk(_tx: InMemoryTx, ctx: { batchId: string; tenantId: string }, items: readonly PendingItem[]): Promise<HandledOutcome[]> {
    if (ctx.batchId === this.failFor) throw new StoreFailure('database is locked');
    if (items.some((item) => this.poison.has(item.refId))) throw new RangeError('Maximum call stack size exceeded');
    this.chunks++;
    this.tenants.push(ctx.tenantId);
    this.onChunk();
    await new Promise((resolve) => setTimeout(resolve, 5));
    return items.map((item) => ({ kind: 'success', resultId: `parcel:${item.seq}` }));
  }
}

/** Counts what a worker reports, as the metrics would. */
function countingEvents() {
  const counted = { succeeded: 0, failed: 0, takeovers: 0, callbacks: [] as boolean[] };
  const events: WorkEvents = {
    itemsProcessed: (succeeded, failed) => {
      counted.succeeded += succeeded;
      counted.failed += failed;
    },
    callbackAttempted: (delivered) => counted.callbacks.push(delivered),
    leaseTakenOver: () => counted.takeovers++,
  };
  return { counted, events };
}

function setUp(overrides: Partial<typeof config> = {}, events?: WorkEvents) {
  const store = new InMemoryBatchRepository();
  const handler = new SlowHandler();
  const clock = new FixedClock(1000);
  const worker = new BatchWorker(
    store,
    new ProcessBatchChunk(store, { [A_KIND]: { create: handler, update: handler } }, clock, config.chunkSize),
    clock,
    pino({ level: 'silent' }),
    {
      ...config,
      ...overrides,
    },
    undefined,
    events,
  );
  return { store, handler, worker, clock };
}

describe('BatchWorker', () => {
  it('takes a waiting batch and processes it to the end, leaving nothing to claim', async () => {
    const { store, worker } = setUp();
    await storeBatch(store, '.....');
    worker.start();
    await until('the batch to succeed', async () => (await store.findStatus(locator, 10))!.batch.status === 'SUCCESS');
    await worker.stop();
    expect((await store.findStatus(locator, 10))!.batch.counts).toMatchObject({ success: 5, pending: 0 });
    expect(await store.claim('other', [A_KIND], 2000, 3000)).toBeNull();
  });

  it('leaves batches of kinds it has no handlers for to the workers that have them', async () => {
    const { store, worker } = setUp();
    await storeBatch(store, '..', { id: aBatchId(1), kind: 'another-kind' });
    await storeBatch(store, '..', { id: aBatchId(2) });
    worker.start();
    const mine = { ...locator, batchId: aBatchId(2) };
    for (let i = 0; i < 200 && (await store.findStatus(mine, 10))!.batch.status !== 'SUCCESS'; i++) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 20));
    await worker.stop();
    expect((await store.findStatus({ ...locator, kind: 'another-kind', batchId: aBatchId(1) }, 10))!.batch.status).toBe('QUEUED');
    expect((await store.claim('other', ['another-kind'], 2000, 3000))?.locator.batchId).toBe(aBatchId(1));
  });

  it('lets the chunk that finishes a batch end its lease, without a release of its own', async () => {
    const { store, worker } = setUp();
    const release = jest.spyOn(store, 'release');
    await storeBatch(store, '...');
    worker.start();
    await until('the batch to succeed', async () => (await store.findStatus(locator, 10))!.batch.status === 'SUCCESS');
    await worker.stop();
    expect(release).not.toHaveBeenCalled();
    expect(await store.claim('other', [A_KIND], 2000, 3000)).toBeNull();
  });

  it('does not lose a nudge that comes while it looks for work: the batch is taken at once, not after the idle wait', async () => {
    const { store, worker } = setUp({ idleMs: 60_000 });
    const claim = store.claim.bind(store);
    let looks = 0;
    jest.spyOn(store, 'claim').mockImplementation(async (...args) => {
      const lease = await claim(...args);
      // A submit commits and nudges after this look found nothing, before the worker idles.
      if (++looks === 1) {
        await storeBatch(store, '..');
        worker.nudge();
      }
      return lease;
    });
    worker.start();
    await until('the batch to succeed before the idle wait', async () => (await store.findStatus(locator, 10))?.batch.status === 'SUCCESS', 2_000);
    expect((await store.findStatus(locator, 10))?.batch.status).toBe('SUCCESS');
    await worker.stop();
  });

  it('on stop, finishes the chunk in hand and leaves the rest pending for the next worker', async () => {
    const { store, handler, worker } = setUp();
    await storeBatch(store, '........');
    // Set by the handler below, which the compiler cannot see run.
    let stopping = null as Promise<void> | null;
    handler.onChunk = () => {
      if (handler.chunks === 2) stopping = worker.stop();
    };
    worker.start();
    await until('the stop to begin', () => stopping !== null);
    await stopping;
    const counts = (await store.findStatus(locator, 10))!.batch.counts;
    expect(counts).toMatchObject({ success: 4, pending: 4 });
    // The lease was given up, so another worker can take the batch at once.
    expect((await store.claim('next', [A_KIND], 1000, 2000))?.owner).toBe('next');
  });

  it('sets a batch whose chunk keeps failing aside until its lease expires, and goes on with others', async () => {
    const { store, handler, worker } = setUp();
    await storeBatch(store, '...', { id: aBatchId(1) }, 1);
    await storeBatch(store, '...', { id: aBatchId(2) }, 2);
    handler.failFor = aBatchId(1);
    worker.start();
    const second = { ...locator, batchId: aBatchId(2) };
    await until('the second batch to succeed', async () => (await store.findStatus(second, 10))!.batch.status === 'SUCCESS');
    await worker.stop();
    expect((await store.findStatus(second, 10))!.batch.status).toBe('SUCCESS');
    expect((await store.findStatus({ ...locator, batchId: aBatchId(1) }, 10))!.batch.counts.pending).toBe(3);
    // Still leased to the worker that failed, until the lease runs out.
    expect(await store.claim('other', [A_KIND], 1000, 2000)).toBeNull();
    expect((await store.claim('other', [A_KIND], 11_000, 12_000))?.locator.batchId).toBe(aBatchId(1));
  });

  it('fails an item that throws on every try alone and finishes its batch, instead of setting the batch aside', async () => {
    const { store, handler, worker } = setUp();
    await storeBatch(store, '.....');
    handler.poison.add('r-2');
    worker.start();
    await until('the batch to finish', async () => (await store.findStatus(locator, 10))!.batch.isFinished);
    await worker.stop();
    const view = (await store.findStatus(locator, 10))!;
    expect(view.batch.counts).toMatchObject({ success: 4, failed: 1, pending: 0 });
    expect(view.failures.map((f) => [f.refId, f.code])).toEqual([['r-2', PROCESSING_ERROR]]);
  });

  it('hands its batch back after a chunk when another tenant waits, so that a small batch is not held back by a big one', async () => {
    const { store, handler, worker } = setUp();
    await storeBatch(store, '........', { id: aBatchId(1) }, 1);
    await storeBatch(store, '........', { id: aBatchId(2) }, 2);
    await storeBatch(store, '..', { id: aBatchId(3), tenantId: 'beta' }, 3);
    worker.start();
    const all = [1, 2].map((n) => ({ ...locator, batchId: aBatchId(n) })).concat([{ ...locator, tenantId: 'beta', batchId: aBatchId(3) }]);
    const finished = async () => (await Promise.all(all.map((l) => store.findStatus(l, 10)))).every((v) => v!.batch.isFinished);
    await until('every batch to finish', finished, 10_000);
    await worker.stop();
    expect(await finished()).toBe(true);
    // One chunk of acme's oldest batch, then beta's batch at once, then the rest of acme's.
    expect(handler.tenants).toEqual(['acme', 'beta', 'acme', 'acme', 'acme', 'acme', 'acme', 'acme', 'acme']);
  });

  it('keeps its batch between chunks while no other tenant waits: one look per chunk, no lease given back', async () => {
    const { store, worker } = setUp();
    const release = jest.spyOn(store, 'release');
    const looks = jest.spyOn(store, 'othersWaiting');
    await storeBatch(store, '......');
    worker.start();
    await until('the batch to succeed', async () => (await store.findStatus(locator, 10))!.batch.status === 'SUCCESS');
    await worker.stop();
    expect(release).not.toHaveBeenCalled();
    expect(looks).toHaveBeenCalledTimes(2);
  });

  it('runs maintenance steps back to back while they find work, then waits before looking again', async () => {
    const store = new InMemoryBatchRepository();
    const handler = new SlowHandler();
    const clock = new FixedClock(1000);
    const steps: number[] = [];
    let left = 3;
    const worker = new BatchWorker(
      store,
      new ProcessBatchChunk(store, { [A_KIND]: { create: handler, update: handler } }, clock, 2),
      clock,
      pino({ level: 'silent' }),
      config,
      async (now) => {
        steps.push(now);
        return left-- > 0 ? 10 : 0;
      },
    );
    worker.start();
    await until('four maintenance steps', () => steps.length >= 4);
    await new Promise((r) => setTimeout(r, 30));
    expect(steps).toHaveLength(4);
    clock.advance(MAINTENANCE_INTERVAL_MS);
    await until('a fifth maintenance step', () => steps.length >= 5);
    await worker.stop();
    expect(steps).toEqual([1000, 1000, 1000, 1000, 1000 + MAINTENANCE_INTERVAL_MS]);
  });

  it('removes an abandoned upload between batches, through the repository', async () => {
    const store = new InMemoryBatchRepository();
    const handler = new SlowHandler();
    const clock = new FixedClock(1000);
    const intake = await store.beginIntake({ tenantId: 'acme', kind: A_KIND, batchId: aBatchId(9), targetType: 'parcel', expiresAt: 500 });
    await intake.append([{ refId: 'a', row: 2, input: ['a'] }], 500);
    const worker = new BatchWorker(
      store,
      new ProcessBatchChunk(store, { [A_KIND]: { create: handler, update: handler } }, clock, 2),
      clock,
      pino({ level: 'silent' }),
      config,
      (now) => store.purgeAbandonedIntakes(now, 100),
    );
    worker.start();
    await new Promise((r) => setTimeout(r, 30));
    await worker.stop();
    await expect(intake.commit(aBatch({ id: aBatchId(9), total: 1 }))).rejects.toThrow(/gone/);
  });

  it('reports the items it records by outcome, those that failed unexpectedly included', async () => {
    const { counted, events } = countingEvents();
    const { store, handler, worker } = setUp({}, events);
    handler.poison.add('r-2');
    await storeBatch(store, '.....');
    worker.start();
    await until('the batch to finish', async () => (await store.findStatus(locator, 10))!.batch.isFinished);
    await worker.stop();
    expect(counted).toMatchObject({ succeeded: 4, failed: 1, takeovers: 0 });
  });

  it('reports a part it takes over from a lease that expired, and none it takes fresh', async () => {
    const { counted, events } = countingEvents();
    const { store, worker, clock } = setUp({}, events);
    await storeBatch(store, '....');
    // A worker that died holding the part: its lease runs out before this one looks.
    await store.claim('dead-worker', [A_KIND], clock.now(), clock.now() + 10);
    clock.advance(10);
    worker.start();
    await until('the batch to succeed', async () => (await store.findStatus(locator, 10))!.batch.status === 'SUCCESS');
    await worker.stop();
    expect(counted).toMatchObject({ succeeded: 4, failed: 0, takeovers: 1 });
  });
});
