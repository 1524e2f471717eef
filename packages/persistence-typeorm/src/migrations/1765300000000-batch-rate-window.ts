// The batch's rate window (batch-progress.ts in batch-domain): two marks of its processed count
// with their times, moved on by every chunk under the batch's row lock, so that the status read
// computes items per second and the ETA from the batch's row alone, in any process, with no
// second query. Nullable columns without a default: no rewrite of the table on either store;
// rows stored before read as "measured from the start".
import { MigrationInterface, QueryRunner } from 'typeorm';

const COLUMNS = [
  ['rate_from_at', 'bigint'],
  ['rate_from_done', 'integer'],
  ['rate_mark_at', 'bigint'],
  ['rate_mark_done', 'integer'],
] as const;

export class BatchRateWindow1765300000000 implements MigrationInterface {
  name = 'BatchRateWindow1765300000000';

  async up(runner: QueryRunner): Promise<void> {
    // One column per statement: SQLite adds one at a time.
    for (const [name, type] of COLUMNS) await runner.query(`ALTER TABLE batches ADD COLUMN ${name} ${type} NULL`);
  }

  async down(runner: QueryRunner): Promise<void> {
    for (const [name] of [...COLUMNS].reverse()) await runner.query(`ALTER TABLE batches DROP COLUMN ${name}`);
  }
}
