// The first schema: batches and batch items, with the indexes that keep a status read to a few
// indexed lookups whatever a batch's size. It also created container_types until the container
// tables became a set of their own (ContainerTables1765000000000); the class keeps its name,
// which is how TypeORM knows a database has run it.
import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';

export class InitialSchema1764300000000 implements MigrationInterface {
  name = 'InitialSchema1764300000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.createTable(
      new Table({
        name: 'batches',
        columns: [
          { name: 'pk', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
          { name: 'tenant_id', type: 'varchar', length: '64' },
          { name: 'id', type: 'varchar', length: '64' },
          { name: 'target_type', type: 'varchar', length: '64' },
          { name: 'operation', type: 'varchar', length: '16' },
          { name: 'source', type: 'varchar', length: '16' },
          { name: 'total', type: 'integer' },
          { name: 'success', type: 'integer' },
          { name: 'failed', type: 'integer' },
          { name: 'cancelled', type: 'integer' },
          { name: 'created_at', type: 'bigint' },
          { name: 'started_at', type: 'bigint', isNullable: true },
          { name: 'completed_at', type: 'bigint', isNullable: true },
          { name: 'cancelled_at', type: 'bigint', isNullable: true },
          { name: 'created_by', type: 'text', isNullable: true },
          { name: 'parent_batch_id', type: 'varchar', length: '64', isNullable: true },
          { name: 'callback_state', type: 'varchar', length: '16' },
          { name: 'callback_attempts', type: 'integer' },
        ],
        indices: [
          // A status read finds its batch by tenant and id.
          new TableIndex({ name: 'ux_batches_tenant_id', columnNames: ['tenant_id', 'id'], isUnique: true }),
          // Listing a tenant's batches of one type, newest first.
          new TableIndex({ name: 'ix_batches_tenant_type_created', columnNames: ['tenant_id', 'target_type', 'created_at'] }),
        ],
      }),
    );
    await runner.createTable(
      new Table({
        name: 'batch_items',
        columns: [
          { name: 'batch_pk', type: 'integer', isPrimary: true },
          { name: 'seq', type: 'integer', isPrimary: true },
          { name: 'ref_id', type: 'varchar', length: '128' },
          { name: 'row', type: 'integer', isNullable: true },
          { name: 'input', type: 'text' },
          { name: 'state', type: 'varchar', length: '16' },
          { name: 'result_id', type: 'varchar', length: '256', isNullable: true },
          { name: 'reason', type: 'text', isNullable: true },
          { name: 'code', type: 'varchar', length: '64', isNullable: true },
        ],
        foreignKeys: [{ columnNames: ['batch_pk'], referencedTableName: 'batches', referencedColumnNames: ['pk'], onDelete: 'CASCADE' }],
        indices: [
          // The heads of the success and failure lists, in input order, read straight off this index.
          new TableIndex({ name: 'ix_batch_items_state_seq', columnNames: ['batch_pk', 'state', 'seq'] }),
        ],
      }),
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.dropTable('batch_items');
    await runner.dropTable('batches');
  }
}
