// The checks every batch use case starts with, in the contract's order: the caller's token for
// the tenant, then the target type name, then (for one batch) its id. A service's batch use cases
// serve batches of one kind (BatchScope): what they find is always of that kind.
import { ConflictKeys } from './conflict-watch';
import { parseBatchId } from './batch-id';
import { BatchLocator } from './batch-repository.port';
import { AccessVerifier } from './ports';
import { Result, domainError, err, ok } from './result';
import { BatchError } from './batch-errors';

/** How target type names look to the service reusing this use case; anything else is a bad request. */
export interface TargetTypeRule {
  /** The name of the parameter that carries the type, as clients know it. */
  readonly parameter: string;
  /** What a valid name looks like, in words, for error messages. */
  readonly description: string;
  readonly test: (name: string) => boolean;
}

/** What one service's batch use cases serve: batches of one kind, under target type names of one rule. */
export interface BatchScope {
  /** The kind every batch they submit records, and the only kind they read or command. */
  readonly kind: string;
  readonly targetType: TargetTypeRule;
  /**
   * The keys an item of this kind claims (see ConflictWatch), so that conflicts within a batch are
   * decided in input order however its parts are shared out. Without it, no item is deferred.
   */
  readonly conflictKeys?: ConflictKeys;
}

/** Refuses a target type name that breaks the rule, naming the parameter. */
export function checkTargetTypeName(rule: TargetTypeRule, name: string): Result<string, BatchError<'VALIDATION_FAILED'>> {
  if (rule.test(name)) return ok(name);
  return err(domainError('VALIDATION_FAILED', `${rule.parameter} ${rule.description}.`, [{ path: rule.parameter, message: rule.description }]));
}

export interface TargetInput {
  readonly accessToken: string | undefined;
  readonly tenantId: string;
  readonly targetType: string;
}

/** The caller's tenant, once the token holds for it and the target type name is well formed. */
export async function authorizeTarget(
  access: AccessVerifier,
  rule: TargetTypeRule,
  input: TargetInput,
): Promise<Result<string, BatchError<'UNAUTHORIZED' | 'VALIDATION_FAILED'>>> {
  const principal = await access.verify(input.accessToken, input.tenantId);
  if (!principal.ok) return principal;
  const type = checkTargetTypeName(rule, input.targetType);
  if (!type.ok) return type;
  return ok(principal.value.tenantId);
}

/** Where one batch of the caller's would be, once the token, the type name and the batch id are good. */
export async function locateBatch(
  access: AccessVerifier,
  scope: BatchScope,
  input: TargetInput & { readonly batchId: unknown },
): Promise<Result<BatchLocator, BatchError<'UNAUTHORIZED' | 'VALIDATION_FAILED' | 'INVALID_BATCH_ID'>>> {
  const tenantId = await authorizeTarget(access, scope.targetType, input);
  if (!tenantId.ok) return tenantId;
  const batchId = parseBatchId(input.batchId);
  if (!batchId.ok) return batchId;
  return ok({ tenantId: tenantId.value, kind: scope.kind, targetType: input.targetType, batchId: batchId.value });
}

/** A batch this tenant does not have under this type: indistinguishable from one that never was. */
export const batchNotFound = (locator: BatchLocator) =>
  domainError('BATCH_NOT_FOUND', `No batch ${locator.batchId} of type '${locator.targetType}' exists for this tenant.`);
