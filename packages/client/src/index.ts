// The typed client of the Container Service batch API (@container-service/client).
export { ApiError, ConnectionError } from './api-error';
export type { ApiErrorCode, ErrorBody } from './api-error';
export { createBatchClient } from './batch-client';
export type { BatchClient, BatchClientOptions, PageOptions, SubmitOptions, UploadOptions, UploadSource } from './batch-client';
export type * from './types';
export { FINAL_STATUSES, isFinished } from './types';
export type { paths, components } from './generated/openapi';
export { allResults } from './all-results';
export type { AllResultsOptions } from './all-results';
export { batchEvents } from './batch-events';
export type { BatchEvent, BatchEventsOptions } from './batch-events';
export { parseEventStream } from './event-stream-parser';
export type { ServerSentEvent } from './event-stream-parser';
export { uploadFile } from './upload-file';
export { waitForBatch } from './wait-for-batch';
export type { WaitOptions } from './wait-for-batch';
