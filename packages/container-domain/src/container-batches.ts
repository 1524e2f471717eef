// Container batches as the batch domain sees them: the kind they record, so that a store shared
// with other domains keeps them apart, and the scope the batch use cases serve for container routes.
import { BatchScope } from '@container-service/batch-domain';
import { containerTypeNameRule } from './container-type';

export const CONTAINER_BATCH_KIND = 'container';

export const containerBatchScope: BatchScope = { kind: CONTAINER_BATCH_KIND, targetType: containerTypeNameRule };
