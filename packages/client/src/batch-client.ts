// The typed client of the batch API: openapi-fetch over the paths generated from
// docs/openapi.json, plus what every call needs: the identity headers (security schemes in the
// document, which openapi-fetch leaves to the caller; a fresh request id per call), answers
// unwrapped from the `{data, request}` envelope, and errors as ApiError (an answer) or
// ConnectionError (none). Helpers that take several calls (waiting, paging,
// events, uploads from disk) live in their own files and take a BatchClient.
import { randomUUID } from 'node:crypto';
import createClient from 'openapi-fetch';
import { ApiError, ConnectionError } from './api-error';
import { sendMultipart } from './multipart-upload';
import type { operations, paths } from './generated/openapi';
import type {
  AttributeConfig,
  AttributesConfig,
  AttributesReplaced,
  BatchListPage,
  BatchResponse,
  BatchStatus,
  ContainerType,
  ContainerTypePage,
  CreateBatchBody,
  CreateContainerType,
  Operation,
  OutcomeFilter,
  ResultPage,
  UpdateBatchBody,
} from './types';
import type { BatchClient, BatchClientOptions, PageOptions, SubmitOptions, UploadOptions, UploadSource } from './batch-client.port';

export type { BatchClient, BatchClientOptions, PageOptions, SubmitOptions, UploadOptions, UploadSource } from './batch-client.port';

type Answer<D> = { data?: D; error?: unknown; response: Response };

export function createBatchClient(options: BatchClientOptions): BatchClient {
  return new OpenApiBatchClient(options);
}

class OpenApiBatchClient implements BatchClient {
  readonly baseUrl: string;
  readonly tenant: string;
  private readonly api;
  private readonly identity: Record<string, string>;

  constructor(private readonly options: BatchClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.tenant = options.tenant;
    this.identity = {
      'X-COREOS-TID': options.tenant,
      'X-COREOS-ACCESS': options.token,
      ...(options.userInfo === undefined ? {} : { 'X-COREOS-USERINFO': options.userInfo }),
    };
    // Answers are typed from their application/json content; the CSV and event-stream answers of
    // the routes that also have one are read with `parseAs: 'text' | 'stream'`.
    this.api = createClient<paths, 'application/json'>({
      baseUrl: this.baseUrl,
      headers: this.identity,
      ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
    });
  }

  async createType(body: CreateContainerType): Promise<{ id: string }> {
    const answer = await this.send((headers) => this.api.POST('/core/api/v2/containers/container-types', { body, headers }));
    return answer.data;
  }

  async getType(name: string): Promise<ContainerType> {
    const answer = await this.send((headers) => this.api.GET('/core/api/v2/containers/container-types/{name}', { params: { path: { name } }, headers }));
    return answer.data;
  }

  async listTypes(page: PageOptions = {}): Promise<ContainerTypePage> {
    const answer = await this.send((headers) => this.api.GET('/core/api/v2/containers/container-types', { params: { query: { ...page } }, headers }));
    return answer.data;
  }

  async getAttributes(name: string): Promise<AttributesConfig> {
    const answer = await this.send((headers) =>
      this.api.GET('/core/api/v2/containers/container-types/{name}/config/attributes', {
        params: { path: { name } },
        headers,
      }),
    );
    return answer.data;
  }

  async replaceAttributes(name: string, attributes: AttributeConfig[]): Promise<AttributesReplaced> {
    const answer = await this.send((headers) =>
      this.api.PUT('/core/api/v2/containers/container-types/{name}/config/attributes', {
        params: { path: { name } },
        body: { attributes },
        headers,
      }),
    );
    return answer.data;
  }

  submit(containerType: string, operation: 'create', body: CreateBatchBody, options?: SubmitOptions): Promise<string>;
  submit(containerType: string, operation: 'update', body: UpdateBatchBody, options?: SubmitOptions): Promise<string>;
  async submit(containerType: string, operation: Operation, body: CreateBatchBody | UpdateBatchBody, options: SubmitOptions = {}): Promise<string> {
    const path = '/core/api/v2/containers/{containerType}/batch';
    const params = { path: { containerType }, header: submitHeaders(options) };
    const answer = await this.send((headers) => {
      const init = { params, headers };
      return operation === 'create'
        ? this.api.POST(path, { ...init, body: body as CreateBatchBody })
        : this.api.PUT(path, { ...init, body: body as UpdateBatchBody });
    });
    return answer.data.id;
  }

  async upload(containerType: string, operation: Operation, file: Blob, options: UploadOptions = {}): Promise<string> {
    const path = '/core/api/v2/containers/{containerType}/batch/upload';
    const form = new FormData();
    // The callback first: the service reads the fields in any order, but then it is known before the file.
    if (options.callback !== undefined) form.append('callback', JSON.stringify(options.callback));
    form.append('file', file, options.fileName ?? 'upload.csv');
    const init = {
      params: { path: { containerType }, header: submitHeaders(options) },
      // The one cast left. The document's body is `{ file, callback? }` with `file` of format binary,
      // which openapi-typescript types as `string` (only its Node API, not the CLI the build runs,
      // can map binary to Blob), so no Blob, nor the FormData that carries it, fits the generated
      // type. openapi-fetch passes a FormData through as is, and fetch sets the multipart boundary.
      body: form as unknown as UploadBody,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    };
    const answer = await this.send((headers) => {
      const withHeaders = { ...init, headers };
      return operation === 'create' ? this.api.POST(path, withHeaders) : this.api.PUT(path, withHeaders);
    });
    return answer.data.id;
  }

  async uploadStream(containerType: string, operation: Operation, source: UploadSource, options: UploadOptions = {}): Promise<string> {
    const requestId = this.options.requestId ?? randomUUID();
    const url = new URL(`${this.baseUrl}/core/api/v2/containers/${encodeURIComponent(containerType)}/batch/upload`);
    let answer;
    try {
      answer = await sendMultipart({
        url,
        method: operation === 'create' ? 'POST' : 'PUT',
        headers: { ...this.identity, 'X-COREOS-REQUEST-ID': requestId, Accept: 'application/json', ...submitHeaders(options) },
        fields: options.callback === undefined ? [] : [{ name: 'callback', value: JSON.stringify(options.callback), contentType: 'application/json' }],
        file: { field: 'file', fileName: options.fileName ?? 'upload.csv', contentType: 'text/csv', ...source },
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      });
    } catch (error) {
      throw ConnectionError.from(this.baseUrl, error);
    }
    const body = parseJson(answer.text);
    if (answer.status < 200 || answer.status > 299) throw ApiError.fromAnswer(answer.status, body ?? answer.text, requestId);
    // The answer is the submit envelope of BatchSubmittedEnvelopeDto.
    const id = (body as { data?: { id?: unknown } } | null)?.data?.id;
    if (typeof id !== 'string') throw ApiError.fromAnswer(answer.status, answer.text, requestId);
    return id;
  }

  async status(containerType: string, batchId: string, options: { wait?: number; signal?: AbortSignal } = {}): Promise<BatchResponse> {
    const answer = await this.send((headers) =>
      this.api.GET('/core/api/v2/containers/{containerType}/batch/status', {
        params: { path: { containerType }, query: { batchId, ...(options.wait === undefined ? {} : { wait: options.wait }) } },
        headers,
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      }),
    );
    return answer.data;
  }

  async results(containerType: string, batchId: string, options: PageOptions & { outcome?: OutcomeFilter } = {}): Promise<ResultPage> {
    const answer = await this.send((headers) =>
      this.api.GET('/core/api/v2/containers/{containerType}/batch/results', {
        params: { path: { containerType }, query: { batchId, ...options } },
        headers: { ...headers, Accept: 'application/json' },
      }),
    );
    return answer.data;
  }

  async resultsCsv(containerType: string, batchId: string, options: { outcome?: OutcomeFilter } = {}): Promise<ReadableStream<Uint8Array>> {
    const answer = await this.send((headers) =>
      this.api.GET('/core/api/v2/containers/{containerType}/batch/results', {
        params: { path: { containerType }, query: { batchId, ...options } },
        headers: { ...headers, Accept: 'text/csv' },
        parseAs: 'stream',
      }),
    );
    return answer.data ?? emptyStream();
  }

  async template(containerType: string, operation: Operation): Promise<string> {
    const answer = await this.send((headers) =>
      this.api.GET('/core/api/v2/containers/{containerType}/batch/upload/template', {
        params: { path: { containerType }, query: { operation } },
        headers: { ...headers, Accept: 'text/csv' },
        parseAs: 'text',
      }),
    );
    return answer.data;
  }

  async cancel(containerType: string, batchId: string): Promise<BatchResponse> {
    const answer = await this.send((headers) =>
      this.api.POST('/core/api/v2/containers/{containerType}/batch/cancel', {
        params: { path: { containerType }, query: { batchId } },
        headers,
      }),
    );
    return answer.data;
  }

  async retry(containerType: string, batchId: string): Promise<string> {
    const answer = await this.send((headers) =>
      this.api.POST('/core/api/v2/containers/{containerType}/batch/retry', {
        params: { path: { containerType }, query: { batchId } },
        headers,
      }),
    );
    return answer.data.id;
  }

  async list(containerType: string, options: PageOptions & { status?: BatchStatus } = {}): Promise<BatchListPage> {
    const answer = await this.send((headers) =>
      this.api.GET('/core/api/v2/containers/{containerType}/batches', {
        params: { path: { containerType }, query: { ...options } },
        headers,
      }),
    );
    return answer.data;
  }

  async eventStream(containerType: string, batchId: string, options: { signal?: AbortSignal; lastEventId?: string } = {}): Promise<ReadableStream<Uint8Array>> {
    const answer = await this.send((headers) =>
      this.api.GET('/core/api/v2/containers/{containerType}/batch/events', {
        params: { path: { containerType }, query: { batchId } },
        headers: { ...headers, Accept: 'text/event-stream', ...(options.lastEventId === undefined ? {} : { 'Last-Event-ID': options.lastEventId }) },
        parseAs: 'stream',
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      }),
    );
    return answer.data ?? emptyStream();
  }

  /** One call: a request id, connection failures as ConnectionError, error answers as ApiError, the envelope's `data` out. */
  private async send<D>(call: (headers: Record<string, string>) => Promise<Answer<D>>): Promise<{ data: D extends { data: infer Inner } ? Inner : D }> {
    const requestId = this.options.requestId ?? randomUUID();
    let answer: Answer<D>;
    try {
      answer = await call({ 'X-COREOS-REQUEST-ID': requestId });
    } catch (error) {
      throw ConnectionError.from(this.baseUrl, error);
    }
    const { response } = answer;
    if (!response.ok) throw ApiError.fromAnswer(response.status, answer.error, requestId);
    const body: unknown = answer.data;
    // JSON answers come in the envelope; text and streams come bare.
    const isEnvelope = typeof body === 'object' && body !== null && !(body instanceof ReadableStream) && 'data' in body;
    return { data: (isEnvelope ? body.data : body) as D extends { data: infer Inner } ? Inner : D };
  }
}

/** The optional headers of a submit or an upload, named as the document names them. */
type SubmitHeaders = NonNullable<operations['submitBatch' | 'uploadBatchFile']['parameters']['header']>;

/** The multipart body of an upload as generated from the document. */
type UploadBody = NonNullable<operations['uploadBatchFile']['requestBody']>['content']['multipart/form-data'];

function submitHeaders(options: SubmitOptions): SubmitHeaders {
  return {
    ...(options.idempotencyKey === undefined ? {} : { 'Idempotency-Key': options.idempotencyKey }),
    ...(options.callbackSecret === undefined ? {} : { 'X-COREOS-CALLBACK-SECRET': options.callbackSecret }),
  };
}

/** What an answer without a body streams (openapi-fetch gives none for it): nothing, then the end. */
function emptyStream(): ReadableStream<Uint8Array> {
  return new ReadableStream({ start: (controller) => controller.close() });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}
