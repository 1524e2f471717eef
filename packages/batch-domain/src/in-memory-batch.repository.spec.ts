import {
  InMemoryBatchRepository,
  describeBatchBacklogContract,
  describeBatchClaimContract,
  describeBatchRepositoryContract,
  describeCallbackOutboxContract,
} from './testing';

describeBatchRepositoryContract('in memory', async () => {
  const repository = new InMemoryBatchRepository();
  return { repository, seeder: repository };
});
describeCallbackOutboxContract('in memory', async () => {
  const repository = new InMemoryBatchRepository();
  return { repository, seeder: repository, outbox: repository };
});
describeBatchClaimContract('in memory', async () => {
  const repository = new InMemoryBatchRepository();
  return { repository, store: repository };
});
describeBatchBacklogContract('in memory', async () => {
  const repository = new InMemoryBatchRepository();
  return { backlog: repository, seeder: repository, repository };
});
