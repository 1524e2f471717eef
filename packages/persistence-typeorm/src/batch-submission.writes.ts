// What a submit stores beside the batch, inside the caller's transaction: the idempotency key that
// makes a repeated request a replay, and the callback target the outbox later calls. Writers
// assumed: any number, in any process, with atomic transactions that may interleave (ADR 0016).
import { Batch, SecretSealer, Submission, SubmitExtras, SubmitOutcome } from '@container-service/batch-domain';
import { EntityManager } from 'typeorm';
import { SubmitKeySchema } from './schemas/submit-key.schema';
import { BatchCallbackSchema } from './schemas/batch-callback.schema';
import { execute } from './sql';

const CLAIM_KEY = `INSERT INTO submit_keys (tenant_id, request_id, fingerprint, batch_id, created_at) VALUES (?, ?, ?, ?, ?)
  ON CONFLICT (tenant_id, request_id) DO NOTHING`;

/**
 * Claims the submission's key for `batch` inside the caller's transaction, or says why not. One
 * conditional insert decides, not a read and then a write: of two submits under one key racing
 * each other, whatever their transactions' isolation, one stores its batch and the other reads
 * the key the first one committed and is answered replayed or conflict (ADR 0016).
 */
export async function claimSubmission(manager: EntityManager, batch: Batch, submission: Submission | undefined): Promise<SubmitOutcome> {
  if (!submission) return { kind: 'stored' };
  const claimed = await execute(manager, CLAIM_KEY, [batch.tenantId, submission.key, submission.fingerprint, batch.id, batch.toSnapshot().createdAt]);
  if (claimed === 1) return { kind: 'stored' };
  const held = await manager.findOne(SubmitKeySchema, { where: { tenantId: batch.tenantId, requestId: submission.key } });
  // The insert found the key, so it is there: purges take keys far older than any submit in flight.
  if (!held) throw new Error(`Submission key ${submission.key} was held and is gone`);
  return held.fingerprint === submission.fingerprint ? { kind: 'replayed', batchId: held.batchId as Batch['id'] } : { kind: 'conflict' };
}

/** Stores the batch's callback target, if it has one, inside the caller's transaction. */
export async function storeCallback(manager: EntityManager, batchPk: number, extras: SubmitExtras, secrets: SecretSealer | null): Promise<void> {
  const callback = extras.callback;
  if (!callback) return;
  await manager.insert(BatchCallbackSchema, {
    batchPk,
    url: callback.url,
    meta: callback.meta === undefined || callback.meta === null ? null : JSON.stringify(callback.meta),
    secret: callback.secret === null || secrets === null ? callback.secret : secrets.seal(callback.secret),
    requestId: callback.requestId,
    nextAttemptAt: null,
    lastError: null,
    leaseOwner: null,
    leaseExpiresAt: null,
  });
}
