// Rows of the batches and batch_items tables, and their TypeORM schemas. Domain objects are
// never TypeORM entities: mappers translate between these rows and snapshots.
import { EntitySchema } from 'typeorm';
import { epochMs } from './epoch-ms.transformer';

export interface BatchRow {
  pk: number;
  tenantId: string;
  id: string;
  kind: string;
  targetType: string;
  operation: string;
  source: string;
  total: number;
  success: number;
  failed: number;
  cancelled: number;
  createdAt: number;
  startedAt: number | null;
  completedAt: number | null;
  cancelledAt: number | null;
  createdBy: string | null;
  parentBatchId: string | null;
  callbackState: string;
  callbackAttempts: number;
  columns: string | null;
  /** The rate window's marks (batch-progress.ts); all null until the first outcome, and in rows stored before them. */
  rateFromAt?: number | null;
  rateFromDone?: number | null;
  rateMarkAt?: number | null;
  rateMarkDone?: number | null;
  /** 1 while the batch is being received in parts: then no read or worker sees it. */
  intakeOpen?: number;
  /** Unused since claims moved to batch_parts (kept null). */
  leaseOwner?: string | null;
  /** While the intake is open: when it counts as abandoned. Null once committed. */
  leaseExpiresAt?: number | null;
}

/** An item as received: written once, at intake, and never changed (its outcome is a BatchOutcomeRow). */
export interface BatchItemRow {
  batchPk: number;
  seq: number;
  refId: string;
  row: number | null;
  input: string;
  /** 1 when the item claims a key an earlier item of its batch claims: it waits for the batch's tail. */
  deferred: number;
}

/** An item's outcome (BatchOutcomes1765700000000): an item without one is pending. */
export interface BatchOutcomeRow {
  batchPk: number;
  seq: number;
  /** success, failed or cancelled. */
  state: string;
  /** The item's, copied. */
  refId: string;
  row: number | null;
  resultId: string | null;
  reason: string | null;
  code: string | null;
}

export const BatchSchema = new EntitySchema<BatchRow>({
  name: 'Batch',
  tableName: 'batches',
  columns: {
    pk: { type: 'integer', primary: true, generated: 'increment' },
    tenantId: { name: 'tenant_id', type: 'varchar', length: 64 },
    id: { type: 'varchar', length: 64 },
    kind: { type: 'varchar', length: 32 },
    targetType: { name: 'target_type', type: 'varchar', length: 64 },
    operation: { type: 'varchar', length: 16 },
    source: { type: 'varchar', length: 16 },
    total: { type: 'integer' },
    success: { type: 'integer' },
    failed: { type: 'integer' },
    cancelled: { type: 'integer' },
    createdAt: { name: 'created_at', type: 'bigint', transformer: epochMs },
    startedAt: { name: 'started_at', type: 'bigint', nullable: true, transformer: epochMs },
    completedAt: { name: 'completed_at', type: 'bigint', nullable: true, transformer: epochMs },
    cancelledAt: { name: 'cancelled_at', type: 'bigint', nullable: true, transformer: epochMs },
    createdBy: { name: 'created_by', type: 'text', nullable: true },
    parentBatchId: { name: 'parent_batch_id', type: 'varchar', length: 64, nullable: true },
    callbackState: { name: 'callback_state', type: 'varchar', length: 16 },
    callbackAttempts: { name: 'callback_attempts', type: 'integer' },
    columns: { type: 'text', nullable: true },
    rateFromAt: { name: 'rate_from_at', type: 'bigint', nullable: true, transformer: epochMs },
    rateFromDone: { name: 'rate_from_done', type: 'integer', nullable: true },
    rateMarkAt: { name: 'rate_mark_at', type: 'bigint', nullable: true, transformer: epochMs },
    rateMarkDone: { name: 'rate_mark_done', type: 'integer', nullable: true },
    intakeOpen: { name: 'intake_open', type: 'integer', default: 0 },
    leaseOwner: { name: 'lease_owner', type: 'varchar', length: 64, nullable: true },
    leaseExpiresAt: { name: 'lease_expires_at', type: 'bigint', nullable: true, transformer: epochMs },
  },
});

export const BatchItemSchema = new EntitySchema<BatchItemRow>({
  name: 'BatchItem',
  tableName: 'batch_items',
  columns: {
    batchPk: { name: 'batch_pk', type: 'integer', primary: true },
    seq: { type: 'integer', primary: true },
    refId: { name: 'ref_id', type: 'varchar', length: 128 },
    row: { type: 'integer', nullable: true },
    input: { type: 'text' },
    deferred: { type: 'integer', default: 0 },
  },
});

export const BatchOutcomeSchema = new EntitySchema<BatchOutcomeRow>({
  name: 'BatchOutcome',
  tableName: 'batch_outcomes',
  columns: {
    batchPk: { name: 'batch_pk', type: 'integer', primary: true },
    seq: { type: 'integer', primary: true },
    state: { type: 'varchar', length: 16 },
    refId: { name: 'ref_id', type: 'varchar', length: 128 },
    row: { type: 'integer', nullable: true },
    resultId: { name: 'result_id', type: 'varchar', length: 256, nullable: true },
    reason: { type: 'text', nullable: true },
    code: { type: 'varchar', length: 64, nullable: true },
  },
});

/** A part of an unfinished batch with work left, and the lease a worker holds on it (BatchParts1765200000000). */
export interface BatchPartRow {
  pk: number;
  batchPk: number;
  part: number;
  tail: number;
  leaseOwner: string | null;
  leaseExpiresAt: number | null;
}

export const BatchPartSchema = new EntitySchema<BatchPartRow>({
  name: 'BatchPart',
  tableName: 'batch_parts',
  columns: {
    pk: { type: 'integer', primary: true, generated: 'increment' },
    batchPk: { name: 'batch_pk', type: 'integer' },
    part: { type: 'integer' },
    tail: { type: 'integer', default: 0 },
    leaseOwner: { name: 'lease_owner', type: 'varchar', length: 64, nullable: true },
    leaseExpiresAt: { name: 'lease_expires_at', type: 'bigint', nullable: true, transformer: epochMs },
  },
  indices: [{ name: 'ux_batch_parts_batch_part', columns: ['batchPk', 'part'], unique: true }],
});
