// Batch control (§8): cancel a running batch, retry a finished one's failed items as a new batch,
// and list a tenant's batches of one type, newest first.
import { BATCH_LIST_LIMIT, CancelBatch, GetBatchStatus, ListBatches, RetryBatch } from '@container-service/batch-domain';
import type { Clock } from '@container-service/batch-domain';
import { Get, HttpCode, Inject, Post, Query, Req, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiQuery, ApiResponse } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { unwrap } from '../http/api-error';
import { CallerInfo } from '../http/caller';
import type { Caller } from '../http/caller';
import { successEnvelope } from '../http/envelope';
import { ApiErrors } from '../http/openapi-errors';
import { SUBMITTED_HEADERS } from '../http/openapi-response-headers';
import { PagingQuery } from '../http/openapi-paging';
import { BATCH_ID_SCHEMA, BatchController, TargetType, batchStatusLocation } from './batch-routes';
import { BatchListEnvelopeDto, BatchStatusEnvelopeDto } from './batch-response.dto';
import { presentBatchMeta, presentBatchStatus } from './batch-response.presenter';
import { BatchSubmittedEnvelopeDto } from './batch-submit.dto';
import { BatchSubmitted } from './batch-submitted';
import { BatchWatches } from './batch-watches';
import { CLOCK } from '../tokens';

@BatchController()
export class BatchControlController {
  constructor(
    private readonly cancelBatch: CancelBatch,
    private readonly retryBatch: RetryBatch,
    private readonly listBatches: ListBatches,
    private readonly getBatchStatus: GetBatchStatus,
    private readonly submitted: BatchSubmitted,
    private readonly watches: BatchWatches,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Post('batch/cancel')
  @HttpCode(200)
  @ApiOperation({ operationId: 'cancelBatch', summary: 'Cancel a QUEUED or IN_PROGRESS batch: items not yet processed become cancelled' })
  @ApiQuery({ name: 'batchId', required: true, schema: BATCH_ID_SCHEMA })
  @ApiOkResponse({ type: BatchStatusEnvelopeDto, description: 'the batch after cancelling' })
  @ApiErrors('INVALID_BATCH_ID', 'VALIDATION_FAILED', 'BATCH_NOT_FOUND', 'BATCH_NOT_CANCELLABLE')
  async cancel(@CallerInfo() caller: Caller, @TargetType() containerType: string, @Query('batchId') batchId: unknown, @Req() request: FastifyRequest) {
    const input = { accessToken: caller.accessToken, tenantId: caller.tenantId, targetType: containerType, batchId };
    unwrap(await this.cancelBatch.execute(input));
    this.submitted.notify();
    this.watches.nudge(caller.tenantId, containerType, String(batchId));
    return successEnvelope(request, presentBatchStatus(unwrap(await this.getBatchStatus.execute(input))));
  }

  @Post('batch/retry')
  @HttpCode(202)
  @ApiOperation({ operationId: 'retryBatch', summary: "A new batch of a finished batch's failed items (same operation, original inputs and rows)" })
  @ApiQuery({ name: 'batchId', required: true, schema: BATCH_ID_SCHEMA })
  @ApiResponse({
    status: 202,
    type: BatchSubmittedEnvelopeDto,
    description: 'the new batch; its meta.parentBatchId names the original',
    headers: SUBMITTED_HEADERS,
  })
  @ApiErrors('INVALID_BATCH_ID', 'VALIDATION_FAILED', 'BATCH_NOT_FOUND', 'BATCH_NOT_FINISHED', 'NOTHING_TO_RETRY')
  async retry(
    @CallerInfo() caller: Caller,
    @TargetType() containerType: string,
    @Query('batchId') batchId: unknown,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const created = unwrap(
      await this.retryBatch.execute({ accessToken: caller.accessToken, tenantId: caller.tenantId, targetType: containerType, batchId, actor: caller.actor }),
    );
    this.submitted.notify();
    void reply.header('Location', batchStatusLocation(containerType, created.batchId, 'json')).header('Retry-After', '1');
    return successEnvelope(request, { id: created.batchId });
  }

  @Get('batches')
  @ApiOperation({ operationId: 'listBatches', summary: "The tenant's batches of this type, newest first" })
  @ApiQuery({ name: 'status', required: false, enum: ['QUEUED', 'IN_PROGRESS', 'SUCCESS', 'PARTIAL_SUCCESS', 'FAILED', 'CANCELLED'] })
  @PagingQuery(BATCH_LIST_LIMIT)
  @ApiOkResponse({ type: BatchListEnvelopeDto, description: 'a page of batch metas, newest first' })
  @ApiErrors('VALIDATION_FAILED', 'BATCH_NOT_FOUND')
  async list(@CallerInfo() caller: Caller, @TargetType() containerType: string, @Query() query: Record<string, unknown>, @Req() request: FastifyRequest) {
    const page = unwrap(
      await this.listBatches.execute({
        accessToken: caller.accessToken,
        tenantId: caller.tenantId,
        targetType: containerType,
        status: query.status,
        limit: query.limit,
        cursor: query.cursor,
      }),
    );
    return successEnvelope(request, { items: page.items.map((batch) => presentBatchMeta(batch, this.clock.now())), nextCursor: page.nextCursor });
  }
}
