import { Batch } from './batch';
import { CallbackSender, DeliverCallback, callbackBackoff } from './callback';
import { FixedClock, InMemoryBatchRepository, T0, aBatch, aBatchId, aCallbackTarget, outcomesFor, someItems } from './testing';

describe('callbackBackoff', () => {
  it('doubles from the base, within ±20 %', () => {
    expect([1, 2, 3, 4].map((n) => callbackBackoff(n, 1000, () => 0.5))).toEqual([1000, 2000, 4000, 8000]);
    expect(callbackBackoff(1, 1000, () => 0)).toBe(800);
    expect(callbackBackoff(4, 1000, () => 0.999999)).toBe(9600);
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
  async function setUp(answers: boolean[]) {
    const store = new InMemoryBatchRepository();
    const batch = aBatch({ id: aBatchId(1), total: 1, hasCallback: true });
    await store.add(batch, someItems(1), { callback: aCallbackTarget() });
    batch.recordOutcomes(['success'], T0 + 10);
    await store.recordOutcomes(batch, outcomesFor('S'));
    const sent: unknown[] = [];
    const sender: CallbackSender = {
      send: async (_due, payload) => {
        sent.push(payload);
        const delivered = answers.shift() ?? false;
        return { delivered, error: delivered ? null : 'HTTP 500' };
      },
    };
    const clock = new FixedClock(T0 + 1000);
    const deliver = new DeliverCallback(store, { payloadFor: async (due) => ({ batchId: due.locator.batchId }) }, sender, clock, { maxAttempts: 3, baseDelayMs: 100, random: () => 0.5 });
    return { store, deliver, sent, clock };
  }

  it('retries with backoff until the receiver accepts, then stops', async () => {
    const { store, deliver, sent, clock } = await setUp([false, false, true]);
    for (const wait of [0, 100, 200]) {
      clock.advance(wait);
      const due = await store.claimDue('w', clock.now(), clock.now() + 50, 10);
      expect(due).toHaveLength(1);
      await deliver.execute(due[0]!);
      expect(await store.claimDue('w', clock.now(), clock.now() + 50, 10)).toEqual([]);
    }
    expect(sent).toEqual([{ batchId: aBatchId(1) }, { batchId: aBatchId(1) }, { batchId: aBatchId(1) }]);
    expect((await store.findStatus({ tenantId: 'acme', targetType: 'parcel', batchId: aBatchId(1) }, 1))!.batch.toSnapshot()).toMatchObject({ callbackState: 'DELIVERED', callbackAttempts: 3 });
    clock.advance(100_000);
    expect(await store.claimDue('w', clock.now(), clock.now() + 50, 10)).toEqual([]);
  });

  it('gives up after the configured attempts', async () => {
    const { store, deliver, clock } = await setUp([]);
    for (let i = 0; i < 3; i++) {
      const [due] = await store.claimDue('w', clock.now(), clock.now() + 50, 10);
      await deliver.execute(due!);
      clock.advance(10_000);
    }
    expect((await store.findStatus({ tenantId: 'acme', targetType: 'parcel', batchId: aBatchId(1) }, 1))!.batch.toSnapshot()).toMatchObject({ callbackState: 'FAILED', callbackAttempts: 3 });
    expect(store.callbacks.values().next().value?.lastError).toBe('HTTP 500');
  });
});
