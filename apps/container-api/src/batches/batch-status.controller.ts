// GET batch status, under both the JSON and the file route: the same answer for any batch. With
// `?wait=N` the answer waits (up to N seconds) for the batch to finish, following it through
// BatchWatches, so that many waiters of one batch share its reads.
import { BatchError, BatchLocator, GetBatchStatus, Result, batchNotFound, domainError, err, ok } from '@container-service/batch-domain';
import { Get, Query, Req, Res, applyDecorators } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiQuery } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { unwrap } from '../http/api-error';
import { CallerInfo } from '../http/caller';
import type { Caller } from '../http/caller';
import { ApiErrors } from '../http/openapi-errors';
import { RESPONSE_HEADER } from '../http/openapi-response-headers';
import { BATCH_ID_SCHEMA, BatchController, TargetType } from './batch-routes';
import { BatchStatusEnvelopeDto } from './batch-response.dto';
import { batchStatusAnswer } from './batch-status.bytes';
import { BatchWatches } from './batch-watches';

/** `?wait=N` bounds, in seconds (§3). */
export const WAIT_SECONDS = { min: 1, max: 30 } as const;

/** `?wait=N` in milliseconds, null when absent; anything but a whole number of seconds from 1 to 30 is refused. */
export function parseWait(value: unknown): Result<number | null, BatchError<'VALIDATION_FAILED'>> {
  if (value === undefined) return ok(null);
  const seconds = typeof value === 'string' && /^[1-9][0-9]?$/.test(value) ? Number(value) : NaN;
  if (seconds >= WAIT_SECONDS.min && seconds <= WAIT_SECONDS.max) return ok(seconds * 1000);
  const rule = `must be a whole number of seconds from ${WAIT_SECONDS.min} to ${WAIT_SECONDS.max}`;
  return err(domainError('VALIDATION_FAILED', `wait ${rule}.`, [{ path: 'wait', message: rule }]));
}

/** Fires when the client is gone before its answer was sent. */
export function abandonedBy(reply: FastifyReply): AbortSignal {
  const abandoned = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) abandoned.abort();
  });
  return abandoned.signal;
}

/** The OpenAPI description of a status route; both routes answer alike. */
const StatusRoute = (operationId: string, summary: string) =>
  applyDecorators(
    ApiOperation({ operationId, summary }),
    ApiQuery({ name: 'batchId', required: true, schema: BATCH_ID_SCHEMA }),
    ApiQuery({
      name: 'wait',
      required: false,
      schema: { type: 'integer', minimum: WAIT_SECONDS.min, maximum: WAIT_SECONDS.max },
      description: 'answer as soon as the batch is finished, or after this many seconds with its state then',
    }),
    ApiOkResponse({
      type: BatchStatusEnvelopeDto,
      description: 'the batch: meta with counters and progress, and its first 1024 errors and successes',
      headers: { 'Retry-After': RESPONSE_HEADER.retryAfterRunning },
    }),
    ApiErrors('INVALID_BATCH_ID', 'VALIDATION_FAILED', 'BATCH_NOT_FOUND'),
  );

@BatchController()
export class BatchStatusController {
  constructor(
    private readonly getBatchStatus: GetBatchStatus,
    private readonly watches: BatchWatches,
  ) {}

  @Get('batch/status')
  @StatusRoute('getBatchStatus', 'Status and per-item results of a batch (JSON or file)')
  status(
    @CallerInfo() caller: Caller,
    @TargetType() containerType: string,
    @Query('batchId') batchId: unknown,
    @Query('wait') wait: unknown,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return this.answer(caller, containerType, batchId, wait, request, reply);
  }

  /** The same answer under the upload route, where file batches' Location points. */
  @Get('batch/upload/status')
  @StatusRoute('getUploadBatchStatus', 'Status and per-item results of a batch (file or JSON); the same answer as getBatchStatus')
  uploadStatus(
    @CallerInfo() caller: Caller,
    @TargetType() containerType: string,
    @Query('batchId') batchId: unknown,
    @Query('wait') wait: unknown,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return this.answer(caller, containerType, batchId, wait, request, reply);
  }

  private async answer(caller: Caller, containerType: string, batchId: unknown, wait: unknown, request: FastifyRequest, reply: FastifyReply) {
    const input = { accessToken: caller.accessToken, tenantId: caller.tenantId, targetType: containerType, batchId };
    let report;
    if (wait === undefined) {
      report = unwrap(await this.getBatchStatus.execute(input));
    } else {
      const locator = unwrap(await this.getBatchStatus.locate(input));
      const waitMs = unwrap(parseWait(wait));
      report = await this.waitFor(locator, waitMs ?? 0, abandonedBy(reply));
    }
    if (report.pending > 0) void reply.header('Retry-After', '1');
    // Sent as bytes: a finished batch's answer is made once, not on every read (ADR 0027).
    void reply.type('application/json; charset=utf-8');
    return batchStatusAnswer(request, report);
  }

  private async waitFor(locator: BatchLocator, waitMs: number, abandoned: AbortSignal) {
    const first = unwrap(await this.watches.current(locator).then((found) => (found === null ? err(batchNotFound(locator)) : ok(found))));
    return first.pending === 0 ? first : this.watches.until(locator, first, waitMs, abandoned);
  }
}
