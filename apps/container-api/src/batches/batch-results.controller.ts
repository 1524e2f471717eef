// GET batch results: every item result of a batch, in input order, a page at a time (§3.1); or,
// with Accept: text/csv, all of them as one streamed CSV. The failed-items CSV holds each item's
// original input columns plus row (its line in the uploaded file), reason and code: the file to
// fix and upload again (an upload ignores those three columns). Every line goes
// out through the file codec, which guards cells a spreadsheet would run as formulas (the upload
// reader takes the guard off again).
import { Batch, ItemResult, ListBatchResults, ListBatchResultsInput, RESULTS_PAGE_LIMIT } from '@container-service/batch-domain';
import { Get, Inject, Query, Req, Res, StreamableFile } from '@nestjs/common';
import { ApiExtraModels, ApiOperation, ApiQuery, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Readable } from 'node:stream';
import { unwrap } from '../http/api-error';
import { CallerInfo } from '../http/caller';
import type { Caller } from '../http/caller';
import { successEnvelope } from '../http/envelope';
import { ApiErrors } from '../http/openapi-errors';
import { RESPONSE_HEADER } from '../http/openapi-response-headers';
import { PagingQuery } from '../http/openapi-paging';
import { BATCH_FILE_CODEC } from '../tokens';
import type { BatchFileCodec, FailureColumn } from './batch-file-codec';
import { BATCH_ID_SCHEMA, BatchController, TargetType } from './batch-routes';
import { BatchResultsEnvelopeDto } from './batch-response.dto';

function presentResult(r: ItemResult) {
  const base = { refID: r.refId, ...(r.row !== null ? { row: r.row } : {}), outcome: r.outcome };
  if (r.outcome === 'success') return { ...base, id: r.resultId };
  if (r.outcome === 'failed') return { ...base, reason: r.reason, code: r.code };
  return base;
}

@BatchController()
export class BatchResultsController {
  constructor(
    private readonly listResults: ListBatchResults,
    @Inject(BATCH_FILE_CODEC) private readonly files: BatchFileCodec,
  ) {}

  @Get('batch/results')
  @ApiOperation({
    operationId: 'listBatchResults',
    summary: 'Item results of a batch in input order, paged; readable while the batch runs',
    description:
      'JSON pages by default. With `Accept: text/csv` every processed item from the cursor on, as one CSV download: columns refID, row, outcome, id, reason, code; ' +
      'with outcome=failed, the failed items as a file to fix and upload again (the input columns plus row, reason and code; file name batch-<uuid>-failed.csv).',
  })
  @ApiQuery({ name: 'batchId', required: true, schema: BATCH_ID_SCHEMA })
  @ApiQuery({ name: 'outcome', required: false, enum: ['success', 'failed'], description: 'all processed items when absent' })
  @PagingQuery(RESULTS_PAGE_LIMIT)
  @ApiExtraModels(BatchResultsEnvelopeDto)
  @ApiResponse({
    status: 200,
    description: 'a page of item results, or with Accept: text/csv the CSV download',
    content: {
      'application/json': { schema: { $ref: getSchemaPath(BatchResultsEnvelopeDto) } },
      'text/csv': {
        schema: { type: 'string' },
        example:
          "refID,row,outcome,id,reason,code\r\nr-1,2,success,bag:2b0c7e3a-5f7e-4c1e-9d3a-0b6a4f1c2d3e,,\r\nr-2,3,failed,,attribute 'weight' must be a number,ATTRIBUTE_INVALID\r\n",
      },
    },
    headers: {
      'Content-Disposition': { ...RESPONSE_HEADER.attachment, description: 'with text/csv: attachment; filename="batch-<uuid>-results.csv" (or -failed.csv)' },
    },
  })
  @ApiErrors('INVALID_BATCH_ID', 'VALIDATION_FAILED', 'BATCH_NOT_FOUND')
  async results(
    @CallerInfo() caller: Caller,
    @TargetType() containerType: string,
    @Query() query: Record<string, unknown>,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const input: ListBatchResultsInput = {
      accessToken: caller.accessToken,
      tenantId: caller.tenantId,
      targetType: containerType,
      batchId: query.batchId,
      outcome: query.outcome,
      limit: query.limit,
      cursor: query.cursor,
    };
    if (!wantsCsv(request)) {
      const page = unwrap(await this.listResults.execute(input));
      return successEnvelope(request, { items: page.items.map(presentResult), nextCursor: page.nextCursor });
    }
    const failedOnly = query.outcome === 'failed';
    // The first page is read before anything is sent, so that every error still gets the envelope.
    const exportInput = { ...input, limit: String(RESULTS_PAGE_LIMIT.max), withInput: failedOnly };
    const first = unwrap(await this.listResults.execute(exportInput));
    const lines = failedOnly
      ? failedItemsCsv(this.files, first.batch, first.items, this.pagesAfter(exportInput, first))
      : resultsCsv(this.files, first.items, this.pagesAfter(exportInput, first));
    void reply.header('Cache-Control', 'no-store');
    return new StreamableFile(Readable.from(lines), {
      type: 'text/csv; charset=utf-8',
      // batch:<uuid> as batch-<uuid>: a ':' is not allowed in file names on every system.
      disposition: `attachment; filename="${String(query.batchId).replace(/[^A-Za-z0-9_-]+/g, '-')}-${failedOnly ? 'failed' : 'results'}.csv"`,
    });
  }

  /** The items after the first page, page by page, up to what is processed when each page is read. */
  private async *pagesAfter(input: ListBatchResultsInput, first: { items: readonly ItemResult[]; nextCursor: string | null }): AsyncGenerator<ItemResult> {
    let page = first;
    while (page.nextCursor !== null && page.items.length === RESULTS_PAGE_LIMIT.max) {
      const next = await this.listResults.execute({ ...input, cursor: page.nextCursor });
      if (!next.ok) throw new Error(`results export stopped: ${next.error.code}`);
      page = next.value;
      yield* page.items;
    }
  }
}

function wantsCsv(request: FastifyRequest): boolean {
  return /\btext\/csv\b/i.test(request.headers.accept ?? '');
}

const RESULT_COLUMNS = ['refID', 'row', 'outcome', 'id', 'reason', 'code'];

async function* resultsCsv(files: BatchFileCodec, first: readonly ItemResult[], rest: AsyncIterable<ItemResult>): AsyncGenerator<string> {
  yield files.line(RESULT_COLUMNS);
  const line = (r: ItemResult) =>
    files.line([
      r.refId,
      r.row === null ? '' : String(r.row),
      r.outcome,
      r.outcome === 'success' ? r.resultId : '',
      r.outcome === 'failed' ? r.reason : '',
      r.outcome === 'failed' ? r.code : '',
    ]);
  for (const r of first) yield line(r);
  for await (const r of rest) yield line(r);
}

/**
 * Failed items as a file to fix and upload again: a file batch's own columns (without any row,
 * reason or code column of an earlier round), or the §4.3 columns for a JSON batch; then the
 * codec's failure columns: the item's line in its file (empty for a JSON item), reason and code.
 */
async function* failedItemsCsv(files: BatchFileCodec, batch: Batch, first: readonly ItemResult[], rest: AsyncIterable<ItemResult>): AsyncGenerator<string> {
  const { columns, operation } = batch.toSnapshot();
  const failureColumns = files.failureColumns;
  const failure = (r: ItemResult) => {
    const cells: Record<FailureColumn, string> = {
      row: r.row === null ? '' : String(r.row),
      reason: r.outcome === 'failed' ? r.reason : '',
      code: r.outcome === 'failed' ? r.code : '',
    };
    return failureColumns.map((name) => cells[name]);
  };
  if (columns !== null) {
    const kept = columns.map((name, i) => ({ name, i })).filter(({ name }) => !(failureColumns as readonly string[]).includes(name));
    yield files.line([...kept.map(({ name }) => name), ...failureColumns]);
    const line = (r: ItemResult) => {
      const cells = Array.isArray(r.input) ? (r.input as string[]) : [];
      // A row that had too many cells keeps them all, so it still needs fixing; a short one is padded.
      const extra = cells.length > columns.length ? cells.slice(columns.length) : [];
      return files.line([...kept.map(({ i }) => cells[i] ?? ''), ...extra, ...failure(r)]);
    };
    for (const r of first) yield line(r);
    for await (const r of rest) yield line(r);
    return;
  }
  // A JSON batch holds at most MAX_JSON_BATCH_ITEMS items: its failures fit in memory, and the
  // header needs every attribute name any of them carries.
  const failed = [...first];
  for await (const r of rest) failed.push(r);
  const header = files.columnsFor(
    operation,
    failed.map((r) => r.input),
  );
  yield files.line([...header, ...failureColumns]);
  for (const r of failed) yield files.line([...files.row(operation, header, r.input), ...failure(r)]);
}
