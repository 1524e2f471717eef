import { aBatch, someItems } from '@container-service/batch-domain/testing';
import { ITEMS_PER_PART, tailPart } from '@container-service/batch-domain';
import { partItems } from './batch-parts.writes';
import { STATUS_HEADS } from './batch-status.reads';
import fs from 'node:fs';
import path from 'node:path';
import { toBatchRow } from './batch.mapper';
import { EntityManager } from 'typeorm';
import { Database } from './database';
import { parseDatabaseUrl } from './sqlite-database';
import { BatchSchema } from './schemas/batch.schema';
import { select, selectRows } from './sql';
import { ABANDONED_INTAKE } from './batch-retention';
import { TypeOrmBatchRepository } from './typeorm-batch.repository';
import { PostgresDatabase, isPostgresFault, parsePostgresUrl } from './postgres-database';
import { openDatabase } from './database';
import { postgresScratch, requirePostgres } from '../test/postgres-scratch';
import { sqliteScratch } from '../test/sqlite-scratch';

const scratch = sqliteScratch('cs-db');
/** A file in a folder not made yet: opening creates it. */
const tempUrl = () => `sqlite:${path.join(path.dirname(scratch.file()), 'nested', 'db.sqlite')}`;

describe('parseDatabaseUrl', () => {
  it('reads a file path, relative to the working directory', () => {
    expect(parseDatabaseUrl('sqlite:./data/x.sqlite')).toEqual({ kind: 'sqlite', file: path.resolve('data/x.sqlite') });
    expect(parseDatabaseUrl('sqlite:///tmp/x.sqlite')).toEqual({ kind: 'sqlite', file: '/tmp/x.sqlite' });
  });

  it('reads an in-memory database', () => {
    expect(parseDatabaseUrl('sqlite::memory:')).toEqual({ kind: 'sqlite', file: ':memory:' });
  });

  it.each(['mysql://db/x', 'sqlite:', 'file.sqlite'])('refuses %s with a clear message', (url) => {
    expect(() => parseDatabaseUrl(url)).toThrow(/DATABASE_URL/);
  });
});

describe('parsePostgresUrl', () => {
  it('takes postgres:// and postgresql:// with their options, and leaves other schemes to SQLite', () => {
    expect(parsePostgresUrl('postgres://u:p@db:5432/cs')).toEqual({ kind: 'postgres', url: 'postgres://u:p@db:5432/cs' });
    expect(parsePostgresUrl('postgresql://u@db/cs?sslmode=require')).toEqual({ kind: 'postgres', url: 'postgresql://u@db/cs?sslmode=require' });
    expect(parsePostgresUrl('sqlite::memory:')).toBeNull();
  });

  it.each(['postgres://db:5432', 'postgres:///cs', 'postgres://u@db:notaport/cs'])('refuses %s with a clear message', (url) => {
    expect(() => parsePostgresUrl(url)).toThrow(/DATABASE_URL/);
  });
});

describe('Database', () => {
  it('creates the file and its folder, in WAL mode, and migrates once across reopenings', async () => {
    const url = tempUrl();
    const first = await Database.open(url);
    expect(fs.existsSync(parseDatabaseUrl(url).file)).toBe(true);
    expect(await first.write((m) => m.query('PRAGMA journal_mode'))).toEqual([{ journal_mode: 'wal' }]);
    expect(await first.write((m) => m.query('PRAGMA journal_size_limit'))).toEqual([{ journal_size_limit: 64 * 1024 * 1024 }]);
    await first.close();
    const second = await Database.open(url);
    const applied = await second.write((m) => m.query('SELECT name FROM migrations'));
    expect(applied).toEqual([
      { name: 'InitialSchema1764300000000' },
      { name: 'ContainersAndLeases1764400000000' },
      { name: 'FileBatches1764500000000' },
      { name: 'SubmitKeys1764600000000' },
      { name: 'BatchCallbacks1764700000000' },
      { name: 'TenantTurns1764800000000' },
      { name: 'ContainerTables1765000000000' },
      { name: 'BatchKinds1765100000000' },
      { name: 'BatchParts1765200000000' },
      { name: 'BatchRateWindow1765300000000' },
      { name: 'ContainerTypeNamesInByteOrder1765400000000' },
      { name: 'OpenIntakesIndex1765500000000' },
      { name: 'FinishedBatchCounts1765600000000' },
      { name: 'BatchOutcomes1765700000000' },
    ]);
    await second.close();
  });

  it('never lets a reader see a write that is not committed', async () => {
    const database = await Database.open(tempUrl());
    const batch = aBatch({ total: 1 });
    let seenDuringWrite = -1;
    await database.write(async (manager) => {
      await manager.insert(BatchSchema, toBatchRow(batch));
      seenDuringWrite = await database.read((m) => m.count(BatchSchema));
    });
    expect(seenDuringWrite).toBe(0);
    expect(await database.read((m) => m.count(BatchSchema))).toBe(1);
    await database.close();
  });

  it("commits a write flushed 'with-next' unsynced, and every other write synced, failed ones too", async () => {
    const database = await Database.open(tempUrl());
    const level = (manager: EntityManager) => manager.query<Array<{ synchronous: number }>>('PRAGMA synchronous').then(([row]) => row?.synchronous);
    const seen: Array<number | undefined> = [];
    await database.write(
      async (manager) => {
        seen.push(await level(manager));
        await manager.insert(BatchSchema, toBatchRow(aBatch({ total: 1 })));
      },
      { flush: 'with-next' },
    );
    await database.write(async (manager) => void seen.push(await level(manager)));
    await expect(database.write(() => Promise.reject(new Error('midway')), { flush: 'with-next' })).rejects.toThrow('midway');
    await database.write(async (manager) => void seen.push(await level(manager)));
    // 1 is NORMAL (in WAL mode: no sync at commit), 2 is FULL.
    expect(seen).toEqual([1, 2, 2]);
    expect(await database.read((m) => m.count(BatchSchema))).toBe(1);
    await database.close();
  });

  it('reads committed data alone from a file; in memory its reads share the writer and see its open transaction', async () => {
    const file = await Database.open(tempUrl());
    const memory = await Database.open('sqlite::memory:');
    expect([file.readsCommittedOnly, memory.readsCommittedOnly]).toEqual([true, false]);
    await Promise.all([file.close(), memory.close()]);
  });

  it('leaves nothing behind when a write fails midway', async () => {
    const database = await Database.open(tempUrl());
    const repository = new TypeOrmBatchRepository(database);
    // 1 200 items cross two insert chunks before the count check fails.
    await expect(repository.add(aBatch({ total: 1201 }), someItems(1200))).rejects.toThrow(/1200 items/);
    expect(await database.read((m) => m.query('SELECT COUNT(*) AS n FROM batch_items'))).toEqual([{ n: 0 }]);
    expect(await database.read((m) => m.query('SELECT COUNT(*) AS n FROM batches'))).toEqual([{ n: 0 }]);
    await database.close();
  });

  /** Two stores on one file; the first holds the write lock until `release` is called. */
  async function lockHeldByAnother(busyTimeoutMs: number) {
    const url = tempUrl();
    const holder = await Database.open(url);
    const waiter = await Database.open(url, { busyTimeoutMs });
    let release: () => void = () => undefined;
    const held = holder.write(() => new Promise<void>((resolve) => (release = resolve)));
    await new Promise((resolve) => setTimeout(resolve, 10));
    return {
      waiter,
      release: async () => {
        release();
        await held;
      },
      close: async () => {
        await holder.close();
        await waiter.close();
      },
    };
  }

  it("waits for another connection's write lock without holding up its own thread", async () => {
    const lock = await lockHeldByAnother(5000);
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 1);
    const waited = lock.waiter.write((tx) => tx.query('SELECT 1 AS one'));
    // The lock is held by a task of this very thread: a synchronous busy wait could never see it
    // released, and would fail after the busy timeout.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(ticks).toBeGreaterThan(10);
    await lock.release();
    expect(await waited).toEqual([{ one: 1 }]);
    clearInterval(ticker);
    await lock.close();
  });

  it('gives up with SQLITE_BUSY once the busy timeout has passed', async () => {
    const lock = await lockHeldByAnother(100);
    const started = Date.now();
    await expect(lock.waiter.write((tx) => tx.query('SELECT 1'))).rejects.toMatchObject({ driverError: { code: 'SQLITE_BUSY' } });
    expect(Date.now() - started).toBeGreaterThanOrEqual(100);
    await lock.release();
    await lock.close();
  });

  it("reads a part's pending items by their key range, and a tail's off ix_batch_items_deferred", async () => {
    const database = await Database.open(tempUrl());
    const total = ITEMS_PER_PART * 3 + 5;
    const plans = await Promise.all(
      [0, tailPart(total)].map(async (part) => {
        const { where, params } = partItems(part, total);
        const plan = await database.read((m) =>
          m.query(`EXPLAIN QUERY PLAN SELECT i.seq FROM batch_items i WHERE i.batch_pk = 1 AND ${where} ORDER BY i.seq LIMIT 1025`, params),
        );
        return plan.map((step: { detail: string }) => step.detail).join(' | ');
      }),
    );
    expect(plans[0]).toMatch(/SEARCH i USING (COVERING )?INDEX sqlite_autoindex_batch_items_1 \(batch_pk=\? AND seq>\? AND seq<\?\)/);
    expect(plans[1]).toMatch(/SEARCH i USING (COVERING )?INDEX ix_batch_items_deferred \(batch_pk=\?\)/);
    for (const plan of plans) {
      expect(plan).toMatch(/SEARCH o USING PRIMARY KEY \(batch_pk=\? AND seq=\?\)/);
      expect(plan).not.toMatch(/TEMP B-TREE/);
    }
    await database.close();
  });

  it('serves the heads of result lists from the index, without scanning the batch', async () => {
    const database = await Database.open(tempUrl());
    for (const sql of [STATUS_HEADS.sqlite.success, STATUS_HEADS.sqlite.failed]) {
      const plan = await database.read((m) => m.query(`EXPLAIN QUERY PLAN ${sql}`, [1, 1025]));
      const details = plan.map((step: { detail: string }) => step.detail).join(' | ');
      expect(details).toMatch(/SEARCH o USING INDEX ix_batch_outcomes_state_seq \(batch_pk=\? AND state=\?\)/);
      expect(details).not.toMatch(/TEMP B-TREE|batch_items/);
    }
    await database.close();
  });

  it("finds an abandoned upload's intake off the open intakes' index, without scanning the batches", async () => {
    const database = await Database.open(tempUrl());
    const plan = await database.read((m) => m.query(`EXPLAIN QUERY PLAN ${ABANDONED_INTAKE}`, [0]));
    expect(plan.map((step: { detail: string }) => step.detail).join(' | ')).toMatch(/USING (COVERING )?INDEX ix_batches_open_intakes/);
    await database.close();
  });

  it('gives rows back as arrays in the order selected, from a statement of their own', async () => {
    const database = await Database.open(tempUrl());
    const sql = "SELECT value AS n, 'v' || value AS label, NULL AS absent FROM json_each('[3, 1, 2]') WHERE value > ? ORDER BY value";
    await database.read(async (manager) => {
      expect(await selectRows(manager, sql, [1])).toEqual([
        [2, 'v2', null],
        [3, 'v3', null],
      ]);
      // The same text as objects: the array mode of the statement above does not leak into it.
      expect(await select(manager, sql, [2])).toEqual([{ n: 3, label: 'v3', absent: null }]);
      expect(await selectRows(manager, sql, [2])).toEqual([[3, 'v3', null]]);
    });
    await database.close();
  });
});

if (requirePostgres()) {
  const scratch = postgresScratch('cs_db');
  const count = async (database: Database, table: string) =>
    Number((await database.read((m) => m.query<Array<{ n: string }>>(`SELECT COUNT(*) AS n FROM ${table}`)))[0]?.n);

  describe('Database on PostgreSQL', () => {
    it('is opened by openDatabase for postgres:// and postgresql:// URLs, sslmode included', async () => {
      const url = await scratch.fresh();
      const database = await openDatabase(url);
      expect(database).toBeInstanceOf(PostgresDatabase);
      await database.ping();
      await database.close();
      const other = await openDatabase(`${url.replace(/^postgres:/, 'postgresql:')}?sslmode=disable`, { poolMax: 2 });
      expect(other).toBeInstanceOf(PostgresDatabase);
      await other.ping();
      await other.close();
    });

    it('migrates once when several processes open an empty database at the same moment', async () => {
      const url = await scratch.fresh();
      // A pool of one: the lock and the migrations share their connection, or it would wait on itself.
      const opened = await Promise.all(Array.from({ length: 6 }, (_, i) => openDatabase(url, { poolMax: i === 0 ? 1 : 3 })));
      const applied = await opened[0]!.read((m) => m.query<Array<{ name: string }>>('SELECT name FROM migrations ORDER BY id'));
      expect(applied.map((row) => row.name)).toEqual([
        'InitialSchema1764300000000',
        'ContainersAndLeases1764400000000',
        'FileBatches1764500000000',
        'SubmitKeys1764600000000',
        'BatchCallbacks1764700000000',
        'TenantTurns1764800000000',
        'ContainerTables1765000000000',
        'BatchKinds1765100000000',
        'BatchParts1765200000000',
        'BatchRateWindow1765300000000',
        'ContainerTypeNamesInByteOrder1765400000000',
        'OpenIntakesIndex1765500000000',
        'FinishedBatchCounts1765600000000',
        'BatchOutcomes1765700000000',
      ]);
      await Promise.all(opened.map((database) => database.close()));
    });

    it('never lets a reader see a write that is not committed', async () => {
      const database = await Database.open(await scratch.migrated());
      let seenDuringWrite = -1;
      await database.write(async (manager) => {
        await manager.insert(BatchSchema, toBatchRow(aBatch({ total: 1 })));
        seenDuringWrite = await database.read((m) => m.count(BatchSchema));
      });
      expect(seenDuringWrite).toBe(0);
      expect(await database.read((m) => m.count(BatchSchema))).toBe(1);
      await database.close();
    });

    it("commits a write asked to flush 'with-next' synchronously all the same, as every write", async () => {
      // One connection, so that every write is the same session, set to wait for the flush as
      // users run it (the test server does not). A server that crashes or fails over while the
      // writer lives on could lose an asynchronous commit under a later, acknowledged one (ADR 0032).
      const database = await Database.open(await scratch.migrated(), { poolMax: 1 });
      const setting = (manager: EntityManager) =>
        manager.query<Array<{ synchronous_commit: string }>>('SHOW synchronous_commit').then(([row]) => row?.synchronous_commit);
      const seen: Array<string | undefined> = [];
      await database.write((manager) => manager.query('SET SESSION synchronous_commit = on'));
      await database.write(
        async (manager) => {
          seen.push(await setting(manager));
          await manager.insert(BatchSchema, toBatchRow(aBatch({ total: 1 })));
        },
        { flush: 'with-next' },
      );
      await database.write(async (manager) => void seen.push(await setting(manager)));
      expect(seen).toEqual(['on', 'on']);
      expect(await count(database, 'batches')).toBe(1);
      expect(database.readsCommittedOnly).toBe(true);
      await database.close();
    });

    it('leaves nothing behind when a write fails midway', async () => {
      const database = await Database.open(await scratch.migrated());
      await expect(new TypeOrmBatchRepository(database).add(aBatch({ total: 1201 }), someItems(1200))).rejects.toThrow(/1200 items/);
      expect([await count(database, 'batch_items'), await count(database, 'batches')]).toEqual([0, 0]);
      await database.close();
    });

    it('stores a batch larger than one statement may bind (65 535 parameters), in order', async () => {
      const database = await Database.open(await scratch.migrated());
      const repository = new TypeOrmBatchRepository(database);
      await repository.add(aBatch({ total: 12_000 }), someItems(12_000));
      expect(await count(database, 'batch_items')).toBe(12_000);
      const [last] = await database.read((m) =>
        m.query<Array<{ seq: number; ref_id: string }>>('SELECT seq, ref_id FROM batch_items ORDER BY seq DESC LIMIT 1'),
      );
      expect(last?.seq).toBe(11_999);
      await database.close();
    });

    it('stores items as given, whatever their text holds: quotes, backslashes, braces, commas, NULL, line breaks, non-ASCII', async () => {
      const database = await Database.open(await scratch.migrated());
      const texts = ['a"b', 'c\\d', '{e,f}', 'NULL', '', 'g\nh\u2028', 'ü 日本', '\\"', ' lead and trail '];
      const items = texts.map((text, i) => ({
        refId: text === '' ? '' : `${text}-${i}`,
        row: i % 2 === 0 ? null : i + 2,
        input: { text, list: [text, null] },
      }));
      await new TypeOrmBatchRepository(database).add(aBatch({ total: items.length }), items);
      const rows = await database.read((m) =>
        m.query<Array<{ seq: number; ref_id: string; row: number | null; input: string; outcomes: number | string }>>(
          'SELECT seq, ref_id, row, input, (SELECT COUNT(*) FROM batch_outcomes o WHERE o.batch_pk = i.batch_pk AND o.seq = i.seq) AS outcomes FROM batch_items i ORDER BY seq',
        ),
      );
      expect(rows.map((r) => ({ refId: r.ref_id, row: r.row, input: JSON.parse(r.input) as unknown }))).toEqual(items);
      expect(rows.map((r) => [r.seq, Number(r.outcomes)])).toEqual(items.map((_, i) => [i, 0]));
      await database.close();
    });

    it('gives rows back as arrays in the order selected, and numbers as numbers', async () => {
      const database = await Database.open(await scratch.migrated());
      const sql = "SELECT n, 'v' || n AS label, NULL AS absent FROM (VALUES (3), (1), (2)) AS t(n) WHERE n > ? ORDER BY n";
      await database.read(async (manager) => {
        expect(await selectRows(manager, sql, [1])).toEqual([
          [2, 'v2', null],
          [3, 'v3', null],
        ]);
        expect(await select(manager, sql, [2])).toEqual([{ n: 3, label: 'v3', absent: null }]);
      });
      await database.close();
    });

    it("finds an abandoned upload's intake off the open intakes' index", async () => {
      const database = await Database.open(await scratch.migrated());
      const plan = await database.write(async (manager) => {
        // The table is empty, where a scan would always be cheapest: only whether the index can serve is asked.
        await manager.query('SET LOCAL enable_seqscan = off');
        return manager.query<Array<{ 'QUERY PLAN': string }>>(`EXPLAIN ${ABANDONED_INTAKE.replace('?', '$1')}`, [0]);
      });
      expect(plan.map((row) => row['QUERY PLAN']).join(' | ')).toMatch(/ix_batches_open_intakes/);
      await database.close();
    });

    it('fails a statement with a store fault, not an item fault, when the server ends its connection', async () => {
      const database = await Database.open(await scratch.migrated());
      const failure = await database
        .write((m) => m.query('SELECT pg_terminate_backend(pg_backend_pid())'))
        .then(
          () => null,
          (error: unknown) => error,
        );
      expect(failure).not.toBeNull();
      expect(database.isStoreFault(failure)).toBe(true);
      expect(isPostgresFault(Object.assign(new Error('duplicate key'), { driverError: { code: '23505' } }))).toBe(false);
      // The pool drops the dead connection and answers again.
      await database.ping();
      await database.close();
    });
  });
}
