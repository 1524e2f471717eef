// The table sets on real databases: a database made before the batch and container tables were
// split upgrades and keeps its rows; a batch-only database has no container tables; both sets on
// one database make the same tables as before, whichever set came first (SQLite and PostgreSQL).
import { A_KIND, T0, aBatch, aBatchId, someItems } from '@container-service/batch-domain/testing';
import { aContainerType } from '@container-service/container-domain/testing';
import BetterSqlite3 from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { TypeOrmBatchBacklog } from './typeorm-batch.backlog';
import { Database, openDatabase } from './database';
import { batchTables, containerTables } from './table-sets';
import { TypeOrmBatchProcessingStore } from './typeorm-batch-processing.store';
import { TypeOrmBatchRepository } from './typeorm-batch.repository';
import { TypeOrmContainerReader } from './typeorm-container.store';
import { TypeOrmContainerTypeRepository } from './typeorm-container-type.repository';
import { postgresScratch, requirePostgres } from '../test/postgres-scratch';
import { sqliteScratch } from '../test/sqlite-scratch';

const CONTAINER_TABLES = ['container_tracking', 'container_types', 'containers'];
const tempFile = sqliteScratch('cs-sets').file;
const locator = { tenantId: 'acme', kind: A_KIND, targetType: 'parcel', batchId: aBatchId(1) };
/** The batch in the fixture: made before batches had kinds, so a container batch since. */
const preSplit = { ...locator, kind: 'container' };

/** The file's tables and indexes, each with the SQL that made it. */
function layout(file: string): Array<{ type: string; name: string; sql: string | null }> {
  const db = new BetterSqlite3(file, { readonly: true });
  try {
    return db.prepare("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name").all() as Array<{
      type: string;
      name: string;
      sql: string | null;
    }>;
  } finally {
    db.close();
  }
}

const tables = (file: string) =>
  layout(file)
    .filter((entry) => entry.type === 'table')
    .map((entry) => entry.name);
const applied = (database: Database) =>
  database.read(async (m) => (await m.query<Array<{ name: string }>>('SELECT name FROM migrations ORDER BY id')).map((row) => row.name));

describe('a database made before the table sets', () => {
  let file: string;
  let database: Database;
  beforeEach(async () => {
    file = tempFile();
    const db = new BetterSqlite3(file);
    db.exec(fs.readFileSync(path.join(__dirname, 'migrations', 'fixtures', 'pre-split.sql'), 'utf8'));
    db.close();
    database = await openDatabase(`sqlite:${file}`);
  });
  afterEach(() => database.close());

  it('records the container tables as made, without making them again', async () => {
    expect((await applied(database)).slice(-8)).toEqual([
      'ContainerTables1765000000000',
      'BatchKinds1765100000000',
      'BatchParts1765200000000',
      'BatchRateWindow1765300000000',
      'ContainerTypeNamesInByteOrder1765400000000',
      'OpenIntakesIndex1765500000000',
      'FinishedBatchCounts1765600000000',
      'BatchOutcomes1765700000000',
    ]);
    const fresh = tempFile();
    await (await openDatabase(`sqlite:${fresh}`)).close();
    expect(layout(file)).toEqual(layout(fresh));
  });

  it('keeps its rows and answers from them', async () => {
    const batches = new TypeOrmBatchRepository(database);
    const view = (await batches.findStatus(preSplit, 10))!;
    expect(view.batch.kind).toBe('container');
    expect(await batches.findStatus(locator, 10)).toBeNull();
    expect(view.batch.counts).toMatchObject({ total: 2, success: 1, failed: 1 });
    expect(view.successes.map((item) => item.refId)).toEqual(['r-1']);
    expect((await new TypeOrmBatchBacklog(database).backlog()).batches.PARTIAL_SUCCESS).toBe(1);
    expect(await batches.add(aBatch({ id: aBatchId(2), total: 1 }), someItems(1), { submission: { key: 'req-1', fingerprint: 'f1' } })).toEqual({
      kind: 'replayed',
      batchId: aBatchId(1),
    });
    expect((await new TypeOrmContainerTypeRepository(database).find('acme', 'bag'))!.isLeaf).toBe(true);
    expect(await new TypeOrmContainerTypeRepository(database).add(aContainerType())).toBe('exists');
    expect((await new TypeOrmContainerReader(database).find('acme', 'bag', 'c-1'))!.trackingDetails).toEqual([{ operator: 'ups', trackingId: '1Z' }]);
  });
});

describe('a database of the batch tables only', () => {
  it('has no container tables, and stores, claims and reads batches', async () => {
    const file = tempFile();
    const database = await openDatabase(`sqlite:${file}`, { schemas: [batchTables] });
    expect(tables(file).filter((name) => CONTAINER_TABLES.includes(name))).toEqual([]);
    expect(await applied(database)).not.toContain('ContainerTables1765000000000');
    const batches = new TypeOrmBatchRepository(database);
    await batches.add(aBatch({ total: 2 }), someItems(2));
    expect((await new TypeOrmBatchProcessingStore(database).claim('w1', [A_KIND], T0 + 10, T0 + 1000))?.locator.batchId).toBe(aBatchId(1));
    expect((await batches.findStatus(locator, 10))!.batch.counts.pending).toBe(2);
    await database.close();
  });

  it('takes the container tables later, keeping its batches, and ends as a database made with both', async () => {
    const file = tempFile();
    const batchOnly = await openDatabase(`sqlite:${file}`, { schemas: [batchTables] });
    await new TypeOrmBatchRepository(batchOnly).add(aBatch({ total: 1 }), someItems(1));
    await batchOnly.close();
    const both = await openDatabase(`sqlite:${file}`, { schemas: [batchTables, containerTables] });
    expect(await new TypeOrmContainerTypeRepository(both).add(aContainerType())).toBe('added');
    expect(await new TypeOrmBatchRepository(both).findStatus(locator, 10)).not.toBeNull();
    await both.close();
    const fresh = tempFile();
    await (await openDatabase(`sqlite:${fresh}`, { schemas: [batchTables, containerTables] })).close();
    expect(layout(file)).toEqual(layout(fresh));
  });
});

if (requirePostgres()) {
  const scratch = postgresScratch('cs_sets');
  /** The database's columns, indexes and constraints, as PostgreSQL's catalogue describes them. */
  const pgLayout = (database: Database) =>
    database.read(async (m) => ({
      columns: await m.query(
        "SELECT table_name, column_name, data_type, is_nullable, column_default FROM information_schema.columns WHERE table_schema = 'public' ORDER BY table_name, column_name",
      ),
      indexes: await m.query("SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY tablename, indexname"),
      constraints: await m.query(
        "SELECT conrelid::regclass::text AS tbl, contype, pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE connamespace = 'public'::regnamespace ORDER BY 1, 2, 3",
      ),
    }));
  const pgTables = async (database: Database) =>
    (await database.read((m) => m.query<Array<{ tablename: string }>>("SELECT tablename FROM pg_tables WHERE schemaname = 'public'"))).map(
      (row) => row.tablename,
    );

  describe('a PostgreSQL database of the batch tables only', () => {
    it('has no container tables, and stores, claims and reads batches', async () => {
      const database = await openDatabase(await scratch.fresh(), { schemas: [batchTables] });
      expect((await pgTables(database)).filter((name) => CONTAINER_TABLES.includes(name))).toEqual([]);
      const batches = new TypeOrmBatchRepository(database);
      await batches.add(aBatch({ total: 2 }), someItems(2));
      expect((await new TypeOrmBatchProcessingStore(database).claim('w1', [A_KIND], T0 + 10, T0 + 1000))?.locator.batchId).toBe(aBatchId(1));
      expect((await batches.findStatus(locator, 10))!.batch.counts.pending).toBe(2);
      await database.close();
    });

    it('takes the container tables later, keeping its batches, and ends as a database made with both', async () => {
      const url = await scratch.fresh();
      const batchOnly = await openDatabase(url, { schemas: [batchTables] });
      await new TypeOrmBatchRepository(batchOnly).add(aBatch({ total: 1 }), someItems(1));
      await batchOnly.close();
      const both = await openDatabase(url, { schemas: [batchTables, containerTables] });
      expect(await new TypeOrmContainerTypeRepository(both).add(aContainerType())).toBe('added');
      expect(await new TypeOrmBatchRepository(both).findStatus(locator, 10)).not.toBeNull();
      const fresh = await openDatabase(await scratch.fresh(), { schemas: [batchTables, containerTables] });
      expect(await pgLayout(both)).toEqual(await pgLayout(fresh));
      await Promise.all([both.close(), fresh.close()]);
    });
  });
}
