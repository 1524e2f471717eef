// The rules every BatchProcessingStore must follow besides the claim order (batch-claim.contract):
// its transaction is all or nothing, items come out in input order, a chunk's counters and
// outcomes land in one write, and leases hold, expire, renew and end as the port says. Run it
// against each adapter and the in-memory fake.
import { Batch } from '../batch';
import { ItemResult, NewBatchItem } from '../batch-item';
import { BatchLease, BatchProcessingStore, ChunkSuperseded, ITEMS_PER_PART, RecordedChunk } from '../batch-processing.port';
import { BatchLocator } from '../batch-repository.port';
import { A_KIND, T0, aBatch, aBatchId, leaseOn, outcomesFor, someItems } from './builders';

export interface ProcessingFixture<Tx> {
  readonly store: BatchProcessingStore<Tx>;
  /** Stores a submitted batch and its items, committed. */
  seed(batch: Batch, items: readonly NewBatchItem[]): Promise<void>;
  /** Starts receiving a batch's items without committing it; `commit` stores the batch. */
  receive(batch: Batch, items: readonly NewBatchItem[]): Promise<{ commit(): Promise<void> }>;
  /** The batch's processed items in input order, as committed. */
  results(locator: BatchLocator): Promise<readonly ItemResult[]>;
  /**
   * A write of the handler's own through `tx` (what an item handler does), and the marks so
   * written that were committed. Absent when the store has nothing of the kind to offer.
   */
  readonly handlerWrites?: {
    write(tx: Tx, mark: string): Promise<void>;
    committed(): Promise<readonly string[]>;
  };
  close?(): Promise<void>;
  /** The same store opened again, as another process would (its own connection); the races use it. */
  rival?(): Promise<ProcessingFixture<Tx>>;
}

class Boom extends Error {}
/** The kinds a worker handles here: every batch these cases store is of A_KIND. */
const KINDS = [A_KIND];

export function describeBatchProcessingContract<Tx>(name: string, open: () => Promise<ProcessingFixture<Tx>>): void {
  describe(`BatchProcessingStore contract: ${name}`, () => {
    let fixture: ProcessingFixture<Tx>;
    let store: BatchProcessingStore<Tx>;
    beforeEach(async () => {
      fixture = await open();
      store = fixture.store;
    });
    afterEach(async () => {
      await fixture.close?.();
    });

    const locator = (n = 1, tenantId = 'acme', targetType = 'parcel'): BatchLocator => ({ tenantId, kind: A_KIND, targetType, batchId: aBatchId(n) });
    /** A stored, unprocessed batch of `total` items. */
    async function seeded(total: number, n = 1, tenantId = 'acme', now = T0): Promise<Batch> {
      const batch = aBatch({ id: aBatchId(n), tenantId, total }, now);
      await fixture.seed(batch, someItems(total, { withRows: true }));
      return batch;
    }
    /** The batch as committed, read in a transaction of its own. */
    const committed = (at = locator()) => store.transaction((tx) => store.load(tx, at));
    const pendingSeqs = async (at = locator(), limit = 100, part = 0) =>
      (await store.transaction((tx) => store.pendingItems(tx, leaseOn(at, part), limit))).map((item) => item.seq);
    /** Records `plan` ('S'/'F' per item, from `firstSeq`) on part `part` of the batch through `tx`, the way a chunk does. */
    async function recordOn(on: BatchProcessingStore<Tx>, tx: Tx, plan: string, firstSeq = 0, at = locator(), part = 0): Promise<RecordedChunk> {
      const outcomes = outcomesFor(plan, firstSeq);
      return on.recordChunk(tx, leaseOn(at, part), outcomes, (batch) => {
        batch.start(T0 + 1000);
        batch.recordOutcomes(
          outcomes.map((o) => o.kind),
          T0 + 1000,
        );
      });
    }
    async function record(tx: Tx, plan: string, firstSeq = 0, at = locator(), part = 0): Promise<Batch> {
      return (await recordOn(store, tx, plan, firstSeq, at, part)).batch;
    }
    /** Whether `owner` holds the batch's lease still: a renewal to the same expiry says so without changing it. */
    const holds = (lease: BatchLease, now: number) => store.renew(lease, now, lease.expiresAt);

    describe('transaction', () => {
      it('gives back what the work returns, and sees its own writes before it commits', async () => {
        await seeded(3);
        const seen = await store.transaction(async (tx) => {
          await record(tx, 'S');
          return (await store.pendingItems(tx, leaseOn(locator()), 10)).map((item) => item.seq);
        });
        expect(seen).toEqual([1, 2]);
        expect(await pendingSeqs()).toEqual([1, 2]);
      });

      it('rolls back a recorded chunk when the work throws afterwards, and rethrows what it threw', async () => {
        await seeded(3);
        const boom = new Boom('after the chunk');
        const run = store.transaction(async (tx) => {
          await record(tx, 'SF');
          throw boom;
        });
        await expect(run).rejects.toBe(boom);
        expect((await committed())!.counts).toEqual({ total: 3, success: 0, failed: 0, cancelled: 0, pending: 3 });
        expect((await committed())!.toSnapshot().startedAt).toBeNull();
        expect(await pendingSeqs()).toEqual([0, 1, 2]);
        expect(await fixture.results(locator())).toEqual([]);
      });

      it("rolls back the handler's own writes with the chunk", async () => {
        const writes = fixture.handlerWrites;
        if (writes === undefined) return;
        await seeded(2);
        await store.transaction(async (tx) => {
          await writes.write(tx, 'kept');
          await record(tx, 'S');
        });
        await expect(
          store.transaction(async (tx) => {
            await writes.write(tx, 'undone');
            await record(tx, 'S', 1);
            throw new Boom('disk full');
          }),
        ).rejects.toBeInstanceOf(Boom);
        expect(await writes.committed()).toEqual(['kept']);
        expect(await pendingSeqs()).toEqual([1]);
      });

      it('keeps the lease when the chunk that would have finished the batch is rolled back', async () => {
        await seeded(2);
        const lease = (await store.claim('w1', KINDS, T0 + 10, T0 + 10_000))!;
        await expect(
          store.transaction(async (tx) => {
            await record(tx, 'SS');
            throw new Boom('after the last chunk');
          }),
        ).rejects.toBeInstanceOf(Boom);
        expect(await holds(lease, T0 + 20)).toBe(true);
        expect(await store.claim('w2', KINDS, T0 + 20, T0 + 30_000)).toBeNull();
        expect((await committed())!.isFinished).toBe(false);
      });

      it('leaves other batches alone when one rolls back', async () => {
        await seeded(2, 1);
        await seeded(2, 2);
        await store.transaction((tx) => record(tx, 'S', 0, locator(2)));
        await expect(
          store.transaction(async (tx) => {
            await record(tx, 'S', 0, locator(1));
            throw new Boom('midway');
          }),
        ).rejects.toBeInstanceOf(Boom);
        expect(await pendingSeqs(locator(1))).toEqual([0, 1]);
        expect(await pendingSeqs(locator(2))).toEqual([1]);
      });
      it('never takes back what another transaction committed while it ran', async () => {
        await seeded(2, 1);
        await seeded(2, 2);
        let proceed = (): void => undefined;
        const held = new Promise<void>((resolve) => (proceed = resolve));
        const failing = store.transaction(async (tx) => {
          await record(tx, 'S', 0, locator(1));
          await held;
          throw new Boom('late');
        });
        const other = store.transaction((tx) => record(tx, 'S', 0, locator(2)));
        // A store that runs one transaction at a time makes `other` wait: let `failing` end then.
        await Promise.race([other, new Promise((resolve) => setTimeout(resolve, 20))]);
        proceed();
        await expect(failing).rejects.toBeInstanceOf(Boom);
        await other;
        expect(await pendingSeqs(locator(1))).toEqual([0, 1]);
        expect(await pendingSeqs(locator(2))).toEqual([1]);
      });
    });

    describe('load and pendingItems', () => {
      it('loads the batch as stored, for its tenant and target type only', async () => {
        const batch = await seeded(3);
        expect((await committed())!.toSnapshot()).toEqual(batch.toSnapshot());
        expect(await committed(locator(1, 'globex'))).toBeNull();
        expect(await committed(locator(1, 'acme', 'pallet'))).toBeNull();
        expect(await committed(locator(2))).toBeNull();
      });

      it('gives pending items in input order with their row and input, up to the limit, for the batch asked for only', async () => {
        await seeded(5);
        const items = await store.transaction((tx) => store.pendingItems(tx, leaseOn(locator()), 3));
        expect(items).toEqual(someItems(3, { withRows: true }).map((item, seq) => ({ seq, refId: item.refId, row: item.row, input: item.input })));
        expect(await pendingSeqs(locator(1, 'globex'))).toEqual([]);
        expect(await pendingSeqs(locator(1, 'acme', 'pallet'))).toEqual([]);
      });

      it('gives only the items still pending', async () => {
        await seeded(5);
        await store.transaction((tx) => record(tx, 'SF'));
        expect(await pendingSeqs(locator(), 2)).toEqual([2, 3]);
        await store.transaction((tx) => record(tx, 'SSS', 2));
        expect(await pendingSeqs()).toEqual([]);
      });

      it('shows nothing of a batch still being received, and all of it once committed', async () => {
        const batch = aBatch({ id: aBatchId(1), total: 2 });
        const intake = await fixture.receive(batch, someItems(2));
        expect(await committed()).toBeNull();
        expect(await pendingSeqs()).toEqual([]);
        expect(await store.claim('w1', KINDS, T0 + 10, T0 + 10_000)).toBeNull();
        expect(await store.othersWaiting('globex', KINDS, T0 + 10)).toBe(false);
        await intake.commit();
        expect((await committed())!.counts.pending).toBe(2);
        expect(await pendingSeqs()).toEqual([0, 1]);
        expect(await store.othersWaiting('globex', KINDS, T0 + 10)).toBe(true);
        expect((await store.claim('w1', KINDS, T0 + 10, T0 + 10_000))?.locator).toEqual(locator());
      });
    });

    describe('recordChunk', () => {
      it('stores the counters and the outcomes behind them together', async () => {
        await seeded(4);
        await store.transaction((tx) => record(tx, 'SF'));
        const batch = (await committed())!;
        expect(batch.counts).toEqual({ total: 4, success: 1, failed: 1, cancelled: 0, pending: 2 });
        expect(batch.status).toBe('IN_PROGRESS');
        expect(batch.toSnapshot().startedAt).toBe(T0 + 1000);
        expect(await fixture.results(locator())).toEqual([
          { seq: 0, refId: 'r-1', row: 2, outcome: 'success', resultId: 'parcel:1' },
          { seq: 1, refId: 'r-2', row: 3, outcome: 'failed', reason: 'item 2 is not valid', code: 'ITEM_INVALID' },
        ]);
      });

      it('moves the rate window on with the counters, so that any reader computes the same pace', async () => {
        await seeded(10);
        const chunkAt = (plan: string, firstSeq: number, now: number) =>
          store.transaction((tx) => {
            const outcomes = outcomesFor(plan, firstSeq);
            return store.recordChunk(tx, leaseOn(locator(), 0), outcomes, (batch) => {
              batch.start(T0);
              batch.recordOutcomes(
                outcomes.map((o) => o.kind),
                now,
              );
            });
          });
        await chunkAt('SS', 0, T0 + 1_000);
        await chunkAt('SF', 2, T0 + 6_000);
        const batch = (await committed())!;
        // The first mark (T0 + 1 s, 2 done) became the window's start once 5 s old.
        expect(batch.toSnapshot().rateWindow).toEqual({ fromAt: T0 + 1_000, fromDone: 2, markAt: T0 + 6_000, markDone: 4 });
        expect(batch.progressAt(T0 + 9_000)).toEqual({ percent: 40, itemsPerSecond: 0.3, etaMs: 24_000 });
      });

      it('finishes the batch with its last chunk', async () => {
        await seeded(2);
        await store.transaction((tx) => record(tx, 'S'));
        await store.transaction((tx) => record(tx, 'F', 1));
        const batch = (await committed())!;
        expect(batch.status).toBe('PARTIAL_SUCCESS');
        expect(batch.toSnapshot().completedAt).toBe(T0 + 1000);
        expect((await fixture.results(locator())).map((r) => r.outcome)).toEqual(['success', 'failed']);
      });

      it('keeps the lease while items are left, and ends it with the chunk that finishes the batch', async () => {
        await seeded(3);
        const lease = (await store.claim('w1', KINDS, T0 + 10, T0 + 10_000))!;
        await store.transaction((tx) => record(tx, 'SS'));
        expect(await holds(lease, T0 + 20)).toBe(true);
        await store.transaction((tx) => record(tx, 'S', 2));
        expect(await holds(lease, T0 + 30)).toBe(false);
        expect(await store.claim('w2', KINDS, T0 + 40, T0 + 10_000)).toBeNull();
      });
    });

    describe('leases', () => {
      it("renews the owner's lease only: a stranger's renewal changes nothing", async () => {
        await seeded(1);
        const lease = (await store.claim('w1', KINDS, T0 + 10, T0 + 1000))!;
        expect(lease).toEqual({ locator: locator(), part: 0, owner: 'w1', expiresAt: T0 + 1000 });
        expect(await store.renew({ ...lease, owner: 'w2' }, T0 + 500, T0 + 90_000)).toBe(false);
        expect(await store.renew(lease, T0 + 500, T0 + 2000)).toBe(true);
        expect(await store.claim('w2', KINDS, T0 + 1999, T0 + 5000)).toBeNull();
        expect((await store.claim('w2', KINDS, T0 + 2000, T0 + 5000))?.owner).toBe('w2');
      });

      it("takes a dead owner's batch over once its lease expires, and not before", async () => {
        await seeded(1);
        await store.claim('w1', KINDS, T0 + 10, T0 + 1000);
        expect(await store.claim('w2', KINDS, T0 + 999, T0 + 5000)).toBeNull();
        expect(await store.claim('w2', KINDS, T0 + 1000, T0 + 5000)).toEqual({
          locator: locator(),
          part: 0,
          owner: 'w2',
          expiresAt: T0 + 5000,
          takenOver: true,
        });
      });

      it('tells the old owner its lease was lost once taken over, and keeps the new owner’s', async () => {
        await seeded(1);
        const old = (await store.claim('w1', KINDS, T0 + 10, T0 + 1000))!;
        const taken = (await store.claim('w2', KINDS, T0 + 1000, T0 + 5000))!;
        expect(await store.renew(old, T0 + 1100, T0 + 9000)).toBe(false);
        await store.release(old);
        expect(await holds(taken, T0 + 1200)).toBe(true);
        expect(await store.claim('w3', KINDS, T0 + 1200, T0 + 9000)).toBeNull();
        expect((await store.claim('w3', KINDS, T0 + 5000, T0 + 9000))?.owner).toBe('w3');
      });

      it('frees a released lease for another owner at once', async () => {
        await seeded(1);
        const lease = (await store.claim('w1', KINDS, T0 + 10, T0 + 60_000))!;
        await store.release({ ...lease, owner: 'w2' });
        expect(await store.claim('w2', KINDS, T0 + 20, T0 + 60_000)).toBeNull();
        await store.release(lease);
        expect(await holds(lease, T0 + 30)).toBe(false);
        expect((await store.claim('w2', KINDS, T0 + 30, T0 + 60_000))?.owner).toBe('w2');
      });

      it('leases each batch on its own', async () => {
        await seeded(1, 1, 'acme', T0 + 1);
        await seeded(1, 2, 'acme', T0 + 2);
        const first = (await store.claim('w1', KINDS, T0 + 10, T0 + 1000))!;
        const second = (await store.claim('w1', KINDS, T0 + 10, T0 + 1000))!;
        expect([first.locator.batchId, second.locator.batchId]).toEqual([aBatchId(1), aBatchId(2)]);
        await store.release(first);
        expect(await holds(second, T0 + 20)).toBe(true);
        expect(await store.renew(second, T0 + 20, T0 + 5000)).toBe(true);
        expect((await store.claim('w2', KINDS, T0 + 1000, T0 + 9000))?.locator.batchId).toBe(aBatchId(1));
        expect(await store.claim('w2', KINDS, T0 + 1000, T0 + 9000)).toBeNull();
      });
    });

    describe('parts', () => {
      /** A batch of one full part and three items more, with items 5 and ITEMS_PER_PART + 1 deferred. */
      async function seededInParts(n = 1, tenantId = 'acme'): Promise<number[]> {
        const total = ITEMS_PER_PART + 3;
        const deferred = [5, ITEMS_PER_PART + 1];
        const items = someItems(total, { withRows: true }).map((item, seq) => (deferred.includes(seq) ? { ...item, deferred: true } : item));
        await fixture.seed(aBatch({ id: aBatchId(n), tenantId, total }), items);
        return deferred;
      }
      const claimedParts = async (owners: number, now = T0 + 10) => {
        const parts: Array<number | null> = [];
        for (let i = 0; i < owners; i++) parts.push((await store.claim(`w${i}`, KINDS, now, now + 10_000))?.part ?? null);
        return parts;
      };
      /** Records every pending item of a part as a success, in one chunk. */
      const finishPart = (part: number, n = 1) =>
        store.transaction(async (tx) => {
          const pending = await store.pendingItems(tx, leaseOn(locator(n), part), ITEMS_PER_PART);
          return store.recordChunk(
            tx,
            leaseOn(locator(n), part),
            pending.map((item) => ({ seq: item.seq, kind: 'success' as const, resultId: `parcel:${item.seq}` })),
            (batch) =>
              batch.recordOutcomes(
                pending.map(() => 'success' as const),
                T0 + 1000,
              ),
          );
        });

      it('shares a big batch out in parts of ITEMS_PER_PART, and offers its tail of deferred items only once the others are done', async () => {
        const deferred = await seededInParts();
        expect(await claimedParts(3)).toEqual([0, 1, null]);
        const first = await pendingSeqs(locator(), 10, 0);
        expect(first).toEqual([0, 1, 2, 3, 4, 6, 7, 8, 9, 10]);
        expect(await pendingSeqs(locator(), 10, 1)).toEqual([ITEMS_PER_PART, ITEMS_PER_PART + 2]);
        const tail = 2;
        expect(await pendingSeqs(locator(), 10, tail)).toEqual(deferred);
        expect((await finishPart(1)).partDone).toBe(true);
        expect(await claimedParts(1, T0 + 20_000)).toEqual([0]);
        const done = await finishPart(0);
        expect(done).toMatchObject({ partDone: true });
        expect(done.batch.counts.pending).toBe(2);
        expect(await claimedParts(2, T0 + 20_000)).toEqual([tail, null]);
        const last = await finishPart(tail);
        expect(last.partDone).toBe(true);
        expect(last.batch.isFinished).toBe(true);
        expect(await claimedParts(1, T0 + 40_000)).toEqual([null]);
      });

      it('keeps a part open while it has items pending, even through a chunk that records nothing', async () => {
        await seeded(3);
        expect((await store.transaction((tx) => recordOn(store, tx, 'S'))).partDone).toBe(false);
        expect(await store.claim('w1', KINDS, T0 + 10, T0 + 100)).toMatchObject({ part: 0 });
        const empty = await store.transaction((tx) => store.recordChunk(tx, leaseOn(locator(), 0), [], () => undefined));
        expect(empty.partDone).toBe(false);
        await store.transaction((tx) => record(tx, 'SS', 1));
        expect(await store.claim('w2', KINDS, T0 + 1000, T0 + 9000)).toBeNull();
      });

      it('refuses an outcome for an item no longer pending with ChunkSuperseded, and keeps what was recorded', async () => {
        await seeded(3);
        await store.transaction((tx) => record(tx, 'S'));
        await expect(store.transaction((tx) => record(tx, 'FS', 0))).rejects.toBeInstanceOf(ChunkSuperseded);
        expect((await committed())!.counts).toMatchObject({ success: 1, failed: 0, pending: 2 });
        expect(await pendingSeqs()).toEqual([1, 2]);
      });

      it('loses no counter update when chunks of different parts commit at the same time on different connections', async () => {
        await seededInParts();
        const rival = fixture.rival ? await fixture.rival() : fixture;
        try {
          const stores = [store, rival.store];
          // Each chunk records one item of its own part; the parts' items are disjoint.
          const seqs = [0, 1, 2, 3, ITEMS_PER_PART, ITEMS_PER_PART + 2, 4, 6];
          await Promise.all(
            seqs.map((seq, i) => {
              const on = stores[i % 2]!;
              return on.transaction((tx) => recordOn(on, tx, i % 3 === 0 ? 'F' : 'S', seq, locator(), seq >= ITEMS_PER_PART ? 1 : 0));
            }),
          );
          const batch = (await committed())!;
          expect(batch.counts.success + batch.counts.failed).toBe(seqs.length);
          expect(batch.counts).toMatchObject({ failed: 3, pending: ITEMS_PER_PART + 3 - seqs.length });
          expect((await fixture.results(locator())).map((r) => r.seq).sort((a, b) => a - b)).toEqual([...seqs].sort((a, b) => a - b));
        } finally {
          if (rival !== fixture) await rival.close?.();
        }
      });

      it('gives workers racing for a batch different parts, never one part twice', async () => {
        await seededInParts();
        const rival = fixture.rival ? await fixture.rival() : fixture;
        try {
          const stores = [store, rival.store];
          const leases = await Promise.all(Array.from({ length: 8 }, (_, i) => stores[i % 2]!.claim(`w${i}`, KINDS, T0 + 10, T0 + 10_000)));
          expect(
            leases
              .filter((lease) => lease !== null)
              .map((lease) => lease.part)
              .sort(),
          ).toEqual([0, 1]);
        } finally {
          if (rival !== fixture) await rival.close?.();
        }
      });
    });

    describe('othersWaiting', () => {
      it("counts another tenant's batch whose lease expired, and never the asking tenant's own", async () => {
        await seeded(1, 1, 'acme');
        await seeded(1, 2, 'beta');
        await store.claim('w1', KINDS, T0 + 10, T0 + 1000);
        await store.claim('w2', KINDS, T0 + 10, T0 + 1000);
        expect(await store.othersWaiting('acme', KINDS, T0 + 999)).toBe(false);
        expect(await store.othersWaiting('acme', KINDS, T0 + 1000)).toBe(true);
        expect(await store.othersWaiting('gamma', KINDS, T0 + 1000)).toBe(true);
      });

      it('stops counting a batch once its last chunk is recorded', async () => {
        await seeded(1, 1, 'beta');
        expect(await store.othersWaiting('acme', KINDS, T0 + 10)).toBe(true);
        await store.transaction((tx) => record(tx, 'S', 0, locator(1, 'beta')));
        expect(await store.othersWaiting('acme', KINDS, T0 + 10)).toBe(false);
      });
    });
  });
}
