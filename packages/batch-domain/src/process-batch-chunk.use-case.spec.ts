import { HandledOutcome, ItemHandler, PROCESSING_ERROR, PendingItem, StoreFailure } from './batch-processing.port';
import { CHUNK_TIME_BUDGET_MS, ITEM_TRIES, PROCESSING_ERROR_REASON, ProcessBatchChunk, SETTLE_SLICE_MS } from './process-batch-chunk.use-case';
import { A_KIND, FixedClock, InMemoryBatchRepository, InMemoryTx, aBatchId, storeBatch, leaseOn } from './testing';

const locator = { tenantId: 'acme', kind: A_KIND, targetType: 'parcel', batchId: aBatchId() };

/** Succeeds items whose n is even, fails the others; remembers what it saw. */
class ParityHandler implements ItemHandler<InMemoryTx> {
  readonly seen: number[] = [];
  failOnSeq: number | null = null;
  failure: () => Error = () => new Error('disk on fire');
  reason = 'odd';
  async handleChunk(_tx: InMemoryTx, _ctx: unknown, items: readonly { seq: number; input: unknown }[]): Promise<HandledOutcome[]> {
    return items.map((item) => {
      if (item.seq === this.failOnSeq) throw this.failure();
      this.seen.push(item.seq);
      const n = (item.input as { n: number }).n;
      return n % 2 === 0 ? { kind: 'success', resultId: `parcel:${n}` } : { kind: 'failed', reason: this.reason, code: 'ITEM_INVALID' };
    });
  }
}

function setUp(chunkSize = 2) {
  const store = new InMemoryBatchRepository();
  const handler = new ParityHandler();
  const process = new ProcessBatchChunk(store, { [A_KIND]: { create: handler, update: handler } }, new FixedClock(5000), chunkSize);
  return { store, handler, process };
}

describe('ProcessBatchChunk', () => {
  it('applies items chunk by chunk in input order until the batch finishes', async () => {
    const { store, handler, process } = setUp();
    await storeBatch(store, '.....');
    expect(await process.execute(leaseOn(locator))).toEqual({ processed: 2, failed: 1, done: false, leaseEnded: false });
    const midway = await store.findStatus(locator, 10);
    expect(midway!.batch.status).toBe('IN_PROGRESS');
    expect(midway!.batch.counts).toMatchObject({ success: 1, failed: 1, pending: 3 });
    expect(await process.execute(leaseOn(locator))).toEqual({ processed: 2, failed: 1, done: false, leaseEnded: false });
    expect(await process.execute(leaseOn(locator))).toEqual({
      processed: 1,
      failed: 1,
      done: true,
      leaseEnded: true,
      batchFinished: { status: 'PARTIAL_SUCCESS', counts: { total: 5, success: 2, failed: 3, cancelled: 0, pending: 0 }, durationMs: 0 },
    });
    expect(handler.seen).toEqual([0, 1, 2, 3, 4]);
    const done = await store.findStatus(locator, 10);
    expect(done!.batch.status).toBe('PARTIAL_SUCCESS');
    expect(done!.batch.toSnapshot()).toMatchObject({ startedAt: 5000, completedAt: 5000 });
    expect(done!.successes.map((s) => s.resultId)).toEqual(['parcel:2', 'parcel:4']);
  });

  it('records a failure whose reason quotes a NUL or half a surrogate pair as plain text, U+FFFD in their place', async () => {
    const { store, handler, process } = setUp();
    await storeBatch(store, '.');
    handler.reason = "attribute 'bad\u0000' is not configured; \ud83d";
    await process.execute(leaseOn(locator));
    const status = await store.findStatus(locator, 10);
    expect(status!.failures.map((f) => f.reason)).toEqual(["attribute 'bad\uFFFD' is not configured; \uFFFD"]);
  });

  it('leaves nothing of a chunk whose store fails, and resumes there', async () => {
    const { store, handler, process } = setUp(3);
    await storeBatch(store, '....');
    handler.failOnSeq = 1;
    handler.failure = () => new StoreFailure('disk on fire');
    await expect(process.execute(leaseOn(locator))).rejects.toThrow('disk on fire');
    expect((await store.findStatus(locator, 10))!.batch.counts.pending).toBe(4);
    handler.failOnSeq = null;
    handler.seen.length = 0;
    await process.execute(leaseOn(locator));
    expect(handler.seen).toEqual([0, 1, 2]);
  });

  it('gives each chunk a time budget: a handler that stops when it is spent leaves the rest pending, in order', async () => {
    const store = new InMemoryBatchRepository();
    await storeBatch(store, '......');
    const clock = new FixedClock(5000);
    const parity = new ParityHandler();
    // Each item costs a third of the budget; the handler stops once time is up, after two or three items.
    const slow: ItemHandler<InMemoryTx> = {
      handleChunk: async (tx, ctx, items) => {
        const done: HandledOutcome[] = [];
        for (const item of items) {
          if (done.length > 0 && ctx.timeUp()) break;
          clock.advance(CHUNK_TIME_BUDGET_MS / 3);
          done.push(...(await parity.handleChunk(tx, ctx, [item])));
        }
        return done;
      },
    };
    const process = new ProcessBatchChunk(store, { [A_KIND]: { create: slow, update: slow } }, clock, 6);
    expect(await process.execute(leaseOn(locator))).toEqual({ processed: 3, failed: 2, done: false, leaseEnded: false });
    const midway = (await store.findStatus(locator, 10))!.batch.counts;
    expect([midway.success + midway.failed, midway.pending]).toEqual([3, 3]);
    expect(await process.execute(leaseOn(locator))).toMatchObject({ processed: 3, done: true, leaseEnded: true, batchFinished: { counts: { pending: 0 } } });
    expect(parity.seen).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it("chooses each batch's handler by its kind and operation, and refuses a kind it has no handler for", async () => {
    const store = new InMemoryBatchRepository();
    const widgets = new ParityHandler();
    const gadgetCreates = new ParityHandler();
    const gadgetUpdates = new ParityHandler();
    const process = new ProcessBatchChunk(
      store,
      { [A_KIND]: { create: widgets, update: widgets }, gadget: { create: gadgetCreates, update: gadgetUpdates } },
      new FixedClock(5000),
      10,
    );
    expect(process.kinds).toEqual([A_KIND, 'gadget']);
    await storeBatch(store, '..', { id: aBatchId(1), kind: 'gadget', operation: 'update' });
    await storeBatch(store, '...', { id: aBatchId(2), kind: A_KIND });
    await storeBatch(store, '.', { id: aBatchId(3), kind: 'gizmo' });
    await process.execute(leaseOn({ ...locator, kind: 'gadget', batchId: aBatchId(1) }));
    await process.execute(leaseOn({ ...locator, batchId: aBatchId(2) }));
    expect([widgets.seen, gadgetCreates.seen, gadgetUpdates.seen]).toEqual([[0, 1, 2], [], [0, 1]]);
    const gizmo = { ...locator, kind: 'gizmo', batchId: aBatchId(3) };
    await expect(process.execute(leaseOn(gizmo))).rejects.toThrow("No handler for create of kind 'gizmo'");
    expect((await store.findStatus(gizmo, 10))!.batch.counts.pending).toBe(1);
  });

  it('does nothing for a finished, cancelled or unknown batch', async () => {
    const { store, process } = setUp();
    await storeBatch(store, 'SF');
    expect(await process.execute(leaseOn(locator))).toEqual({ processed: 0, done: true, leaseEnded: false });
    expect(await process.execute(leaseOn({ ...locator, batchId: aBatchId(9) }))).toEqual({ processed: 0, done: true, leaseEnded: false });
  });

  describe('an item whose processing throws', () => {
    /** Succeeds every item except those in `poison`, which throw while `throwsLeft` allows; remembers every call. */
    class PoisonHandler implements ItemHandler<InMemoryTx> {
      readonly calls: number[][] = [];
      readonly committedOrder: number[] = [];
      constructor(
        private readonly poison: ReadonlySet<number>,
        private throwsLeft = Infinity,
        private readonly failure: () => Error = () => new RangeError('Maximum call stack size exceeded at /srv/app/x.js'),
      ) {}
      async handleChunk(_tx: InMemoryTx, _ctx: unknown, items: readonly PendingItem[]): Promise<HandledOutcome[]> {
        this.calls.push(items.map((item) => item.seq));
        if (items.some((item) => this.poison.has(item.seq)) && this.throwsLeft-- > 0) throw this.failure();
        this.committedOrder.push(...items.map((item) => item.seq));
        return items.map((item) => ({ kind: 'success', resultId: `parcel:${item.seq}` }));
      }
    }
    const run = (handler: PoisonHandler, store: InMemoryBatchRepository, chunkSize: number) =>
      new ProcessBatchChunk(store, { [A_KIND]: { create: handler, update: handler } }, new FixedClock(5000), chunkSize).execute(leaseOn(locator));

    it('fails alone with PROCESSING_ERROR after three tries on its own, and the rest of the chunk goes on', async () => {
      const store = new InMemoryBatchRepository();
      await storeBatch(store, '........');
      const handler = new PoisonHandler(new Set([5]));
      const report = await run(handler, store, 8);
      expect(report).toMatchObject({ processed: 8, failed: 1, done: true, leaseEnded: true });
      expect(report.unexpected?.map((u) => [u.seq, u.refId])).toEqual([[5, 'r-6']]);
      expect(report.unexpected?.[0]?.error).toBeInstanceOf(RangeError);
      expect(handler.calls.filter((seqs) => seqs.length === 1 && seqs[0] === 5)).toHaveLength(ITEM_TRIES);
      const view = (await store.findStatus(locator, 10))!;
      expect(view.batch.status).toBe('PARTIAL_SUCCESS');
      expect(view.failures).toEqual([{ seq: 5, refId: 'r-6', row: null, outcome: 'failed', code: PROCESSING_ERROR, reason: PROCESSING_ERROR_REASON }]);
      expect(view.successes.map((s) => s.seq)).toEqual([0, 1, 2, 3, 4, 6, 7]);
    });

    it('commits the parts around it in input order, so earlier items still win', async () => {
      const store = new InMemoryBatchRepository();
      await storeBatch(store, '..........');
      const handler = new PoisonHandler(new Set([2, 7]));
      expect(await run(handler, store, 10)).toMatchObject({ processed: 10, failed: 2 });
      expect(handler.committedOrder).toEqual([0, 1, 3, 4, 5, 6, 8, 9]);
      const failures = (await store.findStatus(locator, 10))!.failures;
      expect(failures.map((f) => [f.seq, f.code])).toEqual([
        [2, PROCESSING_ERROR],
        [7, PROCESSING_ERROR],
      ]);
    });

    it('succeeds after all when it throws only on its first tries', async () => {
      const store = new InMemoryBatchRepository();
      await storeBatch(store, '....');
      const handler = new PoisonHandler(new Set([1]), 3);
      const report = await run(handler, store, 4);
      expect(report).toMatchObject({ processed: 4, done: true, leaseEnded: true, batchFinished: { status: 'SUCCESS' } });
      expect(report.failed).toBeUndefined();
      expect((await store.findStatus(locator, 10))!.batch.status).toBe('SUCCESS');
    });

    it('finishes a batch made only of such items as FAILED', async () => {
      const store = new InMemoryBatchRepository();
      await storeBatch(store, '...');
      const report = await run(new PoisonHandler(new Set([0, 1, 2])), store, 2);
      expect(report).toMatchObject({ processed: 2, failed: 2, done: false });
      expect(await run(new PoisonHandler(new Set([0, 1, 2])), store, 2)).toMatchObject({ processed: 1, failed: 1, done: true });
      const view = (await store.findStatus(locator, 10))!;
      expect(view.batch.status).toBe('FAILED');
      expect(view.failures.map((f) => f.code)).toEqual([PROCESSING_ERROR, PROCESSING_ERROR, PROCESSING_ERROR]);
    });

    it('stops splitting once its time slice has passed, with what it did recorded, and goes on there next time', async () => {
      const store = new InMemoryBatchRepository();
      await storeBatch(store, '........');
      const clock = new FixedClock(5000);
      const handler = new PoisonHandler(new Set([1, 6]));
      const slow: ItemHandler<InMemoryTx> = {
        handleChunk: (tx, ctx, items) => {
          clock.advance(SETTLE_SLICE_MS / 4);
          return handler.handleChunk(tx, ctx, items);
        },
      };
      const process = new ProcessBatchChunk(store, { [A_KIND]: { create: slow, update: slow } }, clock, 8);
      const first = await process.execute(leaseOn(locator));
      expect(first.done).toBe(false);
      expect(first.processed).toBeGreaterThan(0);
      expect(first.processed).toBeLessThan(8);
      let report = first;
      for (let i = 0; i < 10 && !report.done; i++) report = await process.execute(leaseOn(locator));
      const view = (await store.findStatus(locator, 10))!;
      expect(view.batch.counts).toMatchObject({ success: 6, failed: 2, pending: 0 });
      expect(view.failures.map((f) => f.seq)).toEqual([1, 6]);
      expect(handler.committedOrder).toEqual([0, 2, 3, 4, 5, 7]);
    });

    it('never blames an item for a failure of the store: the chunk is left pending for a later try', async () => {
      const store = new InMemoryBatchRepository();
      await storeBatch(store, '....');
      const handler = new PoisonHandler(new Set([2]), Infinity, () => new StoreFailure('database is locked'));
      await expect(run(handler, store, 4)).rejects.toBeInstanceOf(StoreFailure);
      expect(handler.calls).toEqual([[0, 1, 2, 3]]);
      expect((await store.findStatus(locator, 10))!.batch.counts.pending).toBe(4);
    });

    it('leaves the item pending when recording its failure fails too', async () => {
      const store = new InMemoryBatchRepository();
      await storeBatch(store, '...');
      const record = store.recordChunk.bind(store);
      jest.spyOn(store, 'recordChunk').mockImplementation(async (tx, lease, outcomes, progress) => {
        if (outcomes.some((o) => o.kind === 'failed' && o.code === PROCESSING_ERROR)) throw new Error('disk I/O error');
        return record(tx, lease, outcomes, progress);
      });
      await expect(run(new PoisonHandler(new Set([1])), store, 3)).rejects.toThrow('disk I/O error');
      const view = (await store.findStatus(locator, 10))!;
      // The item before it is applied; the poison item and everything after it wait.
      expect(view.batch.counts).toMatchObject({ success: 1, failed: 0, pending: 2 });
    });
  });
});
