import { CancelBatch, ListBatches, RetryBatch } from './batch-control.use-cases';
import { A_KIND, FixedClock, InMemoryBatchRepository, SequentialIdGenerator, StaticAccessVerifier, T0, aBatchId, storeBatch, leaseOn } from './testing';
import { expectErr, expectOk } from './testing';

const scope = { kind: A_KIND, targetType: { parameter: 'parcelKind', description: 'must be letters', test: (n: string) => /^[a-z]+$/.test(n) } };

function setUp() {
  const batches = new InMemoryBatchRepository();
  const access = new StaticAccessVerifier().grant('tok', 'acme');
  const clock = new FixedClock(T0 + 10_000);
  const ids = new SequentialIdGenerator();
  return {
    batches,
    cancel: new CancelBatch(batches, access, scope, clock),
    retry: new RetryBatch(batches, batches, access, scope, clock, ids),
    list: new ListBatches(batches, { exists: async (_t, name) => name === 'parcel' }, access, scope),
  };
}

const base = { accessToken: 'tok', tenantId: 'acme', targetType: 'parcel', batchId: aBatchId() };

describe('CancelBatch', () => {
  it('cancels the items not yet processed, keeping the counters whole', async () => {
    const { batches, cancel } = setUp();
    await storeBatch(batches, 'SF...');
    const result = await cancel.execute(base);
    expect(expectOk(result).counts).toEqual({ total: 5, success: 1, failed: 1, cancelled: 3, pending: 0 });
    expect(expectOk(result).status).toBe('CANCELLED');
  });

  it('refuses a finished batch with BATCH_NOT_CANCELLABLE, and a missing one with BATCH_NOT_FOUND', async () => {
    const { batches, cancel } = setUp();
    await storeBatch(batches, 'SF');
    expect(await cancel.execute(base)).toMatchObject({ ok: false, error: { code: 'BATCH_NOT_CANCELLABLE' } });
    expect(await cancel.execute({ ...base, batchId: aBatchId(7) })).toMatchObject({ ok: false, error: { code: 'BATCH_NOT_FOUND' } });
    expect(await cancel.execute({ ...base, batchId: 'nope' })).toMatchObject({ ok: false, error: { code: 'INVALID_BATCH_ID' } });
    expect(await cancel.execute({ ...base, accessToken: 'x' })).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } });
  });
});

describe('RetryBatch', () => {
  it('makes a new batch of the failed items, in order, with their inputs and rows, pointing at its parent', async () => {
    const { batches, retry } = setUp();
    await storeBatch(batches, 'FSFF', { source: 'file', columns: ['refID', 'n'] });
    const result = await retry.execute({ ...base, actor: { id: 'u-1' } });
    const locator = { tenantId: 'acme', kind: A_KIND, targetType: 'parcel', batchId: expectOk(result).batchId };
    const view = await batches.findResults(locator, { afterSeq: -1, limit: 1 });
    expect(view!.batch.toSnapshot()).toMatchObject({
      total: 3,
      source: 'file',
      operation: 'create',
      columns: ['refID', 'n'],
      parentBatchId: aBatchId(),
      createdBy: { id: 'u-1' },
    });
    const pending = await batches.transaction((tx) => batches.pendingItems(tx, leaseOn(locator), 10));
    expect(pending).toEqual([
      { seq: 0, refId: 'r-1', row: 2, input: { refID: 'r-1', n: 1 } },
      { seq: 1, refId: 'r-3', row: 4, input: { refID: 'r-3', n: 3 } },
      { seq: 2, refId: 'r-4', row: 5, input: { refID: 'r-4', n: 4 } },
    ]);
  });

  it('refuses an unfinished batch and one with nothing failed', async () => {
    const { batches, retry } = setUp();
    await storeBatch(batches, 'F.');
    expect(await retry.execute({ ...base, actor: null })).toMatchObject({ ok: false, error: { code: 'BATCH_NOT_FINISHED' } });
    await storeBatch(batches, 'SS', { id: aBatchId(2) });
    expect(await retry.execute({ ...base, batchId: aBatchId(2), actor: null })).toMatchObject({ ok: false, error: { code: 'NOTHING_TO_RETRY' } });
    expect(await retry.execute({ ...base, batchId: aBatchId(3), actor: null })).toMatchObject({ ok: false, error: { code: 'BATCH_NOT_FOUND' } });
  });

  it('retries the failed items of a cancelled batch, not the cancelled ones', async () => {
    const { batches, cancel, retry } = setUp();
    await storeBatch(batches, 'FS..');
    await cancel.execute(base);
    const result = await retry.execute({ ...base, actor: null });
    expect(expectOk(result).total).toBe(1);
  });
});

describe('ListBatches', () => {
  it('pages newest first with a cursor, and filters by status', async () => {
    const { batches, list } = setUp();
    for (let n = 1; n <= 5; n++) await storeBatch(batches, n % 2 ? 'S' : 'F', { id: aBatchId(n) }, T0 + n);
    const first = await list.execute({ accessToken: 'tok', tenantId: 'acme', targetType: 'parcel', limit: '2' });
    expect(expectOk(first).items.map((b) => b.id)).toEqual([aBatchId(5), aBatchId(4)]);
    const second = await list.execute({ accessToken: 'tok', tenantId: 'acme', targetType: 'parcel', limit: '2', cursor: expectOk(first).nextCursor });
    expect(expectOk(second).items.map((b) => b.id)).toEqual([aBatchId(3), aBatchId(2)]);
    const third = await list.execute({ accessToken: 'tok', tenantId: 'acme', targetType: 'parcel', limit: '2', cursor: expectOk(second).nextCursor });
    expect(third.ok && [third.value.items.map((b) => b.id), third.value.nextCursor]).toEqual([[aBatchId(1)], null]);
    const failed = await list.execute({ accessToken: 'tok', tenantId: 'acme', targetType: 'parcel', status: 'FAILED' });
    expect(expectOk(failed).items.map((b) => b.id)).toEqual([aBatchId(4), aBatchId(2)]);
  });

  it('refuses a bad status, limit or cursor, and answers BATCH_NOT_FOUND for a type the tenant lacks', async () => {
    const { list } = setUp();
    const bad = await list.execute({ accessToken: 'tok', tenantId: 'acme', targetType: 'parcel', status: 'DONE', limit: '501', cursor: 'zzz' });
    expect(expectErr(bad).violations?.map((v) => v.path)).toEqual(['status', 'limit', 'cursor']);
    expect(await list.execute({ accessToken: 'tok', tenantId: 'acme', targetType: 'crate' })).toMatchObject({ ok: false, error: { code: 'BATCH_NOT_FOUND' } });
  });
});
