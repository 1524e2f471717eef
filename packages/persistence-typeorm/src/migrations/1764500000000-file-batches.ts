// File batches: a batch keeps its file's header, is received in parts while `intake_open` (then
// invisible to reads and processing), and each item's reference is unique in its batch, which
// is how a repeated refID in a file streamed in parts is caught without holding the file in memory.
import { MigrationInterface, QueryRunner, TableColumn, TableIndex } from 'typeorm';

export class FileBatches1764500000000 implements MigrationInterface {
  name = 'FileBatches1764500000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.addColumn('batches', new TableColumn({ name: 'columns', type: 'text', isNullable: true }));
    await runner.addColumn('batches', new TableColumn({ name: 'intake_open', type: 'integer', default: 0 }));
    // Rows that could not be read may have no reference; they take no part in the check.
    await runner.createIndex(
      'batch_items',
      new TableIndex({ name: 'ux_batch_items_ref', columnNames: ['batch_pk', 'ref_id'], isUnique: true, where: "ref_id <> ''" }),
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.dropIndex('batch_items', 'ux_batch_items_ref');
    await runner.dropColumn('batches', 'intake_open');
    await runner.dropColumn('batches', 'columns');
  }
}
