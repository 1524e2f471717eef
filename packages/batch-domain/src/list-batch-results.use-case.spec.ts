import { ListBatchResults, RESULTS_PAGE_LIMIT } from './list-batch-results.use-case';
import { A_KIND, InMemoryBatchRepository, StaticAccessVerifier, aBatchId, storeBatch } from './testing';
import { expectOk } from './testing';

const rule = { parameter: 'parcelKind', description: 'must be letters', test: (n: string) => /^[a-z]+$/.test(n) };

function setUp() {
  const repository = new InMemoryBatchRepository();
  const list = new ListBatchResults(repository, new StaticAccessVerifier().grant('tok', 'acme'), { kind: A_KIND, targetType: rule });
  const page = (query: Record<string, unknown> = {}) =>
    list.execute({ accessToken: 'tok', tenantId: 'acme', targetType: 'parcel', batchId: aBatchId(), ...query });
  return { repository, page };
}

describe('ListBatchResults', () => {
  it('returns every result exactly once across pages, in input order', async () => {
    const { repository, page } = setUp();
    await storeBatch(repository, 'SFSSFS');
    const seen: number[] = [];
    let cursor: string | null | undefined;
    do {
      const result = expectOk(await page({ limit: '2', ...(cursor ? { cursor } : {}) }));
      seen.push(...result.items.map((i) => i.seq));
      cursor = result.nextCursor;
    } while (cursor);
    expect(seen).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('keeps giving a cursor while items are pending, so a client can poll for the rest', async () => {
    const { repository, page } = setUp();
    await storeBatch(repository, 'SF..');
    const first = await page({ limit: '5' });
    expect(expectOk(first).items.map((i) => i.seq)).toEqual([0, 1]);
    const cursor = expectOk(first).nextCursor;
    expect(cursor).toEqual(expect.any(String));
    const empty = await page({ cursor });
    expect(empty.ok && { items: empty.value.items, nextCursor: empty.value.nextCursor }).toEqual({ items: [], nextCursor: cursor });
  });

  it('filters by outcome', async () => {
    const { repository, page } = setUp();
    await storeBatch(repository, 'SFSF');
    const result = await page({ outcome: 'failed' });
    expect(expectOk(result)).toMatchObject({ items: [{ seq: 1 }, { seq: 3 }], nextCursor: null });
  });

  it.each([
    [{ outcome: 'cancelled' }, 'outcome'],
    [{ limit: '0' }, 'limit'],
    [{ limit: String(RESULTS_PAGE_LIMIT.max + 1) }, 'limit'],
    [{ cursor: 'garbage!' }, 'cursor'],
    [{ cursor: Buffer.from('s:x').toString('base64url') }, 'cursor'],
    [{ targetType: 'P4' }, 'parcelKind'],
  ])('refuses %p', async (query, path) => {
    const { page } = setUp();
    expect(await page(query)).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED', violations: [{ path }] } });
  });

  it('answers BATCH_NOT_FOUND for an unknown batch and INVALID_BATCH_ID for a bad id', async () => {
    const { page } = setUp();
    expect(await page()).toMatchObject({ ok: false, error: { code: 'BATCH_NOT_FOUND' } });
    expect(await page({ batchId: 'nope' })).toMatchObject({ ok: false, error: { code: 'INVALID_BATCH_ID' } });
  });
});
