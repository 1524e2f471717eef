// In-memory fakes, builders and the shared contracts for container types and container storage.
export { InMemoryContainerTypeRepository } from './in-memory-container-type.repository';
export { aContainer, aContainerType } from './builders';
export { describeContainerTypeRepositoryContract } from './container-type-repository.contract';
export type { ContainerTypeRepositoryFixture } from './container-type-repository.contract';
export { InMemoryContainerStore } from './in-memory-container.store';
export { describeContainerStoreContract } from './container-store.contract';
export type { ContainerStoreFixture } from './container-store.contract';
// The Result helpers of the batch domain, so that container tests read results the same way.
export { expectErr, expectOk } from '@container-service/batch-domain/testing';
