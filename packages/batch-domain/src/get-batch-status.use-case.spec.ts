import { GetBatchStatus } from './get-batch-status.use-case';
import { A_KIND, FixedClock, T0, InMemoryBatchRepository, StaticAccessVerifier, aBatchId, storeBatch } from './testing';
import { expectErr, expectOk } from './testing';

const parcelTypes = { parameter: 'parcelKind', description: 'must be lower-case letters', test: (n: string) => /^[a-z]+$/.test(n) };

function setUp(listLimit?: number, clock = new FixedClock()) {
  const repository = new InMemoryBatchRepository();
  const access = new StaticAccessVerifier().grant('token-acme', 'acme').grant('token-globex', 'globex');
  const useCase = new GetBatchStatus(repository, access, { kind: A_KIND, targetType: parcelTypes, ...(listLimit ? { listLimit } : {}) }, clock);
  const ask = (overrides: Partial<Parameters<GetBatchStatus['execute']>[0]> = {}) =>
    useCase.execute({ accessToken: 'token-acme', tenantId: 'acme', targetType: 'parcel', batchId: aBatchId(), ...overrides });
  return { repository, access, ask };
}

describe('GetBatchStatus', () => {
  it('reports counters, status and result lists of a running batch', async () => {
    const { repository, ask } = setUp();
    await storeBatch(repository, 'SF.');
    const view = expectOk(await ask());
    expect(view.status).toBe('IN_PROGRESS');
    expect(view.pending).toBe(1);
    expect(view.successes.map((s) => s.refId)).toEqual(['r-1']);
    expect(view.failures.map((f) => [f.refId, f.code])).toEqual([['r-2', 'ITEM_INVALID']]);
    expect(view.hasMore).toBe(false);
  });

  it('reports progress as read on its clock', async () => {
    const clock = new FixedClock(T0 + 1_000);
    const { repository, ask } = setUp(undefined, clock);
    await storeBatch(repository, 'SF..');
    // 2 items processed between the start (T0 + 1 s) and the read, 4 s later.
    clock.advance(4_000);
    expect(expectOk(await ask()).progress).toEqual({ percent: 50, itemsPerSecond: 0.5, etaMs: 4_000 });
  });

  it('checks the token before anything else', async () => {
    const { access, ask } = setUp();
    const result = await ask({ accessToken: 'forged', targetType: '!!', batchId: 'nope' });
    expectErr(result, 'UNAUTHORIZED');
    expect(access.calls).toEqual([{ token: 'forged', tenantId: 'acme' }]);
  });

  it('refuses a token issued for another tenant', async () => {
    const { repository, ask } = setUp();
    await storeBatch(repository, 'S');
    const result = await ask({ accessToken: 'token-globex' });
    expectErr(result, 'UNAUTHORIZED');
  });

  it('refuses a target type that breaks the rule, naming the parameter', async () => {
    const { ask } = setUp();
    const result = await ask({ targetType: 'Parcel1' });
    expect(expectErr(result)).toMatchObject({ code: 'VALIDATION_FAILED', violations: [{ path: 'parcelKind' }] });
  });

  it.each([undefined, 'batch:123', 42])('refuses batch id %p', async (batchId) => {
    const { ask } = setUp();
    const result = await ask({ batchId });
    expectErr(result, 'INVALID_BATCH_ID');
  });

  it("hides another tenant's batch as not found", async () => {
    const { repository, ask } = setUp();
    await storeBatch(repository, 'S', { tenantId: 'globex' });
    const result = await ask();
    expectErr(result, 'BATCH_NOT_FOUND');
  });

  it('does not find a batch under another target type', async () => {
    const { repository, ask } = setUp();
    await storeBatch(repository, 'S', { targetType: 'pallet' });
    const result = await ask();
    expectErr(result, 'BATCH_NOT_FOUND');
  });

  it('caps each list at the limit and reports hasMore', async () => {
    const { repository, ask } = setUp(2);
    await storeBatch(repository, 'SSSF');
    const result = await ask();
    expect(expectOk(result).successes.length).toBe(2);
    expect(expectOk(result).hasMore).toBe(true);
  });
});
