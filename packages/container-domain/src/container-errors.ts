// Every code the container domain answers an expected failure with; the app maps each one to its
// protocol in one place, so that a new code does not compile until it is mapped.
import type { DomainError } from '@container-service/batch-domain';

export type ContainerErrorCode = 'UNAUTHORIZED' | 'VALIDATION_FAILED' | 'CONTAINER_TYPE_EXISTS' | 'CONTAINER_TYPE_NOT_FOUND' | 'CONTAINER_NOT_FOUND';

/** An expected failure of the container domain, narrowed to the codes a use case can answer. */
export type ContainerError<C extends ContainerErrorCode = ContainerErrorCode> = DomainError<C>;
