// In-memory fakes, builders and the shared repository contract for container types.
export { InMemoryContainerTypeRepository } from './in-memory-container-type.repository';
export { T0, aContainerType } from './builders';
export { describeContainerTypeRepositoryContract } from './container-type-repository.contract';
export type { ContainerTypeRepositoryFixture } from './container-type-repository.contract';
export { InMemoryContainerStore } from './in-memory-container.store';
// The Result helpers of the batch domain, so that container tests read results the same way.
export { expectErr, expectOk } from '@container-service/batch-domain/testing';
