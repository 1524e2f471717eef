// Containers with their unique scannable ids, tracking ids unique per tenant (a table of their
// own, so the database itself refuses a duplicate), and work leases on batches.
import { MigrationInterface, QueryRunner, Table, TableColumn, TableIndex } from 'typeorm';

export class ContainersAndLeases1764400000000 implements MigrationInterface {
  name = 'ContainersAndLeases1764400000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.createTable(
      new Table({
        name: 'containers',
        columns: [
          { name: 'tenant_id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'container_type', type: 'varchar', length: '16' },
          { name: 'ref_id', type: 'varchar', length: '128', isNullable: true },
          { name: 'scannable_id', type: 'varchar', length: '128', isNullable: true },
          { name: 'tracking_details', type: 'text' },
          { name: 'attributes', type: 'text' },
          { name: 'items', type: 'text' },
          { name: 'parent_id', type: 'varchar', length: '200', isNullable: true },
          { name: 'is_hazmat', type: 'boolean' },
          { name: 'is_containerizable', type: 'boolean' },
          { name: 'is_reusable', type: 'boolean' },
          { name: 'created_at', type: 'bigint' },
          { name: 'updated_at', type: 'bigint' },
          { name: 'created_by', type: 'text', isNullable: true },
          { name: 'updated_by', type: 'text', isNullable: true },
        ],
        indices: [
          // NULLs never collide in a unique index, so containers without a scannable id are fine.
          new TableIndex({ name: 'ux_containers_scannable', columnNames: ['tenant_id', 'container_type', 'scannable_id'], isUnique: true }),
        ],
      }),
    );
    await runner.createTable(
      new Table({
        name: 'container_tracking',
        columns: [
          { name: 'tenant_id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'operator', type: 'varchar', length: '64', isPrimary: true },
          { name: 'tracking_id', type: 'varchar', length: '128', isPrimary: true },
          { name: 'container_id', type: 'varchar', length: '64' },
        ],
        indices: [new TableIndex({ name: 'ix_container_tracking_container', columnNames: ['tenant_id', 'container_id'] })],
      }),
    );
    await runner.addColumns('batches', [
      new TableColumn({ name: 'lease_owner', type: 'varchar', length: '64', isNullable: true }),
      new TableColumn({ name: 'lease_expires_at', type: 'bigint', isNullable: true }),
    ]);
    // Workers look for unfinished batches, oldest first.
    await runner.createIndex('batches', new TableIndex({ name: 'ix_batches_open', columnNames: ['completed_at', 'created_at'] }));
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.dropIndex('batches', 'ix_batches_open');
    await runner.dropColumns('batches', ['lease_owner', 'lease_expires_at']);
    await runner.dropTable('container_tracking');
    await runner.dropTable('containers');
  }
}
