// The behaviour every CallbackOutbox must show, with the batch ports it shares a store with.
import { BatchReads, BatchWrites } from '../batch-repository.port';
import { CallbackOutbox, CallbackTarget } from '../callback';
import { RACERS } from './batch-claim.contract';
import { BatchSeeder } from './batch-seeder';
import { A_KIND, T0, aBatch, aBatchId, outcomesFor, someItems } from './builders';

export interface OutboxFixture {
  repository: BatchReads & BatchWrites;
  /** Writes over the same store, for tests only. */
  seeder: BatchSeeder;
  outbox: CallbackOutbox;
  close?: () => Promise<void>;
  /** The same store opened again, as another process would (its own connection); the races use it. */
  rival?: () => Promise<OutboxFixture>;
}

export const aCallbackTarget = (overrides: Partial<CallbackTarget> = {}): CallbackTarget => ({
  url: 'https://hooks.example.com/batches',
  meta: { job: 7 },
  secret: 's3cret',
  requestId: 'req-1',
  ...overrides,
});

export function describeCallbackOutboxContract(name: string, open: () => Promise<OutboxFixture>): void {
  describe(`CallbackOutbox contract: ${name}`, () => {
    let fixture: OutboxFixture;
    beforeEach(async () => {
      fixture = await open();
    });
    afterEach(async () => {
      await fixture.close?.();
    });

    const locator = (n: number, tenantId = 'acme') => ({ tenantId, kind: A_KIND, targetType: 'parcel', batchId: aBatchId(n) });

    /** A batch of two items with a callback, finished (both succeeded) when `finish`. */
    async function store(n: number, finish: boolean, target = aCallbackTarget(), tenantId = 'acme') {
      const batch = aBatch({ id: aBatchId(n), tenantId, total: 2, hasCallback: true }, T0 + n);
      await fixture.repository.add(batch, someItems(2), { callback: target });
      if (finish) {
        batch.recordOutcomes(['success', 'success'], T0 + 100 + n);
        await fixture.seeder.recordOutcomes(batch, outcomesFor('SS'));
      }
      return batch;
    }

    it('hands out the callbacks of finished batches only, with their target, leased', async () => {
      await store(1, true);
      await store(2, false);
      await fixture.repository.add(aBatch({ id: aBatchId(3), total: 1 }), someItems(1));
      const due = await fixture.outbox.claimDue('w1', [A_KIND], T0 + 1000, T0 + 5000, 10);
      expect(due).toEqual([{ locator: locator(1), target: aCallbackTarget(), attempts: 0 }]);
      expect(await fixture.outbox.claimDue('w2', [A_KIND], T0 + 1000, T0 + 5000, 10)).toEqual([]);
      expect(await fixture.outbox.claimDue('w2', [A_KIND], T0 + 5000, T0 + 9000, 10)).toHaveLength(1);
    });

    it("hands out only the callbacks of the kinds asked for: another kind's wait for their own dispatcher", async () => {
      await store(1, true);
      const other = aBatch({ id: aBatchId(2), kind: 'another-kind', total: 1, hasCallback: true }, T0 + 2);
      await fixture.repository.add(other, someItems(1), { callback: aCallbackTarget() });
      other.recordOutcomes(['success'], T0 + 102);
      await fixture.seeder.recordOutcomes(other, outcomesFor('S'));
      expect((await fixture.outbox.claimDue('w1', [A_KIND], T0 + 1000, T0 + 5000, 10)).map((due) => due.locator.batchId)).toEqual([aBatchId(1)]);
      expect(await fixture.outbox.claimDue('w1', [], T0 + 1000, T0 + 5000, 10)).toEqual([]);
      const [theirs] = await fixture.outbox.claimDue('w2', ['another-kind'], T0 + 1000, T0 + 5000, 10);
      expect(theirs?.locator).toEqual({ tenantId: 'acme', kind: 'another-kind', targetType: 'parcel', batchId: aBatchId(2) });
    });

    it('hands each due callback to one of many dispatchers racing for them, without an error', async () => {
      for (let n = 1; n <= 3; n++) await store(n, true);
      const rival = fixture.rival ? await fixture.rival() : fixture;
      try {
        const outboxes = [fixture.outbox, rival.outbox];
        const claims = await Promise.all(Array.from({ length: RACERS }, (_, i) => outboxes[i % 2]!.claimDue(`w${i}`, [A_KIND], T0 + 1000, T0 + 5000, 10)));
        const handedOut = claims.flat().map((due) => due.locator.batchId);
        expect(handedOut.sort()).toEqual([aBatchId(1), aBatchId(2), aBatchId(3)]);
      } finally {
        if (rival !== fixture) await rival.close?.();
      }
    });

    it('records a failed try, waits until the next one is due, and ends FAILED after the last try', async () => {
      await store(1, true);
      let now = T0 + 1000;
      for (let attempt = 1; attempt <= 3; attempt++) {
        const [due] = await fixture.outbox.claimDue('w1', [A_KIND], now, now + 10_000, 10);
        expect(due?.attempts).toBe(attempt - 1);
        await fixture.outbox.recordAttempt(locator(1), { delivered: false, error: 'HTTP 503', at: now, nextAttemptAt: now + 500, maxAttempts: 3 });
        expect(await fixture.outbox.claimDue('w1', [A_KIND], now + 499, now + 10_000, 10)).toEqual([]);
        now += 500;
      }
      const view = await fixture.repository.findStatus(locator(1), 10);
      expect(view!.batch.toSnapshot()).toMatchObject({ callbackState: 'FAILED', callbackAttempts: 3 });
      expect(await fixture.outbox.claimDue('w1', [A_KIND], now + 100_000, now + 200_000, 10)).toEqual([]);
    });

    it('records a delivery, after which the callback is never handed out again', async () => {
      await store(1, true, aCallbackTarget({ secret: null, meta: null }));
      const [due] = await fixture.outbox.claimDue('w1', [A_KIND], T0 + 1000, T0 + 2000, 10);
      expect(due!.target).toEqual(aCallbackTarget({ secret: null, meta: null }));
      await fixture.outbox.recordAttempt(locator(1), { delivered: true, error: null, at: T0 + 1100, nextAttemptAt: T0 + 2100, maxAttempts: 5 });
      expect((await fixture.repository.findStatus(locator(1), 10))!.batch.toSnapshot()).toMatchObject({ callbackState: 'DELIVERED', callbackAttempts: 1 });
      expect(await fixture.outbox.claimDue('w1', [A_KIND], T0 + 100_000, T0 + 200_000, 10)).toEqual([]);
    });

    it('hands callbacks out in turns between tenants, each tenant oldest first', async () => {
      for (const n of [1, 2, 3]) await store(n, true, aCallbackTarget(), 'noisy');
      await store(4, true, aCallbackTarget(), 'quiet');
      const due = await fixture.outbox.claimDue('w1', [A_KIND], T0 + 1000, T0 + 5000, 3);
      expect(due.map((d) => `${d.locator.tenantId}:${d.locator.batchId}`)).toEqual([`noisy:${aBatchId(1)}`, `quiet:${aBatchId(4)}`, `noisy:${aBatchId(2)}`]);
    });

    it('leaves every tenant its fair share of the slots', async () => {
      for (const n of [1, 2, 3, 4, 5]) await store(n, true, aCallbackTarget(), 'noisy');
      // Alone, a tenant takes all but one of the slots: that one waits for a newcomer.
      expect(await fixture.outbox.claimDue('w1', [A_KIND], T0 + 1000, T0 + 5000, 4, { slots: 4, busy: new Map() })).toHaveLength(3);
      await store(6, true, aCallbackTarget(), 'quiet');
      const due = await fixture.outbox.claimDue('w1', [A_KIND], T0 + 1000, T0 + 5000, 2, { slots: 4, busy: new Map([['noisy', 3]]) });
      expect(due.map((d) => d.locator.tenantId)).toEqual(['quiet']);
    });

    it('gives a lease up without counting a try, for its owner only', async () => {
      await store(1, true);
      const [due] = await fixture.outbox.claimDue('w1', [A_KIND], T0 + 1000, T0 + 60_000, 10);
      await fixture.outbox.releaseClaim(due!.locator, 'w2');
      expect(await fixture.outbox.claimDue('w2', [A_KIND], T0 + 1001, T0 + 60_000, 10)).toEqual([]);
      await fixture.outbox.releaseClaim(due!.locator, 'w1');
      expect(await fixture.outbox.claimDue('w2', [A_KIND], T0 + 1002, T0 + 60_000, 10)).toEqual([
        { locator: locator(1), target: aCallbackTarget(), attempts: 0 },
      ]);
    });

    it('hands out the callback of a cancelled batch', async () => {
      await store(1, false);
      await fixture.repository.cancel(locator(1), T0 + 50);
      expect(await fixture.outbox.claimDue('w1', [A_KIND], T0 + 1000, T0 + 2000, 10)).toHaveLength(1);
    });
  });
}
