// Batch parts: work is claimed a part of a batch at a time, so that all workers share one big batch
// (ADR 0020). A part is a range of ITEMS_PER_PART items, or the batch's tail of deferred items (those
// claiming a key an earlier item claims), which waits for the others. Only parts with work left
// are rows: the chunk that finishes a part deletes it, and a finished batch has none, so the claim
// reads a table as small as the work in hand.
//
// Batches unfinished at upgrade had no items deferred: all their pending items go to the tail, so
// they are processed one chunk after another, in input order, as before. Their number is the
// backlog at that moment, not the table's size.
import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';

/** ITEMS_PER_PART when this migration was written; a tail's part number is ceil(total / it). */
const ITEMS_PER_PART = 4096;

export class BatchParts1765200000000 implements MigrationInterface {
  name = 'BatchParts1765200000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.createTable(
      new Table({
        name: 'batch_parts',
        columns: [
          { name: 'pk', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
          { name: 'batch_pk', type: 'integer' },
          { name: 'part', type: 'integer' },
          { name: 'tail', type: 'integer', default: 0 },
          { name: 'lease_owner', type: 'varchar', length: '64', isNullable: true },
          { name: 'lease_expires_at', type: 'bigint', isNullable: true },
        ],
        indices: [new TableIndex({ name: 'ux_batch_parts_batch_part', columnNames: ['batch_pk', 'part'], isUnique: true })],
      }),
    );
    // A constant default: no rewrite of the table (see BatchKinds1765100000000).
    await runner.query('ALTER TABLE batch_items ADD COLUMN deferred integer NOT NULL DEFAULT 0');
    const unfinished = 'SELECT pk FROM batches WHERE completed_at IS NULL AND intake_open = 0';
    await runner.query(`UPDATE batch_items SET deferred = 1 WHERE state = 'pending' AND batch_pk IN (${unfinished})`);
    await runner.query(
      `INSERT INTO batch_parts (batch_pk, part, tail) SELECT pk, (total + ${ITEMS_PER_PART - 1}) / ${ITEMS_PER_PART}, 1 FROM batches WHERE completed_at IS NULL AND intake_open = 0`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE batch_items DROP COLUMN deferred');
    await runner.dropTable('batch_parts');
  }
}
