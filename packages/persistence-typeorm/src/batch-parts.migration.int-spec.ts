// Upgrading a store with batches in flight to parts (BatchParts1765200000000): each unfinished
// batch gets its pending items deferred to its tail, and so goes on one chunk after another in
// input order, as it would have before; finished batches and open intakes get no part.
import { Database } from './database';
import { BatchParts1765200000000 } from './migrations/1765200000000-batch-parts';
import { BatchOutcomes1765700000000 } from './migrations/1765700000000-batch-outcomes';
import { ITEMS_PER_PART } from '@container-service/batch-domain';
import { sqliteScratch } from '../test/sqlite-scratch';

const scratch = sqliteScratch('cs-parts-up');

describe('BatchParts1765200000000 on a store with batches in flight', () => {
  it('defers the pending items of unfinished batches to their tail, and opens that tail only', async () => {
    const url = scratch.url();
    const database = await Database.open(url);
    try {
      const total = ITEMS_PER_PART + 2;
      await database.write(async (m) => {
        // Items as they were stored before BatchOutcomes1765700000000: their outcomes in their rows.
        await new BatchOutcomes1765700000000().down(m.queryRunner!);
        const insertBatch = (pk: number, completedAt: number | null, intakeOpen: number, size: number) =>
          m.query(
            `INSERT INTO batches (pk, tenant_id, id, kind, target_type, operation, source, total, success, failed, cancelled, created_at, completed_at, callback_state, callback_attempts, intake_open)
             VALUES (?, 'acme', ?, 'container', 'bag', 'create', 'json', ?, ?, 0, 0, 1, ?, 'NONE', 0, ?)`,
            [pk, `batch-${pk}`, size, completedAt === null ? 1 : size, completedAt, intakeOpen],
          );
        await insertBatch(1, null, 0, total);
        await insertBatch(2, 5, 0, 2);
        await insertBatch(3, null, 1, 2);
        for (const [pk, size] of [
          [1, total],
          [2, 2],
          [3, 2],
        ] as const) {
          for (let seq = 0; seq < size; seq++) {
            const state = pk === 2 || (pk === 1 && seq === 0) ? 'success' : 'pending';
            await m.query("INSERT INTO batch_items (batch_pk, seq, ref_id, input, state) VALUES (?, ?, ?, '{}', ?)", [pk, seq, `r-${seq}`, state]);
          }
        }
      });
      // As the store was before the migration: no parts, nothing deferred.
      await database.write(async (m) => {
        const runner = m.queryRunner!;
        await new BatchParts1765200000000().down(runner);
        await new BatchParts1765200000000().up(runner);
      });
      const parts = await database.read((m) => m.query('SELECT batch_pk AS "batchPk", part, tail, lease_owner AS "owner" FROM batch_parts ORDER BY batch_pk'));
      expect(parts).toEqual([{ batchPk: 1, part: 2, tail: 1, owner: null }]);
      const deferred = await database.read((m) =>
        m.query('SELECT batch_pk AS "batchPk", state, deferred, COUNT(*) AS n FROM batch_items GROUP BY batch_pk, state, deferred ORDER BY batch_pk, state'),
      );
      expect(deferred).toEqual([
        { batchPk: 1, state: 'pending', deferred: 1, n: total - 1 },
        { batchPk: 1, state: 'success', deferred: 0, n: 1 },
        { batchPk: 2, state: 'success', deferred: 0, n: 2 },
        { batchPk: 3, state: 'pending', deferred: 0, n: 2 },
      ]);
    } finally {
      await database.close();
    }
  });
});
