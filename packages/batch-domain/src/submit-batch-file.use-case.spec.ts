import { ok, domainError, err } from './result';
import { FileProblem, FileRecord, FileTarget, SubmitBatchFile } from './submit-batch-file.use-case';
import { A_KIND, FixedClock, InMemoryBatchRepository, SequentialIdGenerator, StaticAccessVerifier, leaseOn } from './testing';
import { expectErr, expectOk } from './testing';

const BATCH = 'batch:00000000-0000-4000-8000-000000000001';

function setUp(
  options: {
    known?: string[];
    maxRows?: number;
    partSize?: number;
    checkColumns?: (operation: 'create' | 'update', columns: readonly string[], target: FileTarget) => string | null | Promise<string | null>;
  } = {},
) {
  const batches = new InMemoryBatchRepository();
  const submit = new SubmitBatchFile(
    batches,
    { exists: async (_tenant, name) => (options.known ?? ['parcel']).includes(name) },
    new StaticAccessVerifier().grant('tok', 'acme'),
    new FixedClock(1000),
    new SequentialIdGenerator(),
    {
      kind: A_KIND,
      targetType: { parameter: 'parcelKind', description: 'must be letters', test: (n) => /^[a-z]+$/.test(n) },
      referenceField: { create: 'ref', update: 'parcelId' },
      maxRows: options.maxRows ?? 10,
      partSize: options.partSize ?? 2,
      ...(options.checkColumns ? { checkColumns: options.checkColumns } : {}),
    },
  );
  const locator = { tenantId: 'acme', kind: A_KIND, targetType: 'parcel', batchId: BATCH as never };
  return { batches, submit, locator };
}

async function* records(...entries: Array<FileRecord | FileProblem>): AsyncIterable<FileRecord | FileProblem> {
  for (const entry of entries) yield entry;
}

const line = (n: number, ...cells: string[]): FileRecord => ({ line: n, cells });
const base = { accessToken: 'tok', tenantId: 'acme', targetType: 'parcel', operation: 'create' as const, actor: null };

describe('SubmitBatchFile', () => {
  it('stores every record in parts, keeping each row and its cells, under the trimmed header', async () => {
    const { batches, submit, locator } = setUp();
    const result = await submit.execute({ ...base, records: records(line(1, ' ref ', 'name'), line(2, 'a', 'A'), line(4, 'b', 'B'), line(5, 'c', 'C')) });
    expect(result).toEqual(ok({ batchId: BATCH, replayed: false }));
    const view = await batches.findResults(locator, { afterSeq: -1, limit: 1 });
    expect(view!.batch.toSnapshot()).toMatchObject({ source: 'file', total: 3, columns: ['ref', 'name'] });
    const pending = await batches.transaction((tx) => batches.pendingItems(tx, leaseOn(locator), 10));
    expect(pending).toEqual([
      { seq: 0, refId: 'a', row: 2, input: ['a', 'A'] },
      { seq: 1, refId: 'b', row: 4, input: ['b', 'B'] },
      { seq: 2, refId: 'c', row: 5, input: ['c', 'C'] },
    ]);
  });

  it('keeps a row with the wrong number of cells, to fail alone, with its reference or, lacking a usable one, named by its line', async () => {
    const { batches, submit, locator } = setUp();
    const tooLong = 'r'.repeat(129);
    const result = await submit.execute({
      ...base,
      records: records(line(1, 'name', 'ref'), line(2, 'only'), line(3, 'x', 'r-3', 'extra'), line(4, 'x', '', 'extra'), line(5, 'x', tooLong, 'extra')),
    });
    expectOk(result);
    const pending = await batches.transaction((tx) => batches.pendingItems(tx, leaseOn(locator), 10));
    expect(pending.map((p) => [p.refId, p.row])).toEqual([
      ['2', 2],
      ['r-3', 3],
      ['4', 4],
      ['5', 5],
    ]);
  });

  it('refuses a file where a given reference repeats the name a short row was given by its line', async () => {
    const { submit } = setUp();
    const result = await submit.execute({ ...base, records: records(line(1, 'name', 'ref'), line(2, 'only'), line(3, 'x', '2')) });
    expect(expectErr(result, 'INVALID_FILE').violations?.[0]?.message).toBe("line 3 repeats the ref '2' of line 2");
  });

  it.each([
    ['an empty file', [], /empty/],
    ['a header only', [line(1, 'ref')], /no data row/],
    ['no reference column', [line(1, 'name'), line(2, 'a')], /lacks the required column ref/],
    ['a repeated column', [line(1, 'ref', 'name', 'name'), line(2, 'a', 'b', 'c')], /repeats the column 'name'/],
    ['a column repeated once trimmed', [line(1, 'ref', 'name', ' name '), line(2, 'a', 'b', 'c')], /repeats the column 'name'/],
    ['a column with no name', [line(1, 'ref', '', 'name'), line(2, 'a', 'b', 'c')], /column 2 of the header has no name/],
    ['a column named only by spaces', [line(1, 'ref', 'name', '  '), line(2, 'a', 'b', 'c')], /column 3 of the header has no name/],
    ['a header of empty names', [line(1, 'ref', ...Array.from({ length: 1000 }, () => '')), line(2, 'a')], /column 2 of the header has no name/],
    ['an empty reference', [line(1, 'ref', 'name'), line(2, '', 'b')], /line 2: ref must be 1 to 128/],
    ['a repeated reference across parts', [line(1, 'ref'), line(2, 'a'), line(3, 'b'), line(4, 'c'), line(6, 'a')], /line 6 repeats the ref 'a' of line 2/],
  ])('refuses %s with INVALID_FILE and stores nothing', async (_name, entries, message) => {
    const { batches, submit, locator } = setUp();
    const result = await submit.execute({ ...base, records: records(...entries) });
    expectErr(result, 'INVALID_FILE');
    expect(expectErr(result).violations?.[0]?.message).toMatch(message);
    expect(await batches.findStatus(locator, 10)).toBeNull();
    expect(await batches.purgeAbandonedIntakes(Number.MAX_SAFE_INTEGER, 1000)).toBe(0);
  });

  it("refuses a header the target's rules refuse, with their reason, and stores nothing", async () => {
    const seen: Array<[string, readonly string[]]> = [];
    const { batches, submit, locator } = setUp({
      checkColumns: (operation, columns) => {
        seen.push([operation, columns]);
        return columns.length > 2 ? 'the header has more than 2 columns' : null;
      },
    });
    const refused = await submit.execute({ ...base, records: records(line(1, ' ref', 'a', 'b'), line(2, 'r', '1', '2')) });
    expect(expectErr(refused)).toMatchObject({ code: 'INVALID_FILE', violations: [{ path: 'file:line 1', message: 'the header has more than 2 columns' }] });
    expect(seen).toEqual([['create', ['ref', 'a', 'b']]]);
    expect(await batches.findStatus(locator, 10)).toBeNull();
    expectOk(await submit.execute({ ...base, records: records(line(1, 'ref', 'a'), line(2, 'r', '1')) }));
  });

  it("gives the target's rules the caller's tenant and type, and waits for an answer they look up", async () => {
    const seen: FileTarget[] = [];
    const { submit } = setUp({
      checkColumns: async (_operation, columns, target) => {
        seen.push(target);
        await Promise.resolve();
        return columns.includes('weight') ? "the column 'weight' names an attribute" : null;
      },
    });
    const refused = await submit.execute({ ...base, records: records(line(1, 'ref', 'weight'), line(2, 'r', '1')) });
    expect(expectErr(refused)).toMatchObject({
      code: 'INVALID_FILE',
      violations: [{ path: 'file:line 1', message: "the column 'weight' names an attribute" }],
    });
    expect(seen).toEqual([{ tenantId: 'acme', targetType: 'parcel' }]);
    // Asked before the reference column is required: they can say what a column was meant to be.
    const misnamed = await submit.execute({ ...base, records: records(line(1, 'Ref', 'weight'), line(2, 'r', '1')) });
    expect(expectErr(misnamed).violations).toEqual([{ path: 'file:line 1', message: "the column 'weight' names an attribute" }]);
  });

  it('refuses a file over the row limit with PAYLOAD_TOO_LARGE', async () => {
    const { batches, submit, locator } = setUp({ maxRows: 2 });
    const result = await submit.execute({ ...base, records: records(line(1, 'ref'), line(2, 'a'), line(3, 'b'), line(4, 'c')) });
    expectErr(result, 'PAYLOAD_TOO_LARGE');
    expect(await batches.findStatus(locator, 10)).toBeNull();
  });

  it('passes on what the reader reports about the bytes, storing nothing', async () => {
    const { batches, submit, locator } = setUp();
    const result = await submit.execute({
      ...base,
      records: records(line(1, 'ref'), line(2, 'a'), line(3, 'b'), line(4, 'c'), { problem: 'PAYLOAD_TOO_LARGE', message: 'The file is over 10 bytes' }),
    });
    expectErr(result, 'PAYLOAD_TOO_LARGE');
    expect(await batches.purgeAbandonedIntakes(Number.MAX_SAFE_INTEGER, 1000)).toBe(0);
    expect(await batches.findStatus(locator, 10)).toBeNull();
  });

  it('answers what finish answers, after the file, and then stores nothing', async () => {
    const { batches, submit, locator } = setUp();
    const result = await submit.execute({
      ...base,
      records: records(line(1, 'ref'), line(2, 'a')),
      finish: async () => err(domainError('VALIDATION_FAILED', 'bad callback')),
    });
    expectErr(result, 'VALIDATION_FAILED');
    expect(await batches.findStatus(locator, 10)).toBeNull();
  });

  it('checks the target type after the file, so body errors come first', async () => {
    const { submit } = setUp({ known: [] });
    const good = await submit.execute({ ...base, records: records(line(1, 'ref'), line(2, 'a')) });
    expectErr(good, 'TARGET_TYPE_NOT_FOUND');
    const bad = await submit.execute({ ...base, records: records(line(1, 'name')) });
    expectErr(bad, 'INVALID_FILE');
  });

  it('checks the token and the type name before reading a byte', async () => {
    const { submit } = setUp();
    let read = false;
    const reader = (async function* () {
      read = true;
      yield line(1, 'ref');
    })();
    expect(await submit.execute({ ...base, accessToken: 'nope', records: reader })).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } });
    expect(await submit.execute({ ...base, targetType: 'Bad1', records: reader })).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    expect(read).toBe(false);
  });

  it('discards the intake when reading throws, and passes the failure on', async () => {
    const { batches, submit } = setUp();
    const reader = (async function* () {
      yield line(1, 'ref');
      yield line(2, 'a');
      yield line(3, 'b');
      throw new Error('connection reset');
    })();
    await expect(submit.execute({ ...base, records: reader })).rejects.toThrow('connection reset');
    expect(await batches.purgeAbandonedIntakes(Number.MAX_SAFE_INTEGER, 1000)).toBe(0);
  });

  it('answers a repeated file with the first batch and leaves the second copy behind; another file under the key is refused', async () => {
    const { batches, submit } = setUp();
    const send = (cells: string, fingerprint: string) =>
      submit.execute({ ...base, records: records(line(1, 'ref'), line(2, cells)), submission: () => ({ key: 'req-9', fingerprint }) });
    const first = await send('a', 'file-a');
    expect(await send('a', 'file-a')).toEqual(ok({ batchId: expectOk(first).batchId, replayed: true }));
    expect(await send('b', 'file-b')).toMatchObject({ ok: false, error: { code: 'IDEMPOTENCY_KEY_REUSED' } });
    expect(await batches.list({ tenantId: 'acme', kind: A_KIND, targetType: 'parcel' }, { limit: 10 })).toHaveLength(1);
    expect(await batches.purgeAbandonedIntakes(Number.MAX_SAFE_INTEGER, 1000)).toBe(0);
  });
});
