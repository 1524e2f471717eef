// Batch kinds: each batch records the kind of thing its items are applied to ('container', or
// another domain's), so that services sharing one store read, cancel and claim only their own.
// Every batch stored before this migration is a container batch. A constant default adds the
// column without rewriting the table (SQLite keeps it in the schema, PostgreSQL 11+ in the
// catalogue), where an UPDATE of every row would hold the writer for the table's size; every
// insert since writes its kind (batch.mapper), so the default only ever speaks for old rows.
// No index: every read that filters by kind already narrows to a tenant's batch or list by an
// index, and the claim's unfinished batches are few; kind is checked on the rows those give.
import { MigrationInterface, QueryRunner } from 'typeorm';

export class BatchKinds1765100000000 implements MigrationInterface {
  name = 'BatchKinds1765100000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query("ALTER TABLE batches ADD COLUMN kind varchar(32) NOT NULL DEFAULT 'container'");
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE batches DROP COLUMN kind');
  }
}
