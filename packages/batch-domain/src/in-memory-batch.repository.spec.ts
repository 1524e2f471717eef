import { InMemoryBatchRepository, describeBatchClaimContract, describeBatchRepositoryContract, describeCallbackOutboxContract } from './testing';

describeBatchRepositoryContract('in memory', async () => ({ repository: new InMemoryBatchRepository() }));
describeCallbackOutboxContract('in memory', async () => {
  const repository = new InMemoryBatchRepository();
  return { repository, outbox: repository };
});
describeBatchClaimContract('in memory', async () => {
  const repository = new InMemoryBatchRepository();
  return { repository, store: repository };
});
