// Upgrading a store whose items hold their outcomes to batch_outcomes (BatchOutcomes1765700000000),
// and back: every recorded outcome moves with its values, pending items stay pending, and the
// batch answers as before.
import { BatchId } from '@container-service/batch-domain';
import { Database } from './database';
import { BatchOutcomes1765700000000 } from './migrations/1765700000000-batch-outcomes';
import { TypeOrmBatchRepository } from './typeorm-batch.repository';
import { postgresScratch, requirePostgres } from '../test/postgres-scratch';
import { sqliteScratch } from '../test/sqlite-scratch';
import { execute, select } from './sql';

/** seq, state, result_id, reason, code of a batch of five, as the items held them before. */
const BEFORE = [
  [0, 'success', 'bag:a', null, null],
  [1, 'failed', null, 'Tracking id "x" is taken', 'TRACKING_ID_TAKEN'],
  [2, 'pending', null, null, null],
  [3, 'success', 'bag:b', null, null],
  [4, 'pending', null, null, null],
] as const;

const OUTCOMES = 'SELECT seq, state, ref_id AS "refId", row, result_id AS "resultId", reason, code FROM batch_outcomes ORDER BY seq';

function migrationSuite(name: string, url: () => Promise<string> | string): void {
  describe(`BatchOutcomes1765700000000 on ${name}`, () => {
    it('moves recorded outcomes out of the items, leaves pending items pending, and moves them back down', async () => {
      const database = await Database.open(await url());
      try {
        await database.write(async (m) => {
          await new BatchOutcomes1765700000000().down(m.queryRunner!);
          await m.query(
            `INSERT INTO batches (pk, tenant_id, id, kind, target_type, operation, source, total, success, failed, cancelled, created_at, started_at, callback_state, callback_attempts, intake_open)
             VALUES (7, 'acme', 'b7', 'container', 'bag', 'create', 'json', 5, 2, 1, 0, 1, 2, 'NONE', 0, 0)`,
          );
          for (const [seq, state, resultId, reason, code] of BEFORE) {
            await execute(
              m,
              "INSERT INTO batch_items (batch_pk, seq, ref_id, row, input, state, result_id, reason, code, deferred) VALUES (7, ?, ?, ?, '{}', ?, ?, ?, ?, 0)",
              [seq, `r-${seq}`, seq + 2, state, resultId, reason, code],
            );
          }
          await new BatchOutcomes1765700000000().up(m.queryRunner!);
        });
        const recorded = BEFORE.filter(([, state]) => state !== 'pending').map(([seq, state, resultId, reason, code]) => ({
          seq,
          state,
          refId: `r-${seq}`,
          row: seq + 2,
          resultId,
          reason,
          code,
        }));
        expect(await database.read((m) => select(m, OUTCOMES, []))).toEqual(recorded);
        const columns = await database.read((m) => select<Record<string, unknown>>(m, 'SELECT * FROM batch_items WHERE seq = 0', []));
        expect(Object.keys(columns[0]!).sort()).toEqual(['batch_pk', 'deferred', 'input', 'ref_id', 'row', 'seq']);

        const found = await new TypeOrmBatchRepository(database).findStatus(
          { tenantId: 'acme', batchId: 'b7' as BatchId, kind: 'container', targetType: 'bag' },
          10,
        );
        expect(found?.successes.map((s) => [s.refId, s.resultId])).toEqual([
          ['r-0', 'bag:a'],
          ['r-3', 'bag:b'],
        ]);
        expect(found?.failures.map((f) => [f.refId, f.code])).toEqual([['r-1', 'TRACKING_ID_TAKEN']]);

        await database.write((m) => new BatchOutcomes1765700000000().down(m.queryRunner!));
        const items = await database.read((m) => select(m, 'SELECT seq, state, result_id AS "resultId", reason, code FROM batch_items ORDER BY seq', []));
        expect(items).toEqual(BEFORE.map(([seq, state, resultId, reason, code]) => ({ seq, state, resultId, reason, code })));
        await database.write((m) => new BatchOutcomes1765700000000().up(m.queryRunner!));
      } finally {
        await database.close();
      }
    });
  });
}

migrationSuite('a SQLite file', sqliteScratch('cs-outcomes-up').url);
if (requirePostgres()) {
  const postgres = postgresScratch('cs_outcomes_up');
  migrationSuite('PostgreSQL', () => postgres.migrated());
}
