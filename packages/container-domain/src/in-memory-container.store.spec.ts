// The container store contract on the in-memory fake, its writes joining the in-memory batch
// store's transaction as an item handler's do during processing.
import { InMemoryBatchRepository } from '@container-service/batch-domain/testing';
import { InMemoryContainerStore, describeContainerStoreContract } from './testing';

describeContainerStoreContract('in memory', async () => {
  const batches = new InMemoryBatchRepository();
  const containers = new InMemoryContainerStore();
  return {
    transaction: (work) => batches.transaction((tx) => work(containers.within(tx))),
    defineType: async (tenantId, name, isLeaf, attributes) => void containers.withType(tenantId, name, isLeaf, attributes),
  };
});
