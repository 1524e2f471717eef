// Item outcomes in a table of their own (ADR 0036). An outcome used to be an UPDATE of the item's
// row: a new version of the whole row (its input with it) and a move between entries of
// ix_batch_items_state_seq, the largest write per item processed (on PostgreSQL 8.5 µs of server
// time and 500 bytes of WAL an item). Now items are written once, at intake, and never changed; an
// outcome is an INSERT at the end of batch_outcomes' key, and an item is pending while it has none.
// An outcome carries its item's reference and line, so that result lists and pages read outcomes
// alone (a join to the items cost PostgreSQL an index descent per row).
// The outcomes already recorded move over; the item columns that held them go, so that a process
// of the previous version, still running, fails on its next write instead of writing where nothing
// reads. Items deferred to a batch's tail get a partial index: the tail's reads walk it.
import { MigrationInterface, QueryRunner } from 'typeorm';

export class BatchOutcomes1765700000000 implements MigrationInterface {
  name = 'BatchOutcomes1765700000000';

  async up(runner: QueryRunner): Promise<void> {
    const postgres = runner.dataSource.options.type === 'postgres';
    // No outcome may be written between the copy and the drop (SQLite's migration transaction
    // holds the write lock anyway).
    if (postgres) await runner.query('LOCK TABLE batch_items IN SHARE ROW EXCLUSIVE MODE');
    await runner.query(
      `CREATE TABLE batch_outcomes (batch_pk integer NOT NULL, seq integer NOT NULL, state varchar(16) NOT NULL, ref_id varchar(128) NOT NULL,
        row integer, result_id varchar(256), reason text, code varchar(64), PRIMARY KEY (batch_pk, seq))${postgres ? '' : ' WITHOUT ROWID'}`,
    );
    await runner.query(
      `INSERT INTO batch_outcomes (batch_pk, seq, state, ref_id, row, result_id, reason, code)
       SELECT batch_pk, seq, state, ref_id, row, result_id, reason, code FROM batch_items WHERE state <> 'pending' ORDER BY batch_pk, seq`,
    );
    // The heads of the success and failure lists, and a results page of one outcome, in input order.
    await runner.query('CREATE INDEX ix_batch_outcomes_state_seq ON batch_outcomes (batch_pk, state, seq)');
    await runner.query('DROP INDEX ix_batch_items_state_seq');
    for (const column of ['state', 'result_id', 'reason', 'code']) await runner.query(`ALTER TABLE batch_items DROP COLUMN ${column}`);
    // Queries must name `deferred = 1` as a literal for either store to use it.
    await runner.query('CREATE INDEX ix_batch_items_deferred ON batch_items (batch_pk, seq) WHERE deferred = 1');
  }

  async down(runner: QueryRunner): Promise<void> {
    const postgres = runner.dataSource.options.type === 'postgres';
    if (postgres) await runner.query('LOCK TABLE batch_items IN SHARE ROW EXCLUSIVE MODE');
    await runner.query('DROP INDEX ix_batch_items_deferred');
    await runner.query("ALTER TABLE batch_items ADD COLUMN state varchar(16) NOT NULL DEFAULT 'pending'");
    await runner.query('ALTER TABLE batch_items ADD COLUMN result_id varchar(256)');
    await runner.query('ALTER TABLE batch_items ADD COLUMN reason text');
    await runner.query('ALTER TABLE batch_items ADD COLUMN code varchar(64)');
    const outcome = (column: string) => `(SELECT o.${column} FROM batch_outcomes o WHERE o.batch_pk = batch_items.batch_pk AND o.seq = batch_items.seq)`;
    await runner.query(
      `UPDATE batch_items SET state = ${outcome('state')}, result_id = ${outcome('result_id')}, reason = ${outcome('reason')}, code = ${outcome('code')}
       WHERE EXISTS (SELECT 1 FROM batch_outcomes o WHERE o.batch_pk = batch_items.batch_pk AND o.seq = batch_items.seq)`,
    );
    await runner.query('CREATE INDEX ix_batch_items_state_seq ON batch_items (batch_pk, state, seq)');
    await runner.query('DROP TABLE batch_outcomes');
  }
}
