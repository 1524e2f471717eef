// Batch ids are `batch:<lower-case uuid>`; everything that accepts one from outside parses it here.
import { Result, domainError, err, ok } from './result';
import { BatchError } from './batch-errors';

const BATCH_ID = /^batch:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export type BatchId = string & { readonly __brand: 'BatchId' };

export function parseBatchId(raw: unknown): Result<BatchId, BatchError<'INVALID_BATCH_ID'>> {
  if (typeof raw !== 'string' || raw.length === 0) {
    return err(domainError('INVALID_BATCH_ID', 'A batch id is required, as batch:<uuid>.'));
  }
  if (raw.length > 64 || !BATCH_ID.test(raw)) {
    return err(domainError('INVALID_BATCH_ID', 'batchId must look like batch:<lower-case uuid>, for example batch:2b0c7e3a-5f7e-4c1e-9d3a-0b6a4f1c2d3e.'));
  }
  return ok(raw as BatchId);
}

/** Builds a batch id from a uuid made by an IdGenerator. */
export function batchIdFromUuid(uuid: string): BatchId {
  const parsed = parseBatchId(`batch:${uuid.toLowerCase()}`);
  if (!parsed.ok) throw new Error(`IdGenerator produced an invalid uuid: ${uuid}`);
  return parsed.value;
}
