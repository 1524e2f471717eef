// Wakeups between processes on a real PostgreSQL: what one Database announces, another hears.
import { Database } from './database';
import { postgresScratch, requirePostgres } from '../test/postgres-scratch';

if (requirePostgres()) {
  const scratch = postgresScratch('cs_wakeups');

  describe('PostgresWakeups', () => {
    let announcer: Database;
    let listener: Database;
    beforeAll(async () => {
      const url = await scratch.migrated();
      [announcer, listener] = await Promise.all([Database.open(url), Database.open(url)]);
    });
    afterAll(async () => {
      await Promise.all([announcer.close(), listener.close()]);
    });

    const nextCall = (calls: number[], count: number) =>
      new Promise<void>((resolve, reject) => {
        const deadline = Date.now() + 5000;
        const look = () =>
          calls.length >= count ? resolve() : Date.now() > deadline ? reject(new Error(`${calls.length} calls, not ${count}`)) : setTimeout(look, 10);
        look();
      });

    it('calls a listener once as it starts, then for every announcement of any process, until stopped', async () => {
      const calls: number[] = [];
      const errors: unknown[] = [];
      const stop = listener.wakeups!.listen(
        () => calls.push(Date.now()),
        (error) => errors.push(error),
      );
      await nextCall(calls, 1);
      await announcer.wakeups!.announce();
      await nextCall(calls, 2);
      await announcer.wakeups!.announce();
      await nextCall(calls, 3);
      await stop();
      await announcer.wakeups!.announce();
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(calls).toHaveLength(3);
      expect(errors).toEqual([]);
    });

    it('listens again by itself when its connection is cut off, and hears what comes after', async () => {
      const calls: number[] = [];
      const errors: unknown[] = [];
      const stop = listener.wakeups!.listen(
        () => calls.push(Date.now()),
        (error) => errors.push(error),
      );
      await nextCall(calls, 1);
      await announcer.write((m) => m.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'LISTEN %' AND pid <> pg_backend_pid()"));
      // Listening again counts as a call, as work may have come while it was down.
      await nextCall(calls, 2);
      await announcer.wakeups!.announce();
      await nextCall(calls, 3);
      await stop();
      expect(errors.length).toBeGreaterThanOrEqual(1);
    });
  });
}
