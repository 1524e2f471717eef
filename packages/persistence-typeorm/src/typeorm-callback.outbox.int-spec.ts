import { Result, SecretSealer } from '@container-service/batch-domain';
import { A_KIND, T0, aBatch, aBatchId, aCallbackTarget, aLocator, outcomesFor, someItems } from '@container-service/batch-domain/testing';
import { Database } from './database';
import { TypeOrmBatchRepository } from './typeorm-batch.repository';
import { TypeOrmCallbackOutbox } from './typeorm-callback.outbox';
import { TypeOrmBatchSeeder } from './testing';
import { postgresScratch, requirePostgres } from '../test/postgres-scratch';

const stores: Array<[string, () => Promise<string> | string]> = [['sqlite::memory:', () => 'sqlite::memory:']];
if (requirePostgres()) {
  const scratch = postgresScratch('cs_outbox');
  stores.push(['PostgreSQL', () => scratch.migrated()]);
}

/** A stand-in for the app's AES-GCM sealer: enough to see where sealing and opening happen. */
const sealer = (keys: string[]): SecretSealer => ({
  seal: (secret) => `sealed:${keys[0]}:${Array.from(secret).reverse().join('')}`,
  open: (stored): Result<string, string> => {
    const [tag, key, body] = stored.split(':');
    if (tag !== 'sealed') return { ok: true, value: stored };
    return keys.includes(key!) ? { ok: true, value: Array.from(body!).reverse().join('') } : { ok: false, error: `key '${key}' is not configured` };
  },
});

for (const [label, url] of stores) {
  describe(`TypeOrmCallbackOutbox with sealed secrets on ${label}`, () => {
    const locator = aLocator({ batchId: aBatchId(1) });
    let database: Database;

    beforeEach(async () => {
      database = await Database.open(await url());
    });
    afterEach(async () => {
      await database.close();
    });

    async function finishedWithCallback(repository: TypeOrmBatchRepository) {
      const batch = aBatch({ id: aBatchId(1), total: 1, hasCallback: true });
      await repository.add(batch, someItems(1), { callback: aCallbackTarget({ secret: 'the-secret' }) });
      batch.recordOutcomes(['success'], T0 + 10);
      await new TypeOrmBatchSeeder(database).recordOutcomes(batch, outcomesFor('S'));
    }
    const storedSecret = async () => (await database.read((m) => m.query('SELECT secret FROM batch_callbacks')))[0].secret as string | null;

    it('stores the secret sealed, opens it for the try, and drops it once delivered', async () => {
      await finishedWithCallback(new TypeOrmBatchRepository(database, { secrets: sealer(['k1']) }));
      expect(await storedSecret()).toBe('sealed:k1:terces-eht');
      const outbox = new TypeOrmCallbackOutbox(database, sealer(['k2', 'k1']));
      const [due] = await outbox.claimDue('w1', [A_KIND], T0 + 1000, T0 + 5000, 10);
      expect(due).toEqual({ locator, target: aCallbackTarget({ secret: 'the-secret' }), attempts: 0 });
      await outbox.recordAttempt(locator, { delivered: false, error: 'HTTP 500', at: T0 + 1100, nextAttemptAt: T0 + 1200, maxAttempts: 5 });
      expect(await storedSecret()).toBe('sealed:k1:terces-eht');
      await outbox.claimDue('w1', [A_KIND], T0 + 2000, T0 + 5000, 10);
      await outbox.recordAttempt(locator, { delivered: true, error: null, at: T0 + 2100, nextAttemptAt: T0 + 3100, maxAttempts: 5 });
      expect(await storedSecret()).toBeNull();
    });

    it('looks on the reader first: a look that finds nothing due takes no write lock', async () => {
      const outbox = new TypeOrmCallbackOutbox(database);
      const write = jest.spyOn(database, 'write');
      expect(await outbox.claimDue('w1', [A_KIND], T0 + 1000, T0 + 5000, 10)).toEqual([]);
      expect(write).not.toHaveBeenCalled();
      await finishedWithCallback(new TypeOrmBatchRepository(database));
      write.mockClear();
      expect(await outbox.claimDue('w1', [A_KIND], T0 + 1000, T0 + 5000, 10)).toHaveLength(1);
      expect(write).toHaveBeenCalledTimes(1);
      // Leased now: the next look finds it taken and writes nothing.
      write.mockClear();
      expect(await outbox.claimDue('w2', [A_KIND], T0 + 2000, T0 + 6000, 10)).toEqual([]);
      expect(write).not.toHaveBeenCalled();
    });

    it('takes no write lock either when the only callbacks due belong to a tenant whose tries fill its share', async () => {
      await finishedWithCallback(new TypeOrmBatchRepository(database));
      const outbox = new TypeOrmCallbackOutbox(database);
      const write = jest.spyOn(database, 'write');
      const full = { slots: 2, busy: new Map([[locator.tenantId, 1]]) };
      expect(await outbox.claimDue('w1', [A_KIND], T0 + 1000, T0 + 5000, 10, full)).toEqual([]);
      expect(write).not.toHaveBeenCalled();
      // Its try done, the tenant's callback is taken.
      const [due] = await outbox.claimDue('w1', [A_KIND], T0 + 1000, T0 + 5000, 10, { slots: 2, busy: new Map() });
      expect(due?.locator).toEqual(locator);
      expect(write).toHaveBeenCalledTimes(1);
    });

    it('hands out a callback as it stands under the lease, with a try recorded since it was chosen', async () => {
      await finishedWithCallback(new TypeOrmBatchRepository(database));
      const outbox = new TypeOrmCallbackOutbox(database);
      // Another dispatcher's try lands between this look's choice on the reader and its lease.
      const read = database.read.bind(database);
      jest.spyOn(database, 'read').mockImplementationOnce(async (work) => {
        const chosen = await read(work);
        const [other] = await new TypeOrmCallbackOutbox(database).claimDue('w2', [A_KIND], T0 + 1000, T0 + 1500, 10);
        expect(other?.attempts).toBe(0);
        await outbox.recordAttempt(locator, { delivered: false, error: 'HTTP 500', at: T0 + 1100, nextAttemptAt: T0 + 1000, maxAttempts: 5 });
        return chosen;
      });
      const [due] = await outbox.claimDue('w1', [A_KIND], T0 + 1000, T0 + 5000, 10);
      expect(due?.attempts).toBe(1);
    });

    it('hands out as undeliverable a callback whose secret was sealed under a key no longer configured', async () => {
      await finishedWithCallback(new TypeOrmBatchRepository(database, { secrets: sealer(['old']) }));
      const [due] = await new TypeOrmCallbackOutbox(database, sealer(['new'])).claimDue('w1', [A_KIND], T0 + 1000, T0 + 5000, 10);
      expect(due!.target.secret).toBeNull();
      expect(due!.undeliverable).toMatch(/key 'old' is not configured/);
    });

    it('drops the secret of a callback that failed for good', async () => {
      await finishedWithCallback(new TypeOrmBatchRepository(database));
      expect(await storedSecret()).toBe('the-secret');
      const outbox = new TypeOrmCallbackOutbox(database);
      await outbox.claimDue('w1', [A_KIND], T0 + 1000, T0 + 5000, 10);
      await outbox.recordAttempt(locator, { delivered: false, error: 'HTTP 500', at: T0 + 1100, nextAttemptAt: T0 + 1200, maxAttempts: 1 });
      expect(await storedSecret()).toBeNull();
    });
  });
}
