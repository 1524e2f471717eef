// The uploads still being received, found without reading every batch: the worker's upkeep looks
// for one whose lease ran out every 10 s, inside a write transaction, and that look scanned the
// whole batches table (37 ms at 500 000 batches, holding SQLite's write lock). A partial index
// holds only the open intakes, a handful at any time, so the look is one short index read; an
// upload adds its entry when it starts and drops it when its intake closes. Queries must name
// `intake_open = 1` as a literal for either store to use it.
import { MigrationInterface, QueryRunner } from 'typeorm';

export class OpenIntakesIndex1765500000000 implements MigrationInterface {
  name = 'OpenIntakesIndex1765500000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query('CREATE INDEX ix_batches_open_intakes ON batches (lease_expires_at) WHERE intake_open = 1');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP INDEX ix_batches_open_intakes');
  }
}
