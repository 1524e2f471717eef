// In-memory fakes, builders and the shared repository contract, for tests of this package and its users.
export { InMemoryBatchRepository } from './in-memory-batch.repository';
export type { InMemoryTx } from './in-memory-batch.repository';
export { FixedClock, SequentialIdGenerator, StaticAccessVerifier } from './fakes';
export { A_KIND, T0, aBatch, aBatchId, aLocator, leaseOn, outcomesFor, someItems, storeBatch } from './builders';
export type { BatchSeeder } from './batch-seeder';
export { describeBatchRepositoryContract } from './batch-repository.contract';
export type { RepositoryFixture } from './batch-repository.contract';
export { describeBatchClaimContract } from './batch-claim.contract';
export type { ClaimFixture } from './batch-claim.contract';
export { describeBatchProcessingContract } from './batch-processing.contract';
export type { ProcessingFixture } from './batch-processing.contract';
export { describeBatchBacklogContract } from './batch-backlog.contract';
export type { BacklogFixture } from './batch-backlog.contract';
export { aCallbackTarget, describeCallbackOutboxContract } from './callback-outbox.contract';
export type { OutboxFixture } from './callback-outbox.contract';
export { expectErr, expectOk } from './results';
