// The claim rules every BatchProcessingStore must follow (contract §10): leases, the oldest batch
// of a tenant first, and round robin between tenants, so that one tenant's many batches never
// hold back another tenant's.
import { BatchProcessingStore } from '../batch-processing.port';
import { BatchSeeder } from './batch-seeder';
import { A_KIND, T0, aBatchId, storeBatch } from './builders';

export interface ClaimFixture {
  readonly store: BatchProcessingStore<unknown>;
  /** Stores the batches to claim, over the same store. */
  readonly repository: BatchSeeder;
  close?(): Promise<void>;
  /** The same store opened again, as another process would (its own connection); the races use it. */
  rival?(): Promise<ClaimFixture>;
}

const KINDS = [A_KIND];
/** How many workers, stores or dispatchers race in a race case. */
export const RACERS = 12;

export function describeBatchClaimContract(name: string, open: () => Promise<ClaimFixture>): void {
  describe(`BatchProcessingStore claims: ${name}`, () => {
    let fixture: ClaimFixture;
    beforeEach(async () => {
      fixture = await open();
    });
    afterEach(async () => {
      await fixture.close?.();
    });
    const stored = (n: number, tenantId: string, at: number) => storeBatch(fixture.repository, '..', { id: aBatchId(n), tenantId }, at);
    const claimed = async (owner: string, now: number) => {
      const lease = await fixture.store.claim(owner, KINDS, now, now + 10_000);
      return lease && `${lease.locator.tenantId}/${lease.locator.batchId.slice(-1)}`;
    };

    it("takes a tenant's batches oldest first, each under one lease at a time", async () => {
      await stored(2, 'acme', T0 + 2);
      await stored(1, 'acme', T0 + 1);
      expect(await claimed('w1', T0 + 10)).toBe('acme/1');
      expect(await claimed('w2', T0 + 11)).toBe('acme/2');
      expect(await claimed('w3', T0 + 12)).toBeNull();
    });

    it('goes round robin between tenants: the tenant claimed least recently goes first', async () => {
      await stored(1, 'acme', T0 + 1);
      await stored(2, 'acme', T0 + 2);
      await stored(3, 'acme', T0 + 3);
      await stored(4, 'beta', T0 + 4);
      await stored(5, 'gamma', T0 + 5);
      const order = [];
      for (let i = 0; i < 5; i++) order.push(await claimed(`w${i}`, T0 + 10 + i));
      expect(order).toEqual(['acme/1', 'beta/4', 'gamma/5', 'acme/2', 'acme/3']);
    });

    it('puts a tenant that was served back in line after one that was not, even for an older batch', async () => {
      await stored(1, 'acme', T0 + 1);
      const lease = await fixture.store.claim('w1', KINDS, T0 + 10, T0 + 10_000);
      await fixture.store.release(lease!);
      await stored(2, 'beta', T0 + 20);
      expect(await claimed('w1', T0 + 30)).toBe('beta/2');
      expect(await claimed('w1', T0 + 31)).toBe('acme/1');
    });

    it('says when a part is taken over from a lease that expired, and only then', async () => {
      await stored(1, 'acme', T0 + 1);
      const first = await fixture.store.claim('w1', KINDS, T0 + 10, T0 + 1000);
      expect(first?.takenOver).toBeUndefined();
      const takeover = await fixture.store.claim('w2', KINDS, T0 + 1000, T0 + 2000);
      expect(takeover).toMatchObject({ owner: 'w2', part: 0, takenOver: true });
      await fixture.store.release(takeover!);
      expect((await fixture.store.claim('w3', KINDS, T0 + 1001, T0 + 3000))?.takenOver).toBeUndefined();
    });

    it('says whether another tenant has a batch to claim, leaving leased batches out', async () => {
      await stored(1, 'acme', T0 + 1);
      expect(await fixture.store.othersWaiting('acme', KINDS, T0 + 10)).toBe(false);
      expect(await fixture.store.othersWaiting('beta', KINDS, T0 + 10)).toBe(true);
      await stored(2, 'beta', T0 + 2);
      expect(await fixture.store.othersWaiting('acme', KINDS, T0 + 10)).toBe(true);
      expect(await claimed('w1', T0 + 10)).toBe('acme/1');
      expect(await claimed('w2', T0 + 10)).toBe('beta/2');
      expect(await fixture.store.othersWaiting('acme', KINDS, T0 + 20)).toBe(false);
      expect(await fixture.store.othersWaiting('acme', KINDS, T0 + 10 + 10_000)).toBe(true);
    });

    it('offers only batches of the kinds asked for', async () => {
      await storeBatch(fixture.repository, '..', { id: aBatchId(1), tenantId: 'acme', kind: 'other-kind' }, T0 + 1);
      await storeBatch(fixture.repository, '..', { id: aBatchId(2), tenantId: 'beta' }, T0 + 2);
      expect(await fixture.store.othersWaiting('beta', KINDS, T0 + 10)).toBe(false);
      expect(await fixture.store.othersWaiting('beta', ['other-kind'], T0 + 10)).toBe(true);
      expect(await claimed('w1', T0 + 10)).toBe('beta/2');
      expect(await claimed('w2', T0 + 11)).toBeNull();
      const other = await fixture.store.claim('w3', ['other-kind', 'unused'], T0 + 12, T0 + 10_000);
      expect(other?.locator).toEqual({ tenantId: 'acme', kind: 'other-kind', targetType: 'parcel', batchId: aBatchId(1) });
      expect(await fixture.store.claim('w4', [], T0 + 13, T0 + 10_000)).toBeNull();
    });

    it('lets exactly one of many workers racing for a batch take it; the others take nothing, without an error', async () => {
      await stored(1, 'acme', T0 + 1);
      const rival = fixture.rival ? await fixture.rival() : fixture;
      try {
        const stores = [fixture.store, rival.store];
        const leases = await Promise.all(Array.from({ length: RACERS }, (_, i) => stores[i % 2]!.claim(`w${i}`, KINDS, T0 + 10, T0 + 10_000)));
        expect(leases.filter((lease) => lease !== null).map((lease) => lease.locator.batchId)).toEqual([aBatchId(1)]);
      } finally {
        if (rival !== fixture) await rival.close?.();
      }
    });

    it("never lets one tenant's fifty batches hold back another tenant's one, stored after them all", async () => {
      for (let n = 1; n <= 50; n++) await stored(n, 'acme', T0 + n);
      await stored(99, 'beta', T0 + 100);
      expect(await claimed('w1', T0 + 200)).toBe('acme/1');
      expect(await claimed('w2', T0 + 201)).toBe('beta/3'); // batch 99 = 0x63
      // Then acme's others, oldest first, while beta has nothing left.
      expect(await claimed('w3', T0 + 202)).toBe('acme/2');
    });

    it('never offers a finished batch', async () => {
      await storeBatch(fixture.repository, 'SF', { id: aBatchId(1), tenantId: 'beta' }, T0);
      expect(await fixture.store.othersWaiting('acme', KINDS, T0 + 10)).toBe(false);
      expect(await claimed('w1', T0 + 10)).toBeNull();
    });
  });
}
