// Rows of submit_keys: the idempotency key of a stored submit.
import { EntitySchema } from 'typeorm';
import { epochMs } from './epoch-ms.transformer';

export interface SubmitKeyRow {
  tenantId: string;
  requestId: string;
  fingerprint: string;
  batchId: string;
  createdAt: number;
}

export const SubmitKeySchema = new EntitySchema<SubmitKeyRow>({
  name: 'SubmitKey',
  tableName: 'submit_keys',
  columns: {
    tenantId: { name: 'tenant_id', type: 'varchar', length: 64, primary: true },
    requestId: { name: 'request_id', type: 'varchar', length: 128, primary: true },
    fingerprint: { type: 'varchar', length: 128 },
    batchId: { name: 'batch_id', type: 'varchar', length: 64 },
    createdAt: { name: 'created_at', type: 'bigint', transformer: epochMs },
  },
});
