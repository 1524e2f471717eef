// Container type names compare and sort in byte order on every store, as docs/api.md promises for
// the type list (case-sensitive: `ABE`, `Abd`, `abc`). SQLite compares text byte by byte already
// (BINARY). PostgreSQL compares by the database's default collation, which on a server set up with
// a language's collation (an ICU or libc `en_US` one, common on managed servers) sorts `abc` before
// `Abd` and `ABE`: the name column is given the "C" collation there, whatever the database's.
import { MigrationInterface, QueryRunner } from 'typeorm';

export class ContainerTypeNamesInByteOrder1765400000000 implements MigrationInterface {
  name = 'ContainerTypeNamesInByteOrder1765400000000';

  async up(runner: QueryRunner): Promise<void> {
    if (runner.dataSource.options.type !== 'postgres') return;
    await runner.query('ALTER TABLE container_types ALTER COLUMN name TYPE varchar(16) COLLATE "C"');
  }

  async down(runner: QueryRunner): Promise<void> {
    if (runner.dataSource.options.type !== 'postgres') return;
    await runner.query('ALTER TABLE container_types ALTER COLUMN name TYPE varchar(16) COLLATE "default"');
  }
}
