// Finished batches counted by status as they finish, not at each read: the monitoring backlog
// (every scrape of /metrics) grouped every finished batch by status, one row per batch kept for
// BATCH_RETENTION_DAYS, which took 210–320 ms at 500 000 batches, on the API's request thread.
// Triggers on batches keep batch_status_counts in step with every write that can change a
// finished batch's derived status (finishing, cancelling, a later count, the purge) in that
// write's own transaction, so no code path can forget it and a read is a sum over 64 rows.
// Each status is split in 16 shards by batch pk, so that workers finishing batches at the same
// moment on PostgreSQL seldom wait on the same row lock.
import { MigrationInterface, QueryRunner } from 'typeorm';

/** The finished statuses counted (Batch.status of a batch with completed_at set). */
const STATUSES = ['SUCCESS', 'PARTIAL_SUCCESS', 'FAILED', 'CANCELLED'];
/** Rows per status. */
const STATUS_COUNT_SHARDS = 16;

/** The derived status of a finished row (`r` is OLD or NEW), NULL for an unfinished one. */
function finishedStatus(r: string): string {
  return `CASE WHEN ${r}.completed_at IS NULL THEN NULL WHEN ${r}.cancelled_at IS NOT NULL THEN 'CANCELLED'
    WHEN ${r}.failed = 0 THEN 'SUCCESS' WHEN ${r}.success = 0 THEN 'FAILED' ELSE 'PARTIAL_SUCCESS' END`;
}

const step = (r: string, delta: string) =>
  `UPDATE batch_status_counts SET n = n ${delta} 1 WHERE status = ${finishedStatus(r)} AND shard = ${r}.pk % ${STATUS_COUNT_SHARDS}`;

export class FinishedBatchCounts1765600000000 implements MigrationInterface {
  name = 'FinishedBatchCounts1765600000000';

  async up(runner: QueryRunner): Promise<void> {
    const postgres = runner.dataSource.options.type === 'postgres';
    // No batch may finish or go between the fill and the triggers: on PostgreSQL a writer committing
    // in that gap would be in neither, for good. This waits for writers in flight and holds others
    // off until the migrations commit (SQLite's migration transaction holds the write lock anyway).
    if (postgres) await runner.query('LOCK TABLE batches IN SHARE ROW EXCLUSIVE MODE');
    await runner.query(
      `CREATE TABLE batch_status_counts (status varchar(16) NOT NULL, shard integer NOT NULL, n bigint NOT NULL, PRIMARY KEY (status, shard))`,
    );
    const shards = Array.from({ length: STATUS_COUNT_SHARDS }, (_, i) => i);
    const cells = STATUSES.flatMap((status) => shards.map((shard) => `('${status}', ${shard}, 0)`));
    await runner.query(`INSERT INTO batch_status_counts (status, shard, n) VALUES ${cells.join(', ')}`);
    // The batches already finished, counted once (SQLite needs the WHERE before ON CONFLICT).
    await runner.query(
      `INSERT INTO batch_status_counts (status, shard, n)
       SELECT c.status, c.shard, c.n FROM (SELECT ${finishedStatus('b')} AS status, b.pk % ${STATUS_COUNT_SHARDS} AS shard, COUNT(*) AS n
         FROM batches b WHERE b.completed_at IS NOT NULL GROUP BY 1, 2) c WHERE true
       ON CONFLICT (status, shard) DO UPDATE SET n = excluded.n`,
    );
    if (postgres) await this.postgresTriggers(runner);
    else await this.sqliteTriggers(runner);
  }

  private async sqliteTriggers(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE TRIGGER tr_batches_count_insert AFTER INSERT ON batches WHEN NEW.completed_at IS NOT NULL
      BEGIN ${step('NEW', '+')}; END`);
    await runner.query(`CREATE TRIGGER tr_batches_count_update AFTER UPDATE ON batches
      WHEN (OLD.completed_at IS NOT NULL OR NEW.completed_at IS NOT NULL) AND (${finishedStatus('OLD')}) IS NOT (${finishedStatus('NEW')})
      BEGIN ${step('OLD', '-')}; ${step('NEW', '+')}; END`);
    await runner.query(`CREATE TRIGGER tr_batches_count_delete AFTER DELETE ON batches WHEN OLD.completed_at IS NOT NULL
      BEGIN ${step('OLD', '-')}; END`);
  }

  private async postgresTriggers(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE FUNCTION batch_status_count() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE before_status text; after_status text;
      BEGIN
        IF TG_OP <> 'INSERT' THEN before_status := ${finishedStatus('OLD')}; END IF;
        IF TG_OP <> 'DELETE' THEN after_status := ${finishedStatus('NEW')}; END IF;
        IF before_status IS DISTINCT FROM after_status THEN
          IF before_status IS NOT NULL THEN ${step('OLD', '-')}; END IF;
          IF after_status IS NOT NULL THEN ${step('NEW', '+')}; END IF;
        END IF;
        RETURN NULL;
      END $$`);
    await runner.query(`CREATE TRIGGER tr_batches_count_insert AFTER INSERT ON batches
      FOR EACH ROW WHEN (NEW.completed_at IS NOT NULL) EXECUTE FUNCTION batch_status_count()`);
    await runner.query(`CREATE TRIGGER tr_batches_count_update AFTER UPDATE ON batches
      FOR EACH ROW WHEN (OLD.completed_at IS NOT NULL OR NEW.completed_at IS NOT NULL) EXECUTE FUNCTION batch_status_count()`);
    await runner.query(`CREATE TRIGGER tr_batches_count_delete AFTER DELETE ON batches
      FOR EACH ROW WHEN (OLD.completed_at IS NOT NULL) EXECUTE FUNCTION batch_status_count()`);
  }

  async down(runner: QueryRunner): Promise<void> {
    for (const name of ['insert', 'update', 'delete'])
      await runner.query(`DROP TRIGGER tr_batches_count_${name}${runner.dataSource.options.type === 'postgres' ? ' ON batches' : ''}`);
    if (runner.dataSource.options.type === 'postgres') await runner.query('DROP FUNCTION batch_status_count()');
    await runner.query('DROP TABLE batch_status_counts');
  }
}
