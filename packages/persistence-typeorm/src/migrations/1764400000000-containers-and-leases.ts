// Work leases on batches. It also created the containers and container_tracking tables until the
// container tables became a set of their own (ContainerTables1765000000000); the class keeps its
// name, which is how TypeORM knows a database has run it.
import { MigrationInterface, QueryRunner, TableColumn, TableIndex } from 'typeorm';

export class ContainersAndLeases1764400000000 implements MigrationInterface {
  name = 'ContainersAndLeases1764400000000';

  async up(runner: QueryRunner): Promise<void> {
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
  }
}
