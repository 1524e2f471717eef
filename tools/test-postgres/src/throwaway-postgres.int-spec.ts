// A real throwaway server: it answers, gives each suite its own database, and leaves nothing behind.
import { existsSync } from 'node:fs';
import { Client } from 'pg';
import { freshDatabase, type FreshDatabase } from './fresh-database';
import { isRunning, startThrowawayPostgres, type ThrowawayPostgres } from './throwaway-postgres';

jest.setTimeout(60_000);

async function query(url: string, sql: string, params: unknown[] = []): Promise<Record<string, unknown>[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows;
  } finally {
    await client.end();
  }
}

describe('startThrowawayPostgres', () => {
  let server: ThrowawayPostgres;
  beforeAll(async () => {
    server = await startThrowawayPostgres();
  });
  afterAll(async () => {
    await server.stop();
  });

  it('answers on 127.0.0.1 as the postgres superuser, set up for tests', async () => {
    expect(server.url).toBe(`postgres://postgres@127.0.0.1:${String(server.port)}/postgres`);
    const [row] = await query(server.url, "SELECT current_user AS who, current_setting('max_connections')::int AS max, current_setting('fsync') AS fsync");
    expect(row).toEqual({ who: 'postgres', max: expect.any(Number), fsync: 'off' });
    expect(row!.max).toBeGreaterThanOrEqual(200);
    expect(isRunning(server.pid)).toBe(true);
    expect(existsSync(server.dir)).toBe(true);
  });

  describe('freshDatabase', () => {
    const made: FreshDatabase[] = [];
    afterAll(async () => {
      for (const database of made) await database.drop();
    });
    async function fresh(prefix: string): Promise<FreshDatabase> {
      const database = await freshDatabase(server.url, prefix);
      made.push(database);
      return database;
    }

    it('creates a database of its own, named after the suite, reachable at its URL', async () => {
      const database = await fresh('Batch repository (PostgreSQL)');
      expect(database.name).toMatch(/^batch_repository_postgresql_\d+_[0-9a-f]{8}$/);
      expect(database.url).toBe(`postgres://postgres@127.0.0.1:${String(server.port)}/${database.name}`);
      expect(await query(database.url, 'SELECT current_database() AS name')).toEqual([{ name: database.name }]);
    });

    it("keeps two suites' rows apart", async () => {
      const first = await fresh('suite');
      const second = await fresh('suite');
      expect(second.name).not.toBe(first.name);
      for (const database of [first, second]) await query(database.url, 'CREATE TABLE item (name text)');
      await query(first.url, "INSERT INTO item VALUES ('only in the first')");
      expect(await query(first.url, 'SELECT name FROM item')).toEqual([{ name: 'only in the first' }]);
      expect(await query(second.url, 'SELECT name FROM item')).toEqual([]);
    });

    it('drops the database even while a connection is still open on it', async () => {
      const database = await fresh('left open');
      const open = new Client({ connectionString: database.url });
      open.on('error', () => undefined); // the drop ends it on purpose
      await open.connect();
      await database.drop();
      expect(await query(server.url, 'SELECT 1 FROM pg_database WHERE datname = $1', [database.name])).toEqual([]);
      await open.end().catch(() => undefined);
      await database.drop(); // a second drop does nothing
    });

    it('keeps user, password and options of the base URL', async () => {
      const database = await fresh('options');
      const withOptions = new URL(server.url);
      withOptions.searchParams.set('application_name', 'suite');
      const other = await freshDatabase(withOptions.toString(), 'options');
      made.push(other);
      expect(other.url).toBe(`postgres://postgres@127.0.0.1:${String(server.port)}/${other.name}?application_name=suite`);
      expect(database.url).not.toContain('?');
    });
  });
});

describe('ThrowawayPostgres.stop', () => {
  it('stops the server, frees its port and removes its folder', async () => {
    const server = await startThrowawayPostgres();
    await server.stop();
    expect(isRunning(server.pid)).toBe(false);
    expect(existsSync(server.dir)).toBe(false);
    await expect(query(server.url, 'SELECT 1')).rejects.toThrow(/ECONNREFUSED/);
    await server.stop(); // a second stop does nothing
  });

  it('runs two servers side by side on different ports', async () => {
    const [first, second] = await Promise.all([startThrowawayPostgres(), startThrowawayPostgres()]);
    try {
      expect(first.port).not.toBe(second.port);
      expect(first.dir).not.toBe(second.dir);
      expect(await query(first.url, 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
      expect(await query(second.url, 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
    } finally {
      await Promise.all([first.stop(), second.stop()]);
    }
  });
});

describe('ThrowawayPostgres.crash and restart', () => {
  it('keeps a durable server durable, and brings back after a crash what it acknowledged', async () => {
    const server = await startThrowawayPostgres({ durable: true });
    try {
      const [settings] = await query(server.url, "SELECT current_setting('fsync') AS fsync, current_setting('synchronous_commit') AS sync");
      expect(settings).toEqual({ fsync: 'on', sync: 'on' });
      await query(server.url, 'CREATE TABLE acknowledged (n int)');
      await query(server.url, 'INSERT INTO acknowledged VALUES (1), (2)');
      const before = server.pid;
      await server.crash();
      expect(isRunning(before)).toBe(false);
      await expect(query(server.url, 'SELECT 1')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
      await server.restart();
      expect(server.pid).not.toBe(before);
      expect(await query(server.url, 'SELECT n FROM acknowledged ORDER BY n')).toEqual([{ n: 1 }, { n: 2 }]);
      await server.halt();
      await server.restart();
      expect(await query(server.url, 'SELECT count(*)::int AS n FROM acknowledged')).toEqual([{ n: 2 }]);
    } finally {
      await server.stop();
    }
    expect(existsSync(server.dir)).toBe(false);
  });
});

describe('ThrowawayPostgres.freeze and thaw', () => {
  it('leaves connections open but unanswered while frozen, and answers them once thawed', async () => {
    const server = await startThrowawayPostgres();
    const client = new Client({ connectionString: server.url });
    try {
      await client.connect();
      await server.freeze();
      const answer = client.query('SELECT 1 AS one');
      const late = await Promise.race([answer.then(() => 'answered'), new Promise((resolve) => setTimeout(resolve, 500, 'silent'))]);
      expect(late).toBe('silent');
      await server.thaw();
      expect((await answer).rows).toEqual([{ one: 1 }]);
    } finally {
      await client.end().catch(() => undefined);
      await server.stop();
    }
  });

  it('stops a frozen server all the same', async () => {
    const server = await startThrowawayPostgres();
    await server.freeze();
    await server.stop();
    expect(isRunning(server.pid)).toBe(false);
    expect(existsSync(server.dir)).toBe(false);
  });
});
