// Retention: removing finished batches and old submit keys once they are past keeping, and
// intakes whose upload was abandoned. Each call is one bounded write, so a sweep interleaves with
// other writes instead of holding the writer for a whole batch.
import { LessThan } from 'typeorm';
import { Database } from './database';
import { BatchSchema } from './schemas/batch.schema';
import { SubmitKeySchema } from './schemas/submit-key.schema';
import { deleteItemsStep } from './batch-items.writes';
import { select } from './sql';

/** Removes up to `maxItems` items of one batch finished before `before`, and its row once empty. */
export async function purgeFinishedBatches(database: Database, before: number, maxItems: number): Promise<number> {
  return database.write(async (manager) => {
    const old = await manager.findOne(BatchSchema, { select: { pk: true }, where: { completedAt: LessThan(before), intakeOpen: 0 } });
    return old === null ? 0 : deleteItemsStep(manager, old.pk, maxItems);
  });
}

/** Removes up to `max` submit keys created before `before`. */
export async function purgeSubmissions(database: Database, before: number, max: number): Promise<number> {
  return database.write(async (manager) => {
    const old = await manager.find(SubmitKeySchema, { select: { tenantId: true, requestId: true }, where: { createdAt: LessThan(before) }, take: max });
    if (old.length === 0) return 0;
    const removed = await manager.delete(
      SubmitKeySchema,
      old.map((row) => ({ tenantId: row.tenantId, requestId: row.requestId })),
    );
    return removed.affected ?? old.length;
  });
}

/** An upload's intake whose lease ran out: read off ix_batches_open_intakes (its condition written as a literal, or no store would use it). */
export const ABANDONED_INTAKE = 'SELECT pk FROM batches WHERE intake_open = 1 AND lease_expires_at <= ? LIMIT 1';

/** Removes up to `maxItems` items of one intake whose lease ran out by `now`, and its row once empty. */
export async function purgeAbandonedIntakes(database: Database, now: number, maxItems: number): Promise<number> {
  return database.write(async (manager) => {
    const [abandoned] = await select<{ pk: number }>(manager, ABANDONED_INTAKE, [now]);
    if (abandoned === undefined) return 0;
    return deleteItemsStep(manager, abandoned.pk, maxItems);
  });
}
