import { SubmitBatch } from './submit-batch.use-case';
import { A_KIND, FixedClock, InMemoryBatchRepository, SequentialIdGenerator, StaticAccessVerifier, leaseOn } from './testing';
import { expectErr, expectOk } from './testing';

function setUp(known = ['parcel']) {
  const batches = new InMemoryBatchRepository();
  const submit = new SubmitBatch(
    batches,
    { exists: async (_tenant, name) => known.includes(name) },
    new StaticAccessVerifier().grant('tok', 'acme'),
    new FixedClock(1000),
    new SequentialIdGenerator(),
    {
      kind: A_KIND,
      targetType: { parameter: 'parcelKind', description: 'must be letters', test: (n) => /^[a-z]+$/.test(n) },
      maxItems: 3,
      referenceField: { create: 'ref', update: 'parcelId' },
      cleanItem: (_op, item) => ({ ref: item.ref, parcelId: item.parcelId }),
    },
  );
  const run = (payload: unknown, overrides = {}) =>
    submit.execute({ accessToken: 'tok', tenantId: 'acme', targetType: 'parcel', operation: 'create', source: 'json', payload, actor: null, ...overrides });
  return { batches, run };
}

describe('SubmitBatch', () => {
  it('stores the batch with its items, cleaned, and answers its id', async () => {
    const { batches, run } = setUp();
    const result = await run([{ ref: 'a', junk: 1 }, { ref: 'b' }]);
    expect(result).toEqual({ ok: true, value: { batchId: 'batch:00000000-0000-4000-8000-000000000001', replayed: false } });
    const view = await batches.findStatus({ tenantId: 'acme', kind: A_KIND, targetType: 'parcel', batchId: expectOk(result).batchId }, 10);
    expect(view!.batch.status).toBe('QUEUED');
    const pending = await batches.transaction((tx) =>
      batches.pendingItems(tx, leaseOn({ tenantId: 'acme', kind: A_KIND, targetType: 'parcel', batchId: expectOk(result).batchId }), 10),
    );
    expect(pending.map((p) => p.input)).toEqual([{ ref: 'a' }, { ref: 'b' }]);
  });

  it.each([
    ['no array', { ref: 'a' }, ['payload']],
    ['no items', [], ['payload']],
    ['too many items', [{ ref: 'a' }, { ref: 'b' }, { ref: 'c' }, { ref: 'd' }], ['payload']],
    ['a missing reference', [{ ref: 'a' }, {}], ['payload[1].ref']],
    ['a repeated reference', [{ ref: 'a' }, { ref: 'a' }], ['payload[1].ref']],
    ['an item that is no object', ['x', { ref: 'b' }, { ref: '' }], ['payload[0]', 'payload[2].ref']],
    // Two such references would both read back from the store as U+FFFD, the same reference.
    ['a lone surrogate or a NUL in a reference', [{ ref: '\uD800' }, { ref: 'a\u0000' }, { ref: '\u{1F4E6}' }], ['payload[0].ref', 'payload[1].ref']],
  ])('refuses %s, listing every violation and storing nothing', async (_what, payload, paths) => {
    const { run } = setUp();
    const result = await run(payload);
    expectErr(result, 'VALIDATION_FAILED');
    expect(expectErr(result).violations?.map((v) => v.path)).toEqual(paths);
  });

  it("lists the caller's own violations with the payload's in one refusal, and stores nothing", async () => {
    const { run, batches } = setUp();
    const callback = { path: 'callback.url', message: 'must be an absolute http(s) URL' };
    const both = await run([{ ref: 'a' }, {}], { violations: [callback] });
    expect(expectErr(both, 'VALIDATION_FAILED').violations).toEqual([callback, { path: 'payload[1].ref', message: expect.any(String) }]);
    const alone = await run([{ ref: 'a' }], { violations: [callback] });
    expect(expectErr(alone, 'VALIDATION_FAILED').violations).toEqual([callback]);
    const notAnArray = await run('x', { violations: [callback] });
    expect(expectErr(notAnArray, 'VALIDATION_FAILED').violations?.map((v) => v.path)).toEqual(['callback.url', 'payload']);
    // The caller's word on a path replaces the check's own.
    const named = { path: 'payload[1].ref', message: "'a' is the name given to payload[0]" };
    const repeat = await run([{ ref: 'a' }, { ref: 'a' }], { violations: [named] });
    expect(expectErr(repeat, 'VALIDATION_FAILED').violations).toEqual([named]);
    expect((await batches.backlog()).batches.QUEUED).toBe(0);
  });

  it('uses the update reference field for updates', async () => {
    const { run } = setUp();
    const result = await run([{ ref: 'a' }], { operation: 'update' });
    expect(expectErr(result).violations?.[0]?.path).toBe('payload[0].parcelId');
  });

  it('answers the configured code for an unknown target type, after the body checks', async () => {
    const { run } = setUp([]);
    expect(await run([{ ref: 'a' }])).toMatchObject({ ok: false, error: { code: 'TARGET_TYPE_NOT_FOUND' } });
    expect(await run([])).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
  });

  it('checks the token first', async () => {
    const { run } = setUp();
    expect(await run([], { accessToken: 'bad' })).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } });
  });

  describe('with a submission key', () => {
    it('answers a repeat of the same request with the first batch, storing nothing more', async () => {
      const { batches, run } = setUp();
      const first = await run([{ ref: 'a' }], { submission: { key: 'req-1', fingerprint: 'f1' } });
      const again = await run([{ ref: 'a' }], { submission: { key: 'req-1', fingerprint: 'f1' } });
      expect(again).toEqual({ ok: true, value: { batchId: expectOk(first).batchId, replayed: true } });
      expect(await batches.list({ tenantId: 'acme', kind: A_KIND, targetType: 'parcel' }, { limit: 10 })).toHaveLength(1);
    });

    it('refuses the same key for another request with IDEMPOTENCY_KEY_REUSED', async () => {
      const { batches, run } = setUp();
      await run([{ ref: 'a' }], { submission: { key: 'req-1', fingerprint: 'f1' } });
      expect(await run([{ ref: 'b' }], { submission: { key: 'req-1', fingerprint: 'f2' } })).toMatchObject({
        ok: false,
        error: { code: 'IDEMPOTENCY_KEY_REUSED' },
      });
      expect(await batches.list({ tenantId: 'acme', kind: A_KIND, targetType: 'parcel' }, { limit: 10 })).toHaveLength(1);
    });

    it('does not use a key for a request that is refused', async () => {
      const { run } = setUp();
      expectErr(await run([], { submission: { key: 'req-1', fingerprint: 'f0' } }));
      expect(await run([{ ref: 'a' }], { submission: { key: 'req-1', fingerprint: 'f1' } })).toMatchObject({ ok: true, value: { replayed: false } });
    });
  });
});
