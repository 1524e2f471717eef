import {
  T0,
  aBatch,
  aLocator,
  describeBatchBacklogContract,
  describeBatchRepositoryContract,
  describeCallbackOutboxContract,
  outcomesFor,
  storeBatch,
} from '@container-service/batch-domain/testing';
import { describeContainerTypeRepositoryContract } from '@container-service/container-domain/testing';
import { Database } from './database';
import { TypeOrmBatchRepository } from './typeorm-batch.repository';
import { TypeOrmBatchBacklog } from './typeorm-batch.backlog';
import { TypeOrmBatchSeeder } from './testing';
import { TypeOrmCallbackOutbox } from './typeorm-callback.outbox';
import { TypeOrmContainerTypeRepository } from './typeorm-container-type.repository';
import { postgresScratch, requirePostgres } from '../test/postgres-scratch';
import { sqliteScratch } from '../test/sqlite-scratch';

const sqliteFile = sqliteScratch('cs-int').url;

// Each contract runs on an in-memory database, on a real file (two connections, WAL) and on a
// PostgreSQL database of its own (a pool, writers that really interleave).
const stores: Array<[string, () => Promise<string> | string]> = [
  ['sqlite::memory:', () => 'sqlite::memory:'],
  ['a SQLite file', sqliteFile],
];
const postgres = requirePostgres() ? postgresScratch('cs_repo') : null;
if (postgres !== null) stores.push(['PostgreSQL', () => postgres.migrated()]);

/**
 * A fixture built by `build` on a database of its own; on a file, its race cases meet a rival
 * built the same way on a second Database opened on that file: another connection with its own
 * write queue, as another process would have, so that only the database keeps the racers apart.
 */
type Opened<F> = F & { close: () => Promise<void> };

function opener<F extends object>(
  url: () => Promise<string> | string,
  build: (database: Database) => F,
): () => Promise<Opened<F> & { rival?: () => Promise<Opened<F>> }> {
  return async () => {
    const at = await url();
    const open = async (): Promise<Opened<F>> => {
      const database = await Database.open(at);
      return { ...build(database), close: () => database.close() };
    };
    return at === 'sqlite::memory:' ? open() : { ...(await open()), rival: open };
  };
}

for (const [label, url] of stores) {
  describeBatchRepositoryContract(
    `TypeOrmBatchRepository on ${label}`,
    opener(url, (database) => ({ repository: new TypeOrmBatchRepository(database), seeder: new TypeOrmBatchSeeder(database) })),
  );
  describeBatchRepositoryContract(
    `TypeOrmBatchRepository with a status cache on ${label}`,
    opener(url, (database) => ({ repository: new TypeOrmBatchRepository(database, { statusCacheEntries: 100 }), seeder: new TypeOrmBatchSeeder(database) })),
  );
  describeBatchBacklogContract(
    `TypeOrmBatchBacklog on ${label}`,
    opener(url, (database) => ({
      backlog: new TypeOrmBatchBacklog(database),
      seeder: new TypeOrmBatchSeeder(database),
      repository: new TypeOrmBatchRepository(database),
    })),
  );
  describeCallbackOutboxContract(
    `TypeOrmCallbackOutbox on ${label}`,
    opener(url, (database) => ({
      repository: new TypeOrmBatchRepository(database),
      seeder: new TypeOrmBatchSeeder(database),
      outbox: new TypeOrmCallbackOutbox(database),
    })),
  );
  describeContainerTypeRepositoryContract(
    `TypeOrmContainerTypeRepository on ${label}`,
    opener(url, (database) => ({ repository: new TypeOrmContainerTypeRepository(database) })),
  );
}

if (postgres !== null) {
  // Managed servers often default to a language's collation, where `abc` sorts before `Abd`.
  describeContainerTypeRepositoryContract(
    'TypeOrmContainerTypeRepository on PostgreSQL whose database collates by ICU en-US',
    opener(
      () =>
        postgres.fresh("TEMPLATE template0 ENCODING 'UTF8' LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C'").catch((error: unknown) => {
          throw new Error(`this suite needs PostgreSQL 15 or newer built with ICU, as the README says (${String(error)})`);
        }),
      (database) => ({ repository: new TypeOrmContainerTypeRepository(database) }),
    ),
  );
}

describe('TypeOrmBatchRepository with a status cache', () => {
  const locator = aLocator();
  let database: Database;
  let repository: TypeOrmBatchRepository;
  let seeder: TypeOrmBatchSeeder;

  beforeEach(async () => {
    database = await Database.open(sqliteFile());
    repository = new TypeOrmBatchRepository(database, { statusCacheEntries: 100 });
    seeder = new TypeOrmBatchSeeder(database);
  });
  afterEach(() => database.close());

  it("serves a finished batch's lists from memory, and its row from the database every time", async () => {
    await storeBatch(seeder, 'SF');
    expect((await repository.findStatus(locator, 10))!.successes[0]!.resultId).toBe('parcel:1');
    // Behind the repository's back, so that only a second read of the rows could see it.
    await database.write((tx) => tx.query("UPDATE batch_outcomes SET result_id = 'changed'"));
    await database.write((tx) => tx.query("UPDATE batches SET callback_state = 'DELIVERED', callback_attempts = 1"));
    const view = (await repository.findStatus(locator, 10))!;
    expect(view.successes[0]!.resultId).toBe('parcel:1');
    expect(view.batch.toSnapshot()).toMatchObject({ callbackState: 'DELIVERED', callbackAttempts: 1 });
    // Another limit is another answer, read from the rows.
    expect((await repository.findStatus(locator, 5))!.successes[0]!.resultId).toBe('changed');
  });

  it("serves a running batch's lists from memory while its counts stay, and reads them again once an outcome moves them", async () => {
    const batch = await storeBatch(seeder, 'S.');
    expect((await repository.findStatus(locator, 10))!.successes).toHaveLength(1);
    // Behind the repository's back, so that only a read of the rows could see it.
    await database.write((tx) => tx.query("UPDATE batch_outcomes SET result_id = 'changed'"));
    expect((await repository.findStatus(locator, 10))!.successes[0]!.resultId).toBe('parcel:1');
    batch.recordOutcomes(['failed'], 5000);
    await seeder.recordOutcomes(batch, outcomesFor('.F'));
    const view = (await repository.findStatus(locator, 10))!;
    expect(view.failures.map((f) => f.refId)).toEqual(['r-2']);
    expect(view.successes[0]!.resultId).toBe('changed');
    expect(view.batch.status).toBe('PARTIAL_SUCCESS');
  });

  it("reads a running batch's lists every time from a store whose reads see open transactions (SQLite in memory)", async () => {
    const memory = await Database.open('sqlite::memory:');
    const inMemory = new TypeOrmBatchRepository(memory, { statusCacheEntries: 100 });
    await storeBatch(new TypeOrmBatchSeeder(memory), 'S.');
    expect((await inMemory.findStatus(locator, 10))!.successes[0]!.resultId).toBe('parcel:1');
    await memory.write((tx) => tx.query("UPDATE batch_outcomes SET result_id = 'changed'"));
    expect((await inMemory.findStatus(locator, 10))!.successes[0]!.resultId).toBe('changed');
    await memory.close();
  });

  it('finds nothing once the batch is removed, though its lists were in memory', async () => {
    await storeBatch(seeder, 'SS');
    expect(await repository.findStatus(locator, 10)).not.toBeNull();
    while ((await repository.purgeFinishedBatches(Number.MAX_SAFE_INTEGER, 1)) > 0);
    expect(await repository.findStatus(locator, 10)).toBeNull();
  });
});

for (const [label, url] of stores) {
  describe(`A batch received in parts on ${label}`, () => {
    it('is not committed when the store holds fewer items than were received: nothing is acknowledged, nothing shows', async () => {
      const database = await Database.open(await url());
      try {
        const repository = new TypeOrmBatchRepository(database);
        const locator = aLocator();
        const intake = await repository.beginIntake({ ...locator, expiresAt: T0 + 60_000 });
        await intake.append([{ refId: 'r-1', row: 2, input: ['r-1'] }], T0 + 60_000);
        await intake.append([{ refId: 'r-2', row: 3, input: ['r-2'] }], T0 + 60_000);
        // A part lost under the intake, as a failover onto a standby that lacked it would lose it.
        await database.write((tx) => tx.query('DELETE FROM batch_items WHERE seq = 1'));
        await expect(intake.commit(aBatch({ total: 2, source: 'file', columns: ['refID'] }))).rejects.toThrow(/2 items were received but 1 are stored/);
        expect(await repository.findStatus(locator, 10)).toBeNull();
        await intake.discard();
      } finally {
        await database.close();
      }
    });
  });
}

describe('TypeOrmBatchRepository and a file batch header', () => {
  const locator = aLocator();
  let database: Database;
  let repository: TypeOrmBatchRepository;

  beforeEach(async () => {
    database = await Database.open(sqliteFile());
    repository = new TypeOrmBatchRepository(database);
    const intake = await repository.beginIntake({ ...locator, expiresAt: T0 + 60_000 });
    await intake.append([{ refId: 'r-1', row: 2, input: ['r-1'] }], T0 + 60_000);
    await intake.commit(aBatch({ total: 1, source: 'file', columns: ['refID'] }));
  });
  afterEach(() => database.close());

  it('answers status and list reads without reading the header; results read it', async () => {
    // Behind the repository's back: a header that cannot be parsed shows which reads parse it.
    await database.write((tx) => tx.query("UPDATE batches SET columns = '[not json'"));
    expect((await repository.findStatus(locator, 10))!.batch.counts.total).toBe(1);
    expect(await repository.list(locator, { limit: 10 })).toHaveLength(1);
    await expect(repository.findResults(locator, { afterSeq: -1, limit: 1 })).rejects.toThrow(SyntaxError);
  });
});
