import { InMemoryContainerTypeRepository, describeContainerTypeRepositoryContract } from './testing';

describeContainerTypeRepositoryContract('InMemoryContainerTypeRepository', async () => ({ repository: new InMemoryContainerTypeRepository() }));
