// Container batches as the batch domain sees them: the kind they record, so that a store shared
// with other domains keeps them apart, and the scope the batch use cases serve for container routes
// (with the keys an item claims, so that conflicts within a batch keep their input order).
import { BatchScope } from '@container-service/batch-domain';
import { containerTypeNameRule } from './container-type';
import { containerConflictKeys } from './container-conflict-keys';

export const CONTAINER_BATCH_KIND = 'container';

/** Container batches: their kind, the rule for type names, and the keys whose conflicts are decided in input order. */
export const containerBatchScope: BatchScope = { kind: CONTAINER_BATCH_KIND, targetType: containerTypeNameRule, conflictKeys: containerConflictKeys };
