// `migrate: false` on both stores: a process that waits for the schema opens once another has
// migrated, opens at once on a migrated database, and fails past its deadline naming what is missing.
import { setTimeout as sleep } from 'node:timers/promises';
import { openDatabase } from './database';
import { migrationNames } from './schema-wait';
import { allTables, batchTables } from './table-sets';
import { postgresScratch, requirePostgres } from '../test/postgres-scratch';
import { sqliteScratch } from '../test/sqlite-scratch';

const ALL = migrationNames(allTables);

function schemaWaitSuite(store: string, fresh: () => Promise<string>): void {
  describe(`migrate: false on ${store}`, () => {
    it('waits while another process migrates, then opens', async () => {
      const url = await fresh();
      let opened = false;
      const waiting = openDatabase(url, { migrate: false, schemaWaitMs: 20_000 }).then((database) => {
        opened = true;
        return database;
      });
      await sleep(700);
      expect(opened).toBe(false);
      const ran: string[] = [];
      const migrator = await openDatabase(url, { onMigrated: (names) => ran.push(...names) });
      expect([...ran].sort()).toEqual([...ALL].sort());
      const waiter = await waiting;
      try {
        expect(await waiter.read((m) => m.query('SELECT COUNT(*) AS n FROM batches'))).toEqual([{ n: expect.anything() as unknown }]);
      } finally {
        await waiter.close();
        await migrator.close();
      }
    });

    it('opens at once on a database already migrated, and a second migrating open runs nothing', async () => {
      const url = await fresh();
      await (await openDatabase(url)).close();
      const ran: string[][] = [];
      const again = await openDatabase(url, { onMigrated: (names) => ran.push([...names]) });
      await again.close();
      expect(ran).toEqual([[]]);
      const started = Date.now();
      await (await openDatabase(url, { migrate: false })).close();
      expect(Date.now() - started).toBeLessThan(2_000);
    });

    it('fails after its deadline on an empty database, naming the missing migrations', async () => {
      const url = await fresh();
      const started = Date.now();
      const opening = openDatabase(url, { migrate: false, schemaWaitMs: 600 });
      await expect(opening).rejects.toThrow(`missing migrations: ${ALL.join(', ')}`);
      expect(Date.now() - started).toBeGreaterThanOrEqual(550);
    });

    it('waits only for the migrations of its own table sets', async () => {
      const url = await fresh();
      await (await openDatabase(url, { schemas: [batchTables] })).close();
      await (await openDatabase(url, { schemas: [batchTables], migrate: false, schemaWaitMs: 0 })).close();
      await expect(openDatabase(url, { migrate: false, schemaWaitMs: 0 })).rejects.toThrow(
        /missing migrations: ContainerTables1765000000000, ContainerTypeNamesInByteOrder1765400000000\./,
      );
    });
  });
}

const scratch = sqliteScratch('cs-schema');
schemaWaitSuite('SQLite', () => Promise.resolve(scratch.url()));

if (requirePostgres()) {
  const scratch = postgresScratch('cs_schema');
  schemaWaitSuite('PostgreSQL', () => scratch.fresh());
}
