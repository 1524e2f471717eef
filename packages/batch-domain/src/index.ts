// Public entry of the batch domain: generic batch processing, reusable by any service that
// applies many items of one kind to one target type.
export { ok, err, domainError } from './result';
export type { Result, Violation, DomainError } from './result';
export type { BatchError, BatchErrorCode } from './batch-errors';
export { encodeCursor, parsePage } from './paging';
export type { CursorFormat, PageLimit, PageParse, PageRequest } from './paging';
export { batchIdFromUuid } from './batch-id';
export type { BatchId } from './batch-id';
export { BATCH_STATUSES, Batch } from './batch';
export { RATE_WINDOW_MS, batchProgress, nextRateWindow } from './batch-progress';
export type { BatchProgress, ProgressFacts, RateWindow } from './batch-progress';
export type { Actor, BatchCounts, BatchOperation, BatchSnapshot, BatchSource, BatchStatus, CallbackState, ItemOutcomeKind, SubmitBatchProps } from './batch';
export type { FailureResult, ItemOutcome, ItemResult, ItemState, NewBatchItem, SuccessResult } from './batch-item';
export type {
  Backlog,
  BatchBacklog,
  BatchIntake,
  BatchListQuery,
  BatchListScope,
  BatchLocator,
  BatchReads,
  BatchRetention,
  BatchStatusView,
  BatchWrites,
  DuplicateReference,
  IntakeDraft,
  ResultsPageQuery,
  Submission,
  SubmitExtras,
  SubmitOutcome,
} from './batch-repository.port';
export type { AccessVerifier, Clock, IdGenerator, Principal } from './ports';
export { GetBatchStatus, STATUS_LIST_LIMIT } from './get-batch-status.use-case';
export { batchNotFound, checkTargetTypeName } from './batch-access';
export { NOT_PLAIN_TEXT, asPlainText, clipText, isPlainText } from './plain-text';
export type { BatchScope, TargetTypeRule } from './batch-access';
export type { BatchStatusReport, GetBatchStatusError, GetBatchStatusInput, GetBatchStatusOptions } from './get-batch-status.use-case';
export { SubmitBatch, MAX_REPORTED_VIOLATIONS } from './submit-batch.use-case';
export type { SubmitBatchError, SubmitBatchInput, SubmitBatchOptions, SubmittedBatch, TargetTypeDirectory } from './submit-batch.use-case';
export { ProcessBatchChunk, DEFAULT_CHUNK_SIZE, PROCESSING_ERROR_REASON } from './process-batch-chunk.use-case';
export type { ChunkReport, FinishedBatch, ItemHandlers, UnexpectedFailure } from './process-batch-chunk.use-case';
export { ChunkSuperseded, ITEMS_PER_PART, PROCESSING_ERROR, PartPlan, StoreFailure, tailPart } from './batch-processing.port';
export { ConflictWatch, EXACT_KEYS, type ConflictKeys } from './conflict-watch';
export type { BatchContext, BatchLease, BatchProcessingStore, HandledOutcome, ItemHandler, PendingItem, RecordedChunk } from './batch-processing.port';
export { ListBatchResults, RESULTS_PAGE_LIMIT } from './list-batch-results.use-case';
export type { ListBatchResultsInput, ResultsPage } from './list-batch-results.use-case';
export { SubmitBatchFile } from './submit-batch-file.use-case';
export type {
  FileProblem,
  FileRecord,
  FileTarget,
  FinishError,
  SubmitBatchFileError,
  SubmitBatchFileInput,
  SubmitBatchFileOptions,
} from './submit-batch-file.use-case';
export { BATCH_LIST_LIMIT, CancelBatch, ListBatches, RetryBatch } from './batch-control.use-cases';
export type { BatchCommandInput, ListBatchesInput } from './batch-control.use-cases';
export { DeliverCallback, pickFairly } from './callback';
export type {
  CallbackAttempt,
  CallbackOutbox,
  CallbackPayloads,
  CallbackSender,
  CallbackShare,
  CallbackTarget,
  DeliverCallbackOptions,
  DueCallback,
  SecretSealer,
} from './callback';
export { MAYBE_HUGE_NUMBER, holdsInfinity, parseJsonText } from './json-text';
