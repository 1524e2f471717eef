// What a submit stores beside the batch, inside the caller's transaction: the idempotency key that
// makes a repeated request a replay, and the callback target the outbox later calls.
import { Batch, SecretSealer, Submission, SubmitExtras, SubmitOutcome } from '@container-service/batch-domain';
import { EntityManager } from 'typeorm';
import { SubmitKeySchema } from './schemas/submit-key.schema';
import { BatchCallbackSchema } from './schemas/batch-callback.schema';

/** Claims the submission's key for `batch` inside the caller's transaction, or says why not. */
export async function claimSubmission(manager: EntityManager, batch: Batch, submission: Submission | undefined): Promise<SubmitOutcome> {
  if (!submission) return { kind: 'stored' };
  const held = await manager.findOne(SubmitKeySchema, { where: { tenantId: batch.tenantId, requestId: submission.key } });
  if (held) return held.fingerprint === submission.fingerprint ? { kind: 'replayed', batchId: held.batchId as Batch['id'] } : { kind: 'conflict' };
  await manager.insert(SubmitKeySchema, { tenantId: batch.tenantId, requestId: submission.key, fingerprint: submission.fingerprint, batchId: batch.id, createdAt: batch.toSnapshot().createdAt });
  return { kind: 'stored' };
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
