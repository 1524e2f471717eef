import { HandledOutcome, ItemHandler } from './batch-processing.port';
import { ProcessBatchChunk } from './process-batch-chunk.use-case';
import { FixedClock, InMemoryBatchRepository, InMemoryTx, aBatchId, storeBatch } from './testing';

const locator = { tenantId: 'acme', targetType: 'parcel', batchId: aBatchId() };

/** Succeeds items whose n is even, fails the others; remembers what it saw. */
class ParityHandler implements ItemHandler<InMemoryTx> {
  readonly seen: number[] = [];
  failOnSeq: number | null = null;
  async handleChunk(_tx: InMemoryTx, _ctx: unknown, items: readonly { seq: number; input: unknown }[]): Promise<HandledOutcome[]> {
    return items.map((item) => {
      if (item.seq === this.failOnSeq) throw new Error('disk on fire');
      this.seen.push(item.seq);
      const n = (item.input as { n: number }).n;
      return n % 2 === 0 ? { kind: 'success', resultId: `parcel:${n}` } : { kind: 'failed', reason: 'odd', code: 'ITEM_INVALID' };
    });
  }
}

function setUp(chunkSize = 2) {
  const store = new InMemoryBatchRepository();
  const handler = new ParityHandler();
  const process = new ProcessBatchChunk(store, { create: handler, update: handler }, new FixedClock(5000), chunkSize);
  return { store, handler, process };
}

describe('ProcessBatchChunk', () => {
  it('applies items chunk by chunk in input order until the batch finishes', async () => {
    const { store, handler, process } = setUp();
    await storeBatch(store, '.....');
    expect(await process.execute(locator)).toEqual({ processed: 2, done: false, leaseEnded: false });
    const midway = await store.findStatus(locator, 10);
    expect(midway!.batch.status).toBe('IN_PROGRESS');
    expect(midway!.batch.counts).toMatchObject({ success: 1, failed: 1, pending: 3 });
    expect(await process.execute(locator)).toEqual({ processed: 2, done: false, leaseEnded: false });
    expect(await process.execute(locator)).toEqual({ processed: 1, done: true, leaseEnded: true });
    expect(handler.seen).toEqual([0, 1, 2, 3, 4]);
    const done = await store.findStatus(locator, 10);
    expect(done!.batch.status).toBe('PARTIAL_SUCCESS');
    expect(done!.batch.toSnapshot()).toMatchObject({ startedAt: 5000, completedAt: 5000 });
    expect(done!.successes.map((s) => s.resultId)).toEqual(['parcel:2', 'parcel:4']);
  });

  it('leaves nothing of a chunk whose handler throws, and resumes there', async () => {
    const { store, handler, process } = setUp(3);
    await storeBatch(store, '....');
    handler.failOnSeq = 1;
    await expect(process.execute(locator)).rejects.toThrow('disk on fire');
    expect((await store.findStatus(locator, 10))!.batch.counts.pending).toBe(4);
    handler.failOnSeq = null;
    handler.seen.length = 0;
    await process.execute(locator);
    expect(handler.seen).toEqual([0, 1, 2]);
  });

  it('does nothing for a finished, cancelled or unknown batch', async () => {
    const { store, process } = setUp();
    await storeBatch(store, 'SF');
    expect(await process.execute(locator)).toEqual({ processed: 0, done: true, leaseEnded: false });
    expect(await process.execute({ ...locator, batchId: aBatchId(9) })).toEqual({ processed: 0, done: true, leaseEnded: false });
  });
});
