// PostgreSQL going away under a running process (contract §12): a crashed server and a frozen one
// (SIGSTOP: connections open, nothing answers, as behind a network black hole) must turn into
// prompt store faults, never a hang or a crash of the process, and the same Database must work
// again by itself once the server is back. Runs on a durable server of its own, which it crashes.
import { StoreFailure } from '@container-service/batch-domain';
import { startThrowawayPostgres, type ThrowawayPostgres } from '@container-service/test-postgres';
import { Client } from 'pg';
import { Database, openDatabase } from './database';
import { TypeOrmBatchProcessingStore } from './typeorm-batch-processing.store';

jest.setTimeout(60_000);

/** How long `promise` took to settle, and what it rejected with (null when it resolved). */
async function timed(promise: Promise<unknown>): Promise<{ ms: number; error: unknown }> {
  const started = Date.now();
  const error = await promise.then(
    () => null,
    (failure: unknown) => failure,
  );
  return { ms: Date.now() - started, error };
}

async function count(database: Database, table: string): Promise<number> {
  const [row] = await database.read((m) => m.query<{ n: number }[]>(`SELECT count(*)::int AS n FROM ${table}`));
  return row!.n;
}

describe('PostgreSQL outages', () => {
  let server: ThrowawayPostgres;
  let database: Database | null = null;
  beforeAll(async () => {
    server = await startThrowawayPostgres({ durable: true });
  });
  afterEach(async () => {
    await database?.close();
    database = null;
  });
  afterAll(async () => {
    await server.stop();
  });

  const open = async (options: Parameters<typeof openDatabase>[1] = {}) => {
    database = await openDatabase(server.url, { poolMax: 3, ...options });
    return database;
  };

  it('fails at once with a store fault while the server is down, and works again once it is back', async () => {
    const db = await open();
    const store = new TypeOrmBatchProcessingStore(db);
    await db.write((m) => m.query('CREATE TABLE IF NOT EXISTS acknowledged (n int)'));
    await db.write((m) => m.query('INSERT INTO acknowledged VALUES (1), (2)'));
    // Idle connections in the pool, which the crash cuts off.
    await Promise.all([db.ping(), db.ping(), db.ping()]);

    await server.crash();
    // The pool's idle connections fail meanwhile; none of that may reach the process.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const write = await timed(store.transaction((m) => m.query('INSERT INTO acknowledged VALUES (3)')));
    expect(write.error).toBeInstanceOf(StoreFailure);
    expect(write.ms).toBeLessThan(1000);
    const ping = await timed(db.ping());
    expect(db.isStoreFault(ping.error)).toBe(true);
    expect(ping.ms).toBeLessThan(1000);

    await server.restart();
    await db.ping();
    expect(await count(db, 'acknowledged')).toBe(2);
    await store.transaction((m) => m.query('INSERT INTO acknowledged VALUES (3)'));
    expect(await count(db, 'acknowledged')).toBe(3);
  });

  it('gives up on a frozen server within the deadlines, as a store fault, and goes on once it answers again', async () => {
    const db = await open({ deadlines: { connectTimeoutMs: 1000, queryTimeoutMs: 1500 } });
    const store = new TypeOrmBatchProcessingStore(db);
    await Promise.all([db.ping(), db.ping()]);

    await server.freeze();
    try {
      // On a connection the pool holds: the statement's deadline.
      const ping = await timed(db.ping());
      expect(db.isStoreFault(ping.error)).toBe(true);
      expect(ping.ms).toBeGreaterThanOrEqual(1400);
      expect(ping.ms).toBeLessThan(2500);
      // More at once than the pool holds: new connections are not logged in, or not handed out, in time.
      const many = await Promise.all([1, 2, 3, 4, 5].map(() => timed(store.transaction((m) => m.query('SELECT 1')))));
      for (const attempt of many) {
        expect(attempt.error).toBeInstanceOf(StoreFailure);
        expect(attempt.ms).toBeLessThan(3000);
      }
    } finally {
      await server.thaw();
    }
    await db.ping();
    expect(await db.write((m) => m.query('SELECT 41 + 1 AS n'))).toEqual([{ n: 42 }]);
  });

  it('drops the connection of a statement past its deadline, so that nothing of its transaction commits with a later one', async () => {
    // One connection: without the drop, the next write would get the same one, still inside the
    // transaction the server goes on with, and its COMMIT would commit the first row too.
    const db = await open({ poolMax: 1, deadlines: { connectTimeoutMs: 1000, queryTimeoutMs: 300 } });
    await db.write((m) => m.query('CREATE TABLE IF NOT EXISTS given_up (n int)'));
    const slow = await timed(
      db.write(async (m) => {
        await m.query('INSERT INTO given_up VALUES (1)');
        await m.query('SELECT pg_sleep(1)');
      }),
    );
    expect(db.isStoreFault(slow.error)).toBe(true);
    expect((slow.error as Error).message).toMatch(/did not answer a statement within 300 ms/);
    expect(slow.ms).toBeLessThan(1000);
    await db.write((m) => m.query('INSERT INTO given_up VALUES (2)'));
    // Past the sleep: the server has finished the first statement and found its client gone.
    await new Promise((resolve) => setTimeout(resolve, 1200));
    expect(await db.read((m) => m.query('SELECT n FROM given_up ORDER BY n'))).toEqual([{ n: 2 }]);
  });

  it('lets migrations run past the statement deadline (waiting for another process to finish migrating)', async () => {
    const holder = new Client({ connectionString: server.url });
    await holder.connect();
    try {
      // Another process migrating: it holds the lock every process takes around its migrations.
      await holder.query('SELECT pg_advisory_lock(1601600016)');
      const opening = timed(open({ deadlines: { connectTimeoutMs: 1000, queryTimeoutMs: 300 } }));
      await new Promise((resolve) => setTimeout(resolve, 1000));
      await holder.query('SELECT pg_advisory_unlock(1601600016)');
      const opened = await opening;
      expect(opened.error).toBeNull();
      expect(opened.ms).toBeGreaterThanOrEqual(900);
    } finally {
      await holder.end();
    }
  });
});
