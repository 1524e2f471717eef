// Fair claims between tenants: the turn at which a batch of each tenant was last claimed. A claim
// prefers the tenant with the lowest turn (round robin, ADR 0013); the turn is a counter taken
// under the write lock, so that workers in several processes agree on the order without
// comparing their clocks. One row per tenant that ever had a batch processed.
import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';

export class TenantTurns1764800000000 implements MigrationInterface {
  name = 'TenantTurns1764800000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.createTable(
      new Table({
        name: 'tenant_turns',
        columns: [
          { name: 'tenant_id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'turn', type: 'bigint' },
        ],
        // The next turn is the highest one plus one, read off this index.
        indices: [new TableIndex({ name: 'ix_tenant_turns_turn', columnNames: ['turn'] })],
      }),
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.dropTable('tenant_turns');
  }
}
