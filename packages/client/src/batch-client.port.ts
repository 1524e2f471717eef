// What the typed client offers (BatchClient) and the options of its calls; batch-client.ts
// implements it over openapi-fetch, and the helpers (waiting, paging, events, uploads) take it.
import type { Readable } from 'node:stream';
import type {
  AttributeConfig,
  AttributesConfig,
  AttributesReplaced,
  BatchListPage,
  BatchResponse,
  BatchStatus,
  Callback,
  ContainerType,
  ContainerTypePage,
  CreateBatchBody,
  CreateContainerType,
  Operation,
  OutcomeFilter,
  ResultPage,
  UpdateBatchBody,
} from './types';

export interface BatchClientOptions {
  /** Where the service listens, e.g. `http://localhost:3000` (the API paths are appended). */
  readonly baseUrl: string;
  /** Sent as `X-COREOS-TID`. */
  readonly tenant: string;
  /** Sent as `X-COREOS-ACCESS`. */
  readonly token: string;
  /** Sent as `X-COREOS-REQUEST-ID` on every call; a fresh UUID per call when absent. */
  readonly requestId?: string;
  /** Sent as `X-COREOS-USERINFO` when given: who acts (recorded as createdBy/updatedBy). */
  readonly userInfo?: string;
  /** Replaces the global fetch (tests, proxies). */
  readonly fetch?: typeof fetch;
}

export interface SubmitOptions {
  /** `Idempotency-Key` (contract §7): a repeated submit with the same key answers the first batch. */
  readonly idempotencyKey?: string;
  /** `X-COREOS-CALLBACK-SECRET`: signs this batch's callback (contract §5). */
  readonly callbackSecret?: string;
}

export interface UploadOptions extends SubmitOptions {
  /** The file name the service records (shown in its logs); `upload.csv` when absent. */
  readonly fileName?: string;
  readonly callback?: Callback;
  readonly signal?: AbortSignal;
}

/** A file to stream: its size (the request says its length up front) and how to read it. */
export interface UploadSource {
  readonly size: number;
  readonly open: () => Readable;
}

export interface PageOptions {
  readonly limit?: number;
  readonly cursor?: string;
}

export interface BatchClient {
  readonly baseUrl: string;
  readonly tenant: string;
  createType(body: CreateContainerType): Promise<{ id: string }>;
  getType(name: string): Promise<ContainerType>;
  listTypes(page?: PageOptions): Promise<ContainerTypePage>;
  getAttributes(name: string): Promise<AttributesConfig>;
  replaceAttributes(name: string, attributes: AttributeConfig[]): Promise<AttributesReplaced>;
  /** Submits a JSON batch; answers the new batch id. */
  submit(containerType: string, operation: 'create', body: CreateBatchBody, options?: SubmitOptions): Promise<string>;
  submit(containerType: string, operation: 'update', body: UpdateBatchBody, options?: SubmitOptions): Promise<string>;
  /** Uploads a CSV file held in memory as a batch; answers the new batch id. See uploadFile() for a file on disk. */
  upload(containerType: string, operation: Operation, file: Blob, options?: UploadOptions): Promise<string>;
  /** Uploads a CSV file read from `source` as it is sent (backpressure, constant memory); answers the new batch id. */
  uploadStream(containerType: string, operation: Operation, source: UploadSource, options?: UploadOptions): Promise<string>;
  /** The batch's status; with `wait` (1..30 s) the answer comes when it finishes or after that long. */
  status(containerType: string, batchId: string, options?: { wait?: number; signal?: AbortSignal }): Promise<BatchResponse>;
  results(containerType: string, batchId: string, options?: PageOptions & { outcome?: OutcomeFilter }): Promise<ResultPage>;
  /** The results as CSV (for `failed`: the input columns plus `reason`, ready to fix and upload again), as a byte stream. */
  resultsCsv(containerType: string, batchId: string, options?: { outcome?: OutcomeFilter }): Promise<ReadableStream<Uint8Array>>;
  /** The CSV header (and one example row) a file for this type needs. */
  template(containerType: string, operation: Operation): Promise<string>;
  cancel(containerType: string, batchId: string): Promise<BatchResponse>;
  /** A new batch of the failed items of a finished one; answers its id. */
  retry(containerType: string, batchId: string): Promise<string>;
  list(containerType: string, options?: PageOptions & { status?: BatchStatus }): Promise<BatchListPage>;
  /** The raw server-sent event stream of a batch (contract §3.2); batchEvents() parses it. */
  eventStream(containerType: string, batchId: string, options?: { signal?: AbortSignal; lastEventId?: string }): Promise<ReadableStream<Uint8Array>>;
}
