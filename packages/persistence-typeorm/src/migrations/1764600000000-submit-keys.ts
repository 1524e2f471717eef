// Idempotent submits: the key a tenant's submit was made under (its X-COREOS-REQUEST-ID), the
// fingerprint of that request, and the batch it stored. Claimed in the transaction that stores
// the batch, so two identical submits racing each other store one batch.
import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';

export class SubmitKeys1764600000000 implements MigrationInterface {
  name = 'SubmitKeys1764600000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.createTable(
      new Table({
        name: 'submit_keys',
        columns: [
          { name: 'tenant_id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'request_id', type: 'varchar', length: '128', isPrimary: true },
          { name: 'fingerprint', type: 'varchar', length: '128' },
          { name: 'batch_id', type: 'varchar', length: '64' },
          { name: 'created_at', type: 'bigint' },
        ],
        // Purging old keys reads them by age.
        indices: [new TableIndex({ name: 'ix_submit_keys_created', columnNames: ['created_at'] })],
      }),
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.dropTable('submit_keys');
  }
}
