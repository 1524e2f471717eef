import { InMemoryBatchRepository, describeBatchRepositoryContract } from './testing';

describeBatchRepositoryContract('InMemoryBatchRepository', async () => ({ repository: new InMemoryBatchRepository() }));
