// Rows of batch_callbacks: a batch's callback target and delivery schedule.
import { EntitySchema } from 'typeorm';
import { epochMs } from './epoch-ms.transformer';

export interface BatchCallbackRow {
  batchPk: number;
  url: string;
  meta: string | null;
  secret: string | null;
  requestId: string;
  nextAttemptAt: number | null;
  lastError: string | null;
  leaseOwner: string | null;
  leaseExpiresAt: number | null;
}

export const BatchCallbackSchema = new EntitySchema<BatchCallbackRow>({
  name: 'BatchCallback',
  tableName: 'batch_callbacks',
  columns: {
    batchPk: { name: 'batch_pk', type: 'integer', primary: true },
    url: { type: 'text' },
    meta: { type: 'text', nullable: true },
    secret: { type: 'text', nullable: true },
    requestId: { name: 'request_id', type: 'varchar', length: 128 },
    nextAttemptAt: { name: 'next_attempt_at', type: 'bigint', nullable: true, transformer: epochMs },
    lastError: { name: 'last_error', type: 'text', nullable: true },
    leaseOwner: { name: 'lease_owner', type: 'varchar', length: 64, nullable: true },
    leaseExpiresAt: { name: 'lease_expires_at', type: 'bigint', nullable: true, transformer: epochMs },
  },
});
