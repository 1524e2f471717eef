// Callbacks: where each batch is announced when it finishes, the secret that signs it (never
// returned by any route), and the delivery schedule. The batch's callback state and attempts stay
// on `batches`, with its other counters.
import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';

export class BatchCallbacks1764700000000 implements MigrationInterface {
  name = 'BatchCallbacks1764700000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.createTable(
      new Table({
        name: 'batch_callbacks',
        columns: [
          { name: 'batch_pk', type: 'integer', isPrimary: true },
          { name: 'url', type: 'text' },
          { name: 'meta', type: 'text', isNullable: true },
          { name: 'secret', type: 'text', isNullable: true },
          { name: 'request_id', type: 'varchar', length: '128' },
          { name: 'next_attempt_at', type: 'bigint', isNullable: true },
          { name: 'last_error', type: 'text', isNullable: true },
          { name: 'lease_owner', type: 'varchar', length: '64', isNullable: true },
          { name: 'lease_expires_at', type: 'bigint', isNullable: true },
        ],
        foreignKeys: [{ columnNames: ['batch_pk'], referencedTableName: 'batches', referencedColumnNames: ['pk'], onDelete: 'CASCADE' }],
      }),
    );
    // Finished batches whose callback still waits, oldest first.
    await runner.createIndex('batches', new TableIndex({ name: 'ix_batches_callback', columnNames: ['callback_state', 'completed_at'] }));
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.dropIndex('batches', 'ix_batches_callback');
    await runner.dropTable('batch_callbacks');
  }
}
