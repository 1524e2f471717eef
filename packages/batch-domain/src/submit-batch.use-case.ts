// SubmitBatch: checks a whole request (item count, every item's reference present and unique),
// then the target type, then stores the batch and all its items atomically. Nothing is stored
// when any whole-request rule is broken; every broken rule is listed.
import { Actor, Batch, BatchOperation, BatchSource } from './batch';
import { BatchId, batchIdFromUuid } from './batch-id';
import { NewBatchItem } from './batch-item';
import { BatchWrites, Submission, SubmitOutcome } from './batch-repository.port';
import type { CallbackTarget } from './callback';
import { AccessVerifier, Clock, IdGenerator } from './ports';
import { Result, Violation, domainError, err, ok } from './result';
import { BatchScope, authorizeTarget } from './batch-access';
import { BatchError } from './batch-errors';
import { ConflictWatch } from './conflict-watch';
import { NOT_PLAIN_TEXT, isPlainText } from './plain-text';

export const MAX_REPORTED_VIOLATIONS = 100;

/** Tells whether a tenant has a target type. */
export interface TargetTypeDirectory {
  exists(tenantId: string, name: string): Promise<boolean>;
}

export interface SubmitBatchOptions extends BatchScope {
  readonly maxItems: number;
  /** The field that holds each item's reference, per operation (e.g. refID for creates). */
  readonly referenceField: Readonly<Record<BatchOperation, string>>;
  /** Keeps the fields of an item that are stored; unknown fields are dropped. */
  readonly cleanItem?: (operation: BatchOperation, item: Record<string, unknown>) => unknown;
}

export interface SubmitBatchInput {
  readonly accessToken: string | undefined;
  readonly tenantId: string;
  readonly targetType: string;
  readonly operation: BatchOperation;
  readonly source: BatchSource;
  readonly payload: unknown;
  readonly actor: Actor | null;
  /** Makes the submit idempotent: a repeat with the same key and fingerprint answers the same batch. */
  readonly submission?: Submission;
  /** Where to announce the batch once it is finished. */
  readonly callback?: CallbackTarget;
  /**
   * Whole-request violations the caller found in what it reads itself (the callback, names given
   * by position): listed first with the payload's, so that one answer names every one, and
   * nothing is stored. One of a path replaces the payload check's own of that path.
   */
  readonly violations?: readonly Violation[];
}

/** The batch that answers a submit; `replayed` when an earlier submit with the same key stored it. */
export interface SubmittedBatch {
  readonly batchId: BatchId;
  readonly replayed: boolean;
}

export type SubmitBatchError = BatchError<'UNAUTHORIZED' | 'VALIDATION_FAILED' | 'TARGET_TYPE_NOT_FOUND' | 'IDEMPOTENCY_KEY_REUSED'>;

export class SubmitBatch {
  constructor(
    private readonly batches: BatchWrites,
    private readonly targetTypes: TargetTypeDirectory,
    private readonly access: AccessVerifier,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
    private readonly options: SubmitBatchOptions,
  ) {}

  async execute(input: SubmitBatchInput): Promise<Result<SubmittedBatch, SubmitBatchError>> {
    const rule = this.options.targetType;
    const tenantId = await authorizeTarget(this.access, rule, input);
    if (!tenantId.ok) return tenantId;
    const items = this.checkPayload(input.operation, input.payload, input.violations ?? []);
    if (!items.ok) return items;
    if (!(await this.targetTypes.exists(tenantId.value, input.targetType))) {
      return err(domainError('TARGET_TYPE_NOT_FOUND', `No ${rule.parameter} '${input.targetType}' exists for this tenant.`));
    }
    const batchId = batchIdFromUuid(this.ids.uuid());
    const batch = Batch.submit(
      {
        id: batchId,
        tenantId: tenantId.value,
        kind: this.options.kind,
        targetType: input.targetType,
        operation: input.operation,
        source: input.source,
        total: items.value.length,
        createdBy: input.actor,
        hasCallback: input.callback !== undefined,
      },
      this.clock.now(),
    );
    if (!batch.ok) return batch;
    const extras = { ...(input.submission ? { submission: input.submission } : {}), ...(input.callback ? { callback: input.callback } : {}) };
    return answer(await this.batches.add(batch.value, items.value, extras), batchId);
  }

  private checkPayload(operation: BatchOperation, payload: unknown, found: readonly Violation[]): Result<NewBatchItem[], BatchError<'VALIDATION_FAILED'>> {
    // The caller's violation of a path says more than this check's of the same path (a name given
    // by position against a plain repeat): it replaces it.
    const foundPaths = new Set(found.map((v) => v.path));
    const refused = (violations: Violation[]) =>
      err(
        domainError(
          'VALIDATION_FAILED',
          'The batch breaks some rules; nothing was stored.',
          [...found, ...violations.filter((v) => !foundPaths.has(v.path))].slice(0, MAX_REPORTED_VIOLATIONS),
        ),
      );
    const { maxItems } = this.options;
    if (!Array.isArray(payload)) return refused([{ path: 'payload', message: `must be an array of 1 to ${maxItems} items` }]);
    if (payload.length === 0 || payload.length > maxItems) {
      return refused([{ path: 'payload', message: `must hold 1 to ${maxItems} items; it holds ${payload.length}` }]);
    }
    const field = this.options.referenceField[operation];
    const violations: Violation[] = [];
    const firstSeen = new Map<string, number>();
    const items: NewBatchItem[] = [];
    const conflicts = new ConflictWatch(this.options.conflictKeys, operation);
    payload.forEach((item, i) => {
      const at = `payload[${i}]`;
      if (typeof item !== 'object' || item === null || Array.isArray(item)) {
        violations.push({ path: at, message: 'must be an object' });
        return;
      }
      const record = item as Record<string, unknown>;
      const ref = Object.prototype.hasOwnProperty.call(record, field) ? record[field] : undefined;
      if (typeof ref !== 'string' || ref.length < 1 || ref.length > 128) {
        violations.push({ path: `${at}.${field}`, message: 'is required: a string of 1 to 128 characters' });
        return;
      }
      if (!isPlainText(ref)) {
        violations.push({ path: `${at}.${field}`, message: NOT_PLAIN_TEXT });
        return;
      }
      const earlier = firstSeen.get(ref);
      if (earlier !== undefined) {
        violations.push({ path: `${at}.${field}`, message: `repeats the ${field} of payload[${earlier}]` });
        return;
      }
      firstSeen.set(ref, i);
      items.push(conflicts.mark({ refId: ref, row: null, input: this.options.cleanItem ? this.options.cleanItem(operation, record) : record }));
    });
    return violations.length > 0 || found.length > 0 ? refused(violations) : ok(items);
  }
}

/** The answer to a submit once storing it was tried. */
export function answer(outcome: SubmitOutcome, batchId: BatchId): Result<SubmittedBatch, BatchError<'IDEMPOTENCY_KEY_REUSED'>> {
  if (outcome.kind === 'stored') return ok({ batchId, replayed: false });
  if (outcome.kind === 'replayed') return ok({ batchId: outcome.batchId, replayed: true });
  return err(domainError('IDEMPOTENCY_KEY_REUSED', 'This idempotency key was used before for a different request; use a new key for a new submit.'));
}
