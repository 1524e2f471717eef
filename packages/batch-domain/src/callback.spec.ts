import { Batch } from './batch';
import { CallbackSender, DeliverCallback, callbackBackoff, fairShare, pickFairly } from './callback';
import { A_KIND, FixedClock, InMemoryBatchRepository, T0, aBatch, aBatchId, aCallbackTarget, outcomesFor, someItems } from './testing';

describe('callbackBackoff', () => {
  it('doubles from the base, within ±20 %', () => {
    expect([1, 2, 3, 4].map((n) => callbackBackoff(n, 1000, () => 0.5))).toEqual([1000, 2000, 4000, 8000]);
    expect(callbackBackoff(1, 1000, () => 0)).toBe(800);
    expect(callbackBackoff(4, 1000, () => 0.999999)).toBe(9600);
  });
});

describe('pickFairly', () => {
  const rows = (...tenants: string[]) => tenants.map((tenantId, i) => ({ tenantId, i }));

  it('splits the slots between the tenants that wait or are busy, plus one more', () => {
    expect([fairShare(16, 1), fairShare(16, 2), fairShare(16, 15), fairShare(16, 40), fairShare(1, 1)]).toEqual([15, 7, 1, 1, 1]);
  });

  it('takes candidates in the order given, skipping a tenant once it holds its share', () => {
    const picked = pickFairly(rows('a', 'b', 'a', 'b', 'a', 'a'), 10, { slots: 6, busy: new Map([['a', 1]]) });
    // Two tenants: a share of 2 each; 'a' holds 1 already.
    expect(picked.map((r) => r.i)).toEqual([0, 1, 3]);
  });

  it('counts a busy tenant without candidates, and stops at the limit', () => {
    expect(pickFairly(rows('a', 'a', 'a', 'a'), 10, { slots: 8, busy: new Map([['slow', 8]]) })).toHaveLength(3);
    expect(pickFairly(rows('a', 'b', 'c'), 2, { slots: 100, busy: new Map() })).toHaveLength(2);
    expect(pickFairly(rows('a', 'a', 'a'), 2)).toHaveLength(2);
  });
});

describe('Batch.recordCallbackAttempt', () => {
  const finished = () => {
    const batch = aBatch({ total: 1, hasCallback: true });
    batch.recordOutcomes(['failed'], T0);
    return batch;
  };

  it('counts every try, the successful one included', () => {
    const batch = finished();
    batch.recordCallbackAttempt(false, 5);
    batch.recordCallbackAttempt(true, 5);
    expect(batch.toSnapshot()).toMatchObject({ callbackState: 'DELIVERED', callbackAttempts: 2 });
    expect(() => batch.recordCallbackAttempt(true, 5)).toThrow(/no callback waiting/);
  });

  it('fails for good after the last allowed try, and refuses a try before the batch is finished', () => {
    const batch = finished();
    batch.recordCallbackAttempt(false, 2);
    expect(batch.toSnapshot().callbackState).toBe('PENDING');
    batch.recordCallbackAttempt(false, 2);
    expect(batch.toSnapshot()).toMatchObject({ callbackState: 'FAILED', callbackAttempts: 2 });
    expect(() => aBatch({ total: 1, hasCallback: true }).recordCallbackAttempt(true, 5)).toThrow(/not finished/);
    expect(() => Batch.fromSnapshot({ ...finished().toSnapshot(), callbackState: 'NONE' }).recordCallbackAttempt(true, 5)).toThrow();
  });
});

describe('DeliverCallback', () => {
  async function setUp(answers: Array<boolean | 'hang'>) {
    const store = new InMemoryBatchRepository();
    const batch = aBatch({ id: aBatchId(1), total: 1, hasCallback: true });
    await store.add(batch, someItems(1), { callback: aCallbackTarget() });
    batch.recordOutcomes(['success'], T0 + 10);
    await store.recordOutcomes(batch, outcomesFor('S'));
    const sent: unknown[] = [];
    const sender: CallbackSender = {
      send: async (_due, payload, signal) => {
        sent.push(payload);
        const answer = answers.shift() ?? false;
        if (answer === 'hang') {
          await new Promise((resolve) => signal!.addEventListener('abort', resolve));
          return { delivered: false, error: 'stopped during the try' };
        }
        return { delivered: answer, error: answer ? null : 'HTTP 500' };
      },
    };
    const clock = new FixedClock(T0 + 1000);
    const deliver = new DeliverCallback(store, { payloadFor: async (due) => ({ batchId: due.locator.batchId }) }, sender, clock, {
      maxAttempts: 3,
      baseDelayMs: 100,
      random: () => 0.5,
    });
    return { store, deliver, sent, clock };
  }

  it('retries with backoff until the receiver accepts, then stops', async () => {
    const { store, deliver, sent, clock } = await setUp([false, false, true]);
    for (const wait of [0, 100, 200]) {
      clock.advance(wait);
      const due = await store.claimDue('w', [A_KIND], clock.now(), clock.now() + 50, 10);
      expect(due).toHaveLength(1);
      await deliver.execute(due[0]!, 'w');
      expect(await store.claimDue('w', [A_KIND], clock.now(), clock.now() + 50, 10)).toEqual([]);
    }
    expect(sent).toEqual([{ batchId: aBatchId(1) }, { batchId: aBatchId(1) }, { batchId: aBatchId(1) }]);
    expect((await store.findStatus({ tenantId: 'acme', kind: A_KIND, targetType: 'parcel', batchId: aBatchId(1) }, 1))!.batch.toSnapshot()).toMatchObject({
      callbackState: 'DELIVERED',
      callbackAttempts: 3,
    });
    clock.advance(100_000);
    expect(await store.claimDue('w', [A_KIND], clock.now(), clock.now() + 50, 10)).toEqual([]);
  });

  it('gives up after the configured attempts', async () => {
    const { store, deliver, clock } = await setUp([]);
    for (let i = 0; i < 3; i++) {
      const [due] = await store.claimDue('w', [A_KIND], clock.now(), clock.now() + 50, 10);
      await deliver.execute(due!, 'w');
      clock.advance(10_000);
    }
    expect((await store.findStatus({ tenantId: 'acme', kind: A_KIND, targetType: 'parcel', batchId: aBatchId(1) }, 1))!.batch.toSnapshot()).toMatchObject({
      callbackState: 'FAILED',
      callbackAttempts: 3,
    });
    expect(store.callbacks.values().next().value?.lastError).toBe('HTTP 500');
    expect(store.callbacks.values().next().value?.target.secret).toBeNull();
  });

  it('drops the secret once the callback is delivered, and keeps it while it is pending', async () => {
    const { store, deliver, clock } = await setUp([false, true]);
    const [first] = await store.claimDue('w', [A_KIND], clock.now(), clock.now() + 50, 10);
    await deliver.execute(first!, 'w');
    expect(store.callbacks.values().next().value?.target.secret).toBe('s3cret');
    clock.advance(10_000);
    const [second] = await store.claimDue('w', [A_KIND], clock.now(), clock.now() + 50, 10);
    await deliver.execute(second!, 'w');
    expect(store.callbacks.values().next().value?.target.secret).toBeNull();
  });

  it('does not count a try interrupted by a stop, and gives the callback back at once', async () => {
    const { store, deliver, clock } = await setUp(['hang', true]);
    const [due] = await store.claimDue('w', [A_KIND], clock.now(), clock.now() + 60_000, 10);
    const stop = new AbortController();
    const trying = deliver.execute(due!, 'w', stop.signal);
    await new Promise((resolve) => setImmediate(resolve));
    stop.abort();
    expect(await trying).toEqual({ delivered: false, error: 'stopped during the try', interrupted: true });
    const [again] = await store.claimDue('w2', [A_KIND], clock.now(), clock.now() + 60_000, 10);
    expect(again?.attempts).toBe(0);
    expect(await deliver.execute(again!, 'w2')).toMatchObject({ delivered: true });
  });

  it('fails for good, sending nothing, a callback that cannot be sent as stored', async () => {
    const { store, deliver, sent, clock } = await setUp([true]);
    const [due] = await store.claimDue('w', [A_KIND], clock.now(), clock.now() + 50, 10);
    const result = await deliver.execute({ ...due!, undeliverable: "its secret was sealed under key 'old', which is not configured" }, 'w');
    expect(result).toMatchObject({ delivered: false, interrupted: false });
    expect(sent).toEqual([]);
    expect((await store.findStatus({ tenantId: 'acme', kind: A_KIND, targetType: 'parcel', batchId: aBatchId(1) }, 1))!.batch.toSnapshot()).toMatchObject({
      callbackState: 'FAILED',
      callbackAttempts: 1,
    });
    expect(store.callbacks.values().next().value?.lastError).toMatch(/key 'old'/);
  });
});
