// The finished-batch counts the database keeps (migration 1765600000000) against a count of the
// batches themselves, after many connections finished, cancelled and purged batches at once: no
// write path may skip them and no concurrent increment may be lost.
import { T0, aBatchId, storeBatch } from '@container-service/batch-domain/testing';
import { Database, openDatabase } from './database';
import { TypeOrmBatchBacklog } from './typeorm-batch.backlog';
import { TypeOrmBatchRepository } from './typeorm-batch.repository';
import { TypeOrmBatchSeeder } from './testing';
import { postgresScratch, requirePostgres } from '../test/postgres-scratch';
import { sqliteScratch } from '../test/sqlite-scratch';
import { select } from './sql';
import { Client } from 'pg';

/** The finished batches counted over their rows, as the backlog read did before the counts. */
const RECOUNT = `SELECT CASE WHEN b.cancelled_at IS NOT NULL THEN 'CANCELLED' WHEN b.failed = 0 THEN 'SUCCESS'
    WHEN b.success = 0 THEN 'FAILED' ELSE 'PARTIAL_SUCCESS' END AS status, COUNT(*) AS n
  FROM batches b WHERE b.completed_at IS NOT NULL GROUP BY 1`;

const PLANS = ['SS', 'SF', 'FF', 'S.', 'SFS', 'F'];

function countsSuite(name: string, url: () => Promise<string> | string): void {
  describe(`finished-batch counts on ${name}`, () => {
    it('equal a count of the batches after four connections finish, cancel and purge batches at once', async () => {
      const at = await url();
      const databases = await Promise.all([0, 1, 2, 3].map(() => Database.open(at)));
      try {
        await Promise.all(
          databases.map(async (database, writer) => {
            const seeder = new TypeOrmBatchSeeder(database);
            for (let i = 0; i < 15; i++) {
              const n = writer * 100 + i + 1;
              const batch = await storeBatch(seeder, PLANS[n % PLANS.length]!, { id: aBatchId(n), tenantId: `t${writer}` }, T0 + (i % 3) * 10_000);
              if (n % 4 === 0) {
                batch.cancel(T0 + 500);
                await seeder.recordCancellation(batch);
              }
            }
            const repository = new TypeOrmBatchRepository(database);
            while ((await repository.purgeFinishedBatches(T0 + 5_000, 2)) > 0);
          }),
        );
        const recount = await databases[0]!.read((m) => select<{ status: string; n: number | string }>(m, RECOUNT, []));
        const expected = { SUCCESS: 0, PARTIAL_SUCCESS: 0, FAILED: 0, CANCELLED: 0 } as Record<string, number>;
        for (const row of recount) expected[row.status] = Number(row.n);
        expect(Object.values(expected).reduce((a, b) => a + b)).toBeGreaterThan(20);
        const { batches } = await new TypeOrmBatchBacklog(databases[0]!).backlog();
        expect({ SUCCESS: batches.SUCCESS, PARTIAL_SUCCESS: batches.PARTIAL_SUCCESS, FAILED: batches.FAILED, CANCELLED: batches.CANCELLED }).toEqual(expected);
      } finally {
        await Promise.all(databases.map((database) => database.close()));
      }
    });
  });
}

countsSuite('a SQLite file', sqliteScratch('cs-counts').url);
if (requirePostgres()) {
  const postgres = postgresScratch('cs_counts');
  countsSuite('PostgreSQL', () => postgres.migrated());

  it('counts a batch that a writer finished while the migration ran, on PostgreSQL', async () => {
    const url = await postgres.fresh();
    await (await openDatabase(url)).close();
    const other = new Client({ connectionString: url });
    await other.connect();
    try {
      // The schema as it was before the migration, and one batch under way.
      await other.query(`DROP TRIGGER tr_batches_count_insert ON batches; DROP TRIGGER tr_batches_count_update ON batches;
        DROP TRIGGER tr_batches_count_delete ON batches; DROP FUNCTION batch_status_count(); DROP TABLE batch_status_counts;
        DELETE FROM migrations WHERE name = 'FinishedBatchCounts1765600000000'`);
      await other.query(`INSERT INTO batches (tenant_id, id, kind, target_type, operation, source, total, success, failed, cancelled, created_at, callback_state, callback_attempts, intake_open)
        VALUES ('acme', 'b1', 'container', 'bag', 'create', 'json', 10, 0, 0, 0, 1, 'NONE', 0, 0)`);
      // A worker of the version before finishes it and commits while a process of this one migrates.
      await other.query('BEGIN');
      await other.query(`UPDATE batches SET success = 10, started_at = 1, completed_at = 2 WHERE id = 'b1'`);
      const migrating = openDatabase(url);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      await other.query('COMMIT');
      const database = await migrating;
      try {
        expect((await new TypeOrmBatchBacklog(database).backlog()).batches.SUCCESS).toBe(1);
        await other.query(`DELETE FROM batches WHERE id = 'b1'`);
        expect((await new TypeOrmBatchBacklog(database).backlog()).batches.SUCCESS).toBe(0);
      } finally {
        await database.close();
      }
    } finally {
      await other.end();
    }
  });
}
