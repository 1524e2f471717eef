// The container tables as a set of their own: container types, containers with their unique
// scannable ids, and tracking ids unique per tenant (a table of their own, so the database itself
// refuses a duplicate). They were made by InitialSchema1764300000000 and
// ContainersAndLeases1764400000000 before the batch tables and the container tables were split
// into sets; on a database made before the split every table is there already, and this migration
// only records itself (each table is created if it does not exist, with its indexes).
import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';

export class ContainerTables1765000000000 implements MigrationInterface {
  name = 'ContainerTables1765000000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.createTable(
      new Table({
        name: 'container_types',
        columns: [
          { name: 'tenant_id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'name', type: 'varchar', length: '16', isPrimary: true },
          { name: 'is_leaf', type: 'boolean' },
          { name: 'attributes', type: 'text' },
          { name: 'created_at', type: 'bigint' },
          { name: 'updated_at', type: 'bigint' },
          { name: 'created_by', type: 'text', isNullable: true },
          { name: 'updated_by', type: 'text', isNullable: true },
        ],
      }),
      true,
    );
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
      true,
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
      true,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.dropTable('container_tracking');
    await runner.dropTable('containers');
    await runner.dropTable('container_types');
  }
}
