// The behaviour every store of batches must show through its three ports (reads, writes,
// retention), in one suite over one fixture: what a write does is seen through the reads, and
// what retention removes too, so the ports are checked together, as one store serves them. Run it
// against each adapter and the in-memory fake; the seeder puts batches into the states tested.
import { BatchReads, BatchRetention, BatchWrites } from '../batch-repository.port';
import { BatchSeeder } from './batch-seeder';
import { A_KIND, T0, aBatch, aBatchId, outcomesFor, someItems, storeBatch } from './builders';
import { RACERS } from './batch-claim.contract';

export interface RepositoryFixture {
  repository: BatchReads & BatchWrites & BatchRetention;
  /** Writes over the same store, for tests only. */
  seeder: BatchSeeder;
  close?: () => Promise<void>;
  /** The same store opened again, as another process would (its own connection); the races use it. */
  rival?: () => Promise<RepositoryFixture>;
}

export function describeBatchRepositoryContract(name: string, open: () => Promise<RepositoryFixture>): void {
  describe(`Batch storage contract (reads, writes, retention): ${name}`, () => {
    let fixture: RepositoryFixture;
    let repository: RepositoryFixture['repository'];
    let seeder: BatchSeeder;

    beforeEach(async () => {
      fixture = await open();
      repository = fixture.repository;
      seeder = fixture.seeder;
    });
    afterEach(async () => {
      await fixture.close?.();
    });

    const locate = (batchId = aBatchId(), tenantId = 'acme', targetType = 'parcel', kind = A_KIND) => ({ tenantId, kind, targetType, batchId });
    const scope = (targetType = 'parcel', kind = A_KIND) => ({ tenantId: 'acme', kind, targetType });

    it('finds a stored batch with its counters and derived status', async () => {
      await storeBatch(seeder, 'SSF..');
      const view = await repository.findStatus(locate(), 10);
      expect(view).not.toBeNull();
      expect(view!.batch.status).toBe('IN_PROGRESS');
      expect(view!.batch.counts).toEqual({ total: 5, success: 2, failed: 1, cancelled: 0, pending: 2 });
      expect(view!.batch.toSnapshot()).toMatchObject({ tenantId: 'acme', targetType: 'parcel', operation: 'create', source: 'json' });
    });

    it('keeps every snapshot field across a round trip', async () => {
      const batch = aBatch({ createdBy: { id: 'u-1', name: 'Ada' }, source: 'file', operation: 'update', hasCallback: true });
      await repository.add(batch, someItems(3, { withRows: true }));
      const view = await repository.findStatus(locate(), 10);
      expect(view!.batch.toSnapshot()).toEqual(batch.toSnapshot());
    });

    it('lists successes and failures in input order with their details', async () => {
      await storeBatch(seeder, 'FSSF', { source: 'file' });
      const view = await repository.findStatus(locate(), 10);
      expect(view!.successes).toEqual([
        { seq: 1, refId: 'r-2', row: 3, outcome: 'success', resultId: 'parcel:2' },
        { seq: 2, refId: 'r-3', row: 4, outcome: 'success', resultId: 'parcel:3' },
      ]);
      expect(view!.failures).toEqual([
        { seq: 0, refId: 'r-1', row: 2, outcome: 'failed', reason: 'item 1 is not valid', code: 'ITEM_INVALID' },
        { seq: 3, refId: 'r-4', row: 5, outcome: 'failed', reason: 'item 4 is not valid', code: 'ITEM_INVALID' },
      ]);
      expect(view!.hasMore).toBe(false);
    });

    it('cuts the lists at the limit and says there is more', async () => {
      await storeBatch(seeder, 'SSSFF');
      const view = await repository.findStatus(locate(), 2);
      expect(view!.successes.map((s) => s.refId)).toEqual(['r-1', 'r-2']);
      expect(view!.failures.map((f) => f.refId)).toEqual(['r-4', 'r-5']);
      expect(view!.hasMore).toBe(true);
    });

    it('says there is no more when the lists fit exactly', async () => {
      await storeBatch(seeder, 'SSFF');
      expect((await repository.findStatus(locate(), 2))!.hasMore).toBe(false);
    });

    it("hides another tenant's batch", async () => {
      await storeBatch(seeder, 'S');
      expect(await repository.findStatus(locate(aBatchId(), 'globex'), 10)).toBeNull();
    });

    it('hides a batch under another target type', async () => {
      await storeBatch(seeder, 'S');
      expect(await repository.findStatus(locate(aBatchId(), 'acme', 'pallet'), 10)).toBeNull();
    });

    it('hides a batch of another kind from every read and command, whatever its type is called', async () => {
      await storeBatch(seeder, 'S.', { targetType: 'parcel' });
      const elsewhere = locate(aBatchId(), 'acme', 'parcel', 'other-kind');
      expect(await repository.findStatus(elsewhere, 10)).toBeNull();
      expect(await repository.findResults(elsewhere, { afterSeq: -1, limit: 10 })).toBeNull();
      expect(await repository.list(scope('parcel', 'other-kind'), { limit: 10 })).toEqual([]);
      expect(await repository.cancel(elsewhere, T0)).toBeNull();
      expect((await repository.findStatus(locate(), 10))!.batch.toSnapshot()).toMatchObject({ kind: A_KIND, cancelledAt: null });
    });

    it('answers null for an unknown batch', async () => {
      expect(await repository.findStatus(locate(aBatchId(99)), 10)).toBeNull();
    });

    it('keeps batches of different tenants with the same id apart', async () => {
      await storeBatch(seeder, 'S');
      await storeBatch(seeder, 'FF', { tenantId: 'globex' });
      expect((await repository.findStatus(locate(), 10))!.batch.counts.total).toBe(1);
      expect((await repository.findStatus(locate(aBatchId(), 'globex'), 10))!.batch.counts.total).toBe(2);
    });

    it('refuses items that do not match the total, storing nothing', async () => {
      await expect(repository.add(aBatch({ total: 3 }), someItems(2))).rejects.toThrow();
      expect(await repository.findStatus(locate(), 10)).toBeNull();
    });

    it('refuses an outcome for an item that is not pending, changing nothing', async () => {
      const batch = await storeBatch(seeder, 'S..');
      const before = await repository.findStatus(locate(), 10);
      batch.recordOutcomes(['failed', 'success'], 2);
      const outcomes = [...outcomesFor('.S'), ...outcomesFor('F')];
      await expect(seeder.recordOutcomes(batch, outcomes)).rejects.toThrow();
      const after = await repository.findStatus(locate(), 10);
      expect(after!.batch.toSnapshot()).toEqual(before!.batch.toSnapshot());
      expect(after!.failures).toEqual([]);
    });

    it('cancels the pending items, keeping the outcomes already recorded', async () => {
      const batch = await storeBatch(seeder, 'SF..');
      batch.cancel(9);
      await seeder.recordCancellation(batch);
      const view = await repository.findStatus(locate(), 10);
      expect(view!.batch.status).toBe('CANCELLED');
      expect(view!.batch.counts).toEqual({ total: 4, success: 1, failed: 1, cancelled: 2, pending: 0 });
      expect(view!.successes.map((s) => s.refId)).toEqual(['r-1']);
      expect(view!.failures.map((f) => f.refId)).toEqual(['r-2']);
    });

    it('pages through results in input order, leaving pending items out', async () => {
      await storeBatch(seeder, 'SFSF..');
      const all = await repository.findResults(locate(), { afterSeq: -1, limit: 10 });
      expect(all!.batch.counts.pending).toBe(2);
      expect(all!.items.map((r) => [r.seq, r.outcome])).toEqual([
        [0, 'success'],
        [1, 'failed'],
        [2, 'success'],
        [3, 'failed'],
      ]);
      expect((await repository.findResults(locate(), { afterSeq: 1, limit: 1 }))!.items).toEqual([
        { seq: 2, refId: 'r-3', row: null, outcome: 'success', resultId: 'parcel:3' },
      ]);
      const failed = await repository.findResults(locate(), { outcome: 'failed', afterSeq: 1, limit: 10 });
      expect(failed!.items).toEqual([{ seq: 3, refId: 'r-4', row: null, outcome: 'failed', reason: 'item 4 is not valid', code: 'ITEM_INVALID' }]);
      expect(await repository.findResults(locate(aBatchId(), 'globex'), { afterSeq: -1, limit: 10 })).toBeNull();
    });

    it('lists cancelled items among all results', async () => {
      const batch = await storeBatch(seeder, 'S..');
      batch.cancel(9);
      await seeder.recordCancellation(batch);
      const all = await repository.findResults(locate(), { afterSeq: -1, limit: 10 });
      expect(all!.items.map((r) => r.outcome)).toEqual(['success', 'cancelled', 'cancelled']);
      expect(all!.batch.counts.pending).toBe(0);
    });

    it('gives each result its input when asked', async () => {
      await storeBatch(seeder, 'SF.');
      const page = await repository.findResults(locate(), { afterSeq: -1, limit: 10, withInput: true });
      expect(page!.items.map((r) => r.input)).toEqual([
        { refID: 'r-1', n: 1 },
        { refID: 'r-2', n: 2 },
      ]);
      const plain = await repository.findResults(locate(), { afterSeq: -1, limit: 10 });
      expect(plain!.items[0]).not.toHaveProperty('input');
    });

    describe('intake of a batch received in parts', () => {
      const fileBatch = (total: number) => aBatch({ total, source: 'file', columns: ['refID', 'name'] });
      const rows = (from: number, count: number) =>
        Array.from({ length: count }, (_, i) => ({ refId: `r-${from + i}`, row: from + i + 1, input: [`r-${from + i}`, `name ${from + i}`] }));

      it('keeps the batch invisible until commit, then shows every part in order', async () => {
        const intake = await repository.beginIntake({ tenantId: 'acme', kind: A_KIND, batchId: aBatchId(), targetType: 'parcel', expiresAt: T0 + 60_000 });
        expect(await intake.append(rows(1, 3), T0 + 60_000)).toBeNull();
        expect(await intake.append(rows(4, 2), T0 + 60_000)).toBeNull();
        expect(intake.count).toBe(5);
        expect(await repository.findStatus(locate(), 10)).toBeNull();
        expect(await repository.findResults(locate(), { afterSeq: -1, limit: 10 })).toBeNull();
        const batch = fileBatch(5);
        await intake.commit(batch);
        const view = await repository.findStatus(locate(), 10);
        expect(view!.batch.toSnapshot()).toEqual({ ...batch.toSnapshot(), columns: null });
        expect((await repository.findResults(locate(), { afterSeq: -1, limit: 1 }))!.batch.toSnapshot().columns).toEqual(['refID', 'name']);
        batch.recordOutcomes(['success', 'success', 'success', 'success', 'failed'], T0 + 1);
        await seeder.recordOutcomes(batch, outcomesFor('SSSSF'));
        const page = await repository.findResults(locate(), { afterSeq: -1, limit: 10, withInput: true });
        expect(page!.items.map((r) => [r.refId, r.row, r.input])).toEqual(rows(1, 5).map((r) => [r.refId, r.row, r.input]));
      });

      it("leaves a file batch's header out of status and list reads, and gives it with results and after processing", async () => {
        const intake = await repository.beginIntake({ tenantId: 'acme', kind: A_KIND, batchId: aBatchId(), targetType: 'parcel', expiresAt: T0 + 60_000 });
        await intake.append(rows(1, 2), T0 + 60_000);
        const batch = fileBatch(2);
        await intake.commit(batch);
        expect((await repository.findStatus(locate(), 10))!.batch.toSnapshot().columns).toBeNull();
        expect((await repository.list(scope(), { limit: 10 })).map((b) => b.toSnapshot().columns)).toEqual([null]);
        // Progress written from a batch read without its header leaves the stored header alone.
        const read = (await repository.findStatus(locate(), 10))!.batch;
        read.recordOutcomes(['failed', 'success'], T0 + 1);
        await seeder.recordOutcomes(read, outcomesFor('FS'));
        const results = await repository.findResults(locate(), { afterSeq: -1, limit: 1 });
        expect(results!.batch.toSnapshot()).toMatchObject({ columns: ['refID', 'name'], failed: 1, success: 1 });
      });

      it('reports a reference repeated across parts or within one, and takes empty references as they come', async () => {
        const intake = await repository.beginIntake({ tenantId: 'acme', kind: A_KIND, batchId: aBatchId(), targetType: 'parcel', expiresAt: T0 + 60_000 });
        expect(await intake.append([...rows(1, 2), { refId: '', row: 4, input: ['x'] }, { refId: '', row: 5, input: ['y'] }], T0)).toBeNull();
        expect(
          await intake.append(
            [
              { refId: 'r-9', row: 10, input: [] },
              { refId: 'r-2', row: 11, input: [] },
            ],
            T0,
          ),
        ).toEqual({ refId: 'r-2', row: 11, firstRow: 3 });
        const again = await repository.beginIntake({ tenantId: 'acme', kind: A_KIND, batchId: aBatchId(2), targetType: 'parcel', expiresAt: T0 });
        expect(
          await again.append(
            [
              { refId: 'a', row: 2, input: [] },
              { refId: 'a', row: 3, input: [] },
            ],
            T0,
          ),
        ).toEqual({ refId: 'a', row: 3, firstRow: 2 });
        await intake.discard();
        await again.discard();
      });

      it('leaves nothing behind when discarded', async () => {
        const intake = await repository.beginIntake({ tenantId: 'acme', kind: A_KIND, batchId: aBatchId(), targetType: 'parcel', expiresAt: T0 + 60_000 });
        await intake.append(rows(1, 3), T0 + 60_000);
        await intake.discard();
        expect(await repository.purgeAbandonedIntakes(T0 + 10 * 60_000, 100)).toBe(0);
        await repository.add(aBatch({ total: 1 }), someItems(1));
        expect((await repository.findStatus(locate(), 10))!.batch.counts.total).toBe(1);
      });

      it('purges an abandoned intake in steps once it has expired, and only then', async () => {
        const intake = await repository.beginIntake({ tenantId: 'acme', kind: A_KIND, batchId: aBatchId(), targetType: 'parcel', expiresAt: T0 + 1000 });
        await intake.append(rows(1, 5), T0 + 1000);
        expect(await repository.purgeAbandonedIntakes(T0 + 999, 100)).toBe(0);
        expect(await repository.purgeAbandonedIntakes(T0 + 1000, 3)).toBe(3);
        expect(await repository.purgeAbandonedIntakes(T0 + 1000, 100)).toBe(3);
        expect(await repository.purgeAbandonedIntakes(T0 + 1000, 100)).toBe(0);
        await expect(intake.commit(fileBatch(5))).rejects.toThrow();
        expect(await repository.findStatus(locate(), 10)).toBeNull();
      });

      it('refuses to commit a batch whose total differs from the items received', async () => {
        const intake = await repository.beginIntake({ tenantId: 'acme', kind: A_KIND, batchId: aBatchId(), targetType: 'parcel', expiresAt: T0 + 60_000 });
        await intake.append(rows(1, 2), T0 + 60_000);
        await expect(intake.commit(fileBatch(3))).rejects.toThrow();
        expect(await repository.findStatus(locate(), 10)).toBeNull();
        await intake.discard();
      });
    });

    it('cancels a running batch atomically, and refuses to cancel a finished one', async () => {
      await storeBatch(seeder, 'SF..');
      const done = await repository.cancel(locate(), T0 + 5);
      expect(done!.cancelled).toBe(true);
      expect(done!.batch.counts).toEqual({ total: 4, success: 1, failed: 1, cancelled: 2, pending: 0 });
      const again = await repository.cancel(locate(), T0 + 6);
      expect(again!.cancelled).toBe(false);
      expect(again!.batch.status).toBe('CANCELLED');
      const all = await repository.findResults(locate(), { afterSeq: -1, limit: 10 });
      expect(all!.items.map((r) => r.outcome)).toEqual(['success', 'failed', 'cancelled', 'cancelled']);
      expect(await repository.cancel(locate(aBatchId(), 'globex'), T0)).toBeNull();
      expect(await repository.cancel(locate(aBatchId(), 'acme', 'other'), T0)).toBeNull();
    });

    it('lists batches newest first, filtered by status, after a position', async () => {
      await storeBatch(seeder, 'SS', { id: aBatchId(1) }, T0 + 1);
      await storeBatch(seeder, 'SF', { id: aBatchId(2) }, T0 + 2);
      await storeBatch(seeder, 'S.', { id: aBatchId(3) }, T0 + 3);
      await storeBatch(seeder, '..', { id: aBatchId(4) }, T0 + 3);
      await storeBatch(seeder, 'S', { id: aBatchId(5), targetType: 'other' }, T0 + 9);
      await storeBatch(seeder, 'S', { id: aBatchId(6), tenantId: 'globex' }, T0 + 9);
      const ids = (batches: { id: string }[]) => batches.map((b) => b.id);
      expect(ids(await repository.list(scope(), { limit: 10 }))).toEqual([aBatchId(4), aBatchId(3), aBatchId(2), aBatchId(1)]);
      expect(ids(await repository.list(scope(), { limit: 2, after: { createdAt: T0 + 3, batchId: aBatchId(4) } }))).toEqual([aBatchId(3), aBatchId(2)]);
      expect(ids(await repository.list(scope(), { limit: 10, status: 'IN_PROGRESS' }))).toEqual([aBatchId(3)]);
      expect(ids(await repository.list(scope(), { limit: 10, status: 'QUEUED' }))).toEqual([aBatchId(4)]);
      expect(ids(await repository.list(scope(), { limit: 10, status: 'SUCCESS' }))).toEqual([aBatchId(1)]);
      expect(ids(await repository.list(scope(), { limit: 10, status: 'PARTIAL_SUCCESS' }))).toEqual([aBatchId(2)]);
      expect(ids(await repository.list(scope(), { limit: 10, status: 'FAILED' }))).toEqual([]);
      await repository.cancel(locate(aBatchId(4)), T0 + 10);
      expect(ids(await repository.list(scope(), { limit: 10, status: 'CANCELLED' }))).toEqual([aBatchId(4)]);
    });

    it('purges batches finished before a time with their items, a step at a time, and nothing newer or unfinished', async () => {
      await storeBatch(seeder, 'SFS', { id: aBatchId(1) }, T0);
      await storeBatch(seeder, 'SS', { id: aBatchId(2) }, T0 + 50_000);
      await storeBatch(seeder, 'S.', { id: aBatchId(3) }, T0);
      const cutoff = T0 + 2000;
      expect(await repository.purgeFinishedBatches(cutoff, 2)).toBe(2);
      expect(await repository.purgeFinishedBatches(cutoff, 2)).toBe(2);
      expect(await repository.purgeFinishedBatches(cutoff, 2)).toBe(0);
      expect(await repository.findStatus(locate(aBatchId(1)), 10)).toBeNull();
      expect(await repository.findResults(locate(aBatchId(1)), { afterSeq: -1, limit: 10 })).toBeNull();
      expect(await repository.findStatus(locate(aBatchId(2)), 10)).not.toBeNull();
      expect(await repository.findStatus(locate(aBatchId(3)), 10)).not.toBeNull();
    });

    describe('submission keys', () => {
      const keyed = (fingerprint: string, key = 'req-1') => ({ submission: { key, fingerprint } });

      it('claims a key with the batch, answers a repeat with that batch, and refuses another request under it', async () => {
        expect(await repository.add(aBatch({ id: aBatchId(1), total: 1 }), someItems(1), keyed('f1'))).toEqual({ kind: 'stored' });
        expect(await repository.add(aBatch({ id: aBatchId(2), total: 1 }), someItems(1), keyed('f1'))).toEqual({ kind: 'replayed', batchId: aBatchId(1) });
        expect(await repository.add(aBatch({ id: aBatchId(3), total: 1 }), someItems(1), keyed('f2'))).toEqual({ kind: 'conflict' });
        expect(await repository.findStatus(locate(aBatchId(2)), 10)).toBeNull();
        expect(await repository.findStatus(locate(aBatchId(3)), 10)).toBeNull();
        // Keys belong to a tenant.
        expect(await repository.add(aBatch({ id: aBatchId(4), total: 1, tenantId: 'globex' }), someItems(1), keyed('f2'))).toEqual({ kind: 'stored' });
      });

      it('stores one batch when many submits under one key race, answering the others as replays or conflicts, without an error', async () => {
        const rival = fixture.rival ? await fixture.rival() : fixture;
        try {
          const repositories = [repository, rival.repository];
          // Even attempts repeat one request, odd ones send another request under the same key.
          const outcomes = await Promise.all(
            Array.from({ length: RACERS }, (_, i) =>
              repositories[i % 2]!.add(aBatch({ id: aBatchId(i + 1), total: 1 }), someItems(1), keyed(i % 4 < 2 ? 'f1' : 'f2')),
            ),
          );
          const stored = outcomes.flatMap((outcome, i) => (outcome.kind === 'stored' ? [i] : []));
          expect(stored).toHaveLength(1);
          const winner = stored[0]!;
          const sameRequest = (i: number) => i % 4 < 2 === winner % 4 < 2;
          outcomes.forEach((outcome, i) => {
            if (i !== winner) expect(outcome).toEqual(sameRequest(i) ? { kind: 'replayed', batchId: aBatchId(winner + 1) } : { kind: 'conflict' });
          });
          expect(await repository.list({ tenantId: 'acme', kind: A_KIND, targetType: 'parcel' }, { limit: RACERS })).toHaveLength(1);
        } finally {
          if (rival !== fixture) await rival.close?.();
        }
      });

      it('claims a key when an intake commits, and leaves the intake open when the key is held', async () => {
        await repository.add(aBatch({ id: aBatchId(1), total: 1 }), someItems(1), keyed('f1'));
        const intake = await repository.beginIntake({ tenantId: 'acme', kind: A_KIND, batchId: aBatchId(2), targetType: 'parcel', expiresAt: T0 + 60_000 });
        await intake.append([{ refId: 'a', row: 2, input: ['a'] }], T0 + 60_000);
        const batch = aBatch({ id: aBatchId(2), total: 1, source: 'file', columns: ['refID'] });
        expect(await intake.commit(batch, keyed('f1'))).toEqual({ kind: 'replayed', batchId: aBatchId(1) });
        expect(await repository.findStatus(locate(aBatchId(2)), 10)).toBeNull();
        expect(await intake.commit(batch, keyed('f9', 'req-2'))).toEqual({ kind: 'stored' });
        expect(await repository.findStatus(locate(aBatchId(2)), 10)).not.toBeNull();
      });

      it('purges keys claimed before a time, a step at a time', async () => {
        await repository.add(aBatch({ id: aBatchId(1), total: 1 }, T0), someItems(1), keyed('f1', 'k1'));
        await repository.add(aBatch({ id: aBatchId(2), total: 1 }, T0 + 1), someItems(1), keyed('f1', 'k2'));
        await repository.add(aBatch({ id: aBatchId(3), total: 1 }, T0 + 5), someItems(1), keyed('f1', 'k3'));
        expect(await repository.purgeSubmissions(T0 + 5, 1)).toBe(1);
        expect(await repository.purgeSubmissions(T0 + 5, 10)).toBe(1);
        expect(await repository.purgeSubmissions(T0 + 5, 10)).toBe(0);
        expect(await repository.add(aBatch({ id: aBatchId(4), total: 1 }), someItems(1), keyed('other', 'k1'))).toEqual({ kind: 'stored' });
        expect(await repository.add(aBatch({ id: aBatchId(5), total: 1 }), someItems(1), keyed('other', 'k3'))).toEqual({ kind: 'conflict' });
      });
    });

    it('records outcomes in steps until the batch finishes', async () => {
      const batch = await storeBatch(seeder, '...');
      batch.recordOutcomes(['success'], 5);
      await seeder.recordOutcomes(batch, outcomesFor('S'));
      batch.recordOutcomes(['failed', 'success'], 6);
      await seeder.recordOutcomes(batch, outcomesFor('FS', 1));
      const view = await repository.findStatus(locate(), 10);
      expect(view!.batch.status).toBe('PARTIAL_SUCCESS');
      expect(view!.batch.toSnapshot().completedAt).toBe(6);
      expect(view!.successes.map((s) => s.seq)).toEqual([0, 2]);
    });
  });
}
