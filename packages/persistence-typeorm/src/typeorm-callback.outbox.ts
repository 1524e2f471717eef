// CallbackOutbox over TypeORM: finished batches whose callback waits are claimed under a short
// lease (so that two workers never send the same try), and each try is recorded with the batch's
// callback state in one write.
import { Batch, BatchLocator, CallbackAttempt, CallbackOutbox, DueCallback } from '@container-service/batch-domain';
import { fromBatchRow } from './batch.mapper';
import { Database } from './database';
import { BatchCallbackRow, BatchCallbackSchema } from './schemas/batch-callback.schema';
import { BatchRow, BatchSchema } from './schemas/batch.schema';

type DueRow = Pick<BatchRow, 'pk' | 'tenantId' | 'targetType' | 'id' | 'callbackAttempts'> & Pick<BatchCallbackRow, 'url' | 'meta' | 'secret' | 'requestId'>;

export class TypeOrmCallbackOutbox implements CallbackOutbox {
  constructor(private readonly database: Database) {}

  claimDue(owner: string, now: number, leaseUntil: number, limit: number): Promise<DueCallback[]> {
    return this.database.write(async (manager) => {
      const rows = await manager
        .createQueryBuilder()
        .select(['b.pk AS pk', 'b.tenant_id AS "tenantId"', 'b.target_type AS "targetType"', 'b.id AS id', 'b.callback_attempts AS "callbackAttempts"'])
        .addSelect(['c.url AS url', 'c.meta AS meta', 'c.secret AS secret', 'c.request_id AS "requestId"'])
        .from(BatchSchema, 'b')
        .innerJoin(BatchCallbackSchema.options.name, 'c', 'c.batch_pk = b.pk')
        .where("b.callback_state = 'PENDING' AND b.completed_at IS NOT NULL")
        .andWhere('(c.next_attempt_at IS NULL OR c.next_attempt_at <= :now)', { now })
        .andWhere('(c.lease_expires_at IS NULL OR c.lease_expires_at <= :now)', { now })
        .orderBy('b.completed_at', 'ASC')
        .limit(limit)
        .getRawMany<DueRow>();
      for (const row of rows) await manager.update(BatchCallbackSchema, { batchPk: row.pk }, { leaseOwner: owner, leaseExpiresAt: leaseUntil });
      return rows.map((row) => ({
        locator: { tenantId: row.tenantId, targetType: row.targetType, batchId: row.id as Batch['id'] },
        target: { url: row.url, meta: row.meta === null ? null : (JSON.parse(row.meta) as unknown), secret: row.secret, requestId: row.requestId },
        attempts: row.callbackAttempts,
      }));
    });
  }

  async recordAttempt(locator: BatchLocator, attempt: CallbackAttempt): Promise<void> {
    await this.database.write(async (manager) => {
      const row = await manager.findOne(BatchSchema, { where: { tenantId: locator.tenantId, id: locator.batchId, targetType: locator.targetType } });
      if (row === null) return; // purged meanwhile
      const batch = fromBatchRow(row);
      batch.recordCallbackAttempt(attempt.delivered, attempt.maxAttempts);
      const snapshot = batch.toSnapshot();
      await manager.update(BatchSchema, { pk: row.pk }, { callbackState: snapshot.callbackState, callbackAttempts: snapshot.callbackAttempts });
      await manager.update(
        BatchCallbackSchema,
        { batchPk: row.pk },
        { nextAttemptAt: snapshot.callbackState === 'PENDING' ? attempt.nextAttemptAt : null, lastError: attempt.error, leaseOwner: null, leaseExpiresAt: null },
      );
    });
  }
}
