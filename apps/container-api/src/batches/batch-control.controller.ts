// Batch control (§8): cancel a running batch, retry a finished one's failed items as a new batch,
// and list a tenant's batches of one type, newest first.
import { BATCH_LIST_LIMIT, CancelBatch, GetBatchStatus, ListBatches, RetryBatch } from '@container-service/batch-domain';
import { Get, HttpCode, Post, Query, Req, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiQuery, ApiResponse } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { unwrap } from '../http/api-error';
import { CallerInfo } from '../http/caller';
import type { Caller } from '../http/caller';
import { successEnvelope } from '../http/envelope';
import { ErrorEnvelopeDto } from '../http/openapi-envelope.dto';
import { PagingQuery } from '../http/openapi-paging';
import { BatchController, TargetType, batchStatusLocation } from './batch-routes';
import { BatchStatusEnvelopeDto } from './batch-response.dto';
import { presentBatchMeta, presentBatchStatus } from './batch-response.presenter';
import { BatchSubmittedEnvelopeDto } from './batch-submit.dto';
import { BatchSubmitted } from './batch-submitted';
import { BatchWatches } from './batch-watches';

@BatchController()
export class BatchControlController {
  constructor(
    private readonly cancelBatch: CancelBatch,
    private readonly retryBatch: RetryBatch,
    private readonly listBatches: ListBatches,
    private readonly getBatchStatus: GetBatchStatus,
    private readonly submitted: BatchSubmitted,
    private readonly watches: BatchWatches,
  ) {}

  @Post('batch/cancel')
  @HttpCode(200)
  @ApiOperation({ summary: 'Cancel a QUEUED or IN_PROGRESS batch: items not yet processed become cancelled' })
  @ApiQuery({ name: 'batchId', required: true })
  @ApiOkResponse({ type: BatchStatusEnvelopeDto, description: 'the batch after cancelling' })
  @ApiResponse({ status: 404, type: ErrorEnvelopeDto, description: 'BATCH_NOT_FOUND' })
  @ApiResponse({ status: 409, type: ErrorEnvelopeDto, description: 'BATCH_NOT_CANCELLABLE: already finished' })
  async cancel(@CallerInfo() caller: Caller, @TargetType() containerType: string, @Query('batchId') batchId: unknown, @Req() request: FastifyRequest) {
    const input = { accessToken: caller.accessToken, tenantId: caller.tenantId, targetType: containerType, batchId };
    unwrap(await this.cancelBatch.execute(input));
    this.submitted.notify();
    this.watches.nudge(caller.tenantId, containerType, String(batchId));
    return successEnvelope(request, presentBatchStatus(unwrap(await this.getBatchStatus.execute(input))));
  }

  @Post('batch/retry')
  @HttpCode(202)
  @ApiOperation({ summary: "A new batch of a finished batch's failed items (same operation, original inputs and rows)" })
  @ApiQuery({ name: 'batchId', required: true })
  @ApiResponse({ status: 202, type: BatchSubmittedEnvelopeDto, description: 'the new batch; its meta.parentBatchId names the original' })
  @ApiResponse({ status: 404, type: ErrorEnvelopeDto, description: 'BATCH_NOT_FOUND' })
  @ApiResponse({ status: 409, type: ErrorEnvelopeDto, description: 'BATCH_NOT_FINISHED, NOTHING_TO_RETRY' })
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
  @ApiOperation({ summary: "The tenant's batches of this type, newest first" })
  @ApiQuery({ name: 'status', required: false, enum: ['QUEUED', 'IN_PROGRESS', 'SUCCESS', 'PARTIAL_SUCCESS', 'FAILED', 'CANCELLED'] })
  @PagingQuery(BATCH_LIST_LIMIT)
  @ApiResponse({ status: 200, description: '{data: {items: [meta, ...], nextCursor}}' })
  @ApiResponse({ status: 404, type: ErrorEnvelopeDto, description: 'BATCH_NOT_FOUND: the tenant has no such container type' })
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
    return successEnvelope(request, { items: page.items.map(presentBatchMeta), nextCursor: page.nextCursor });
  }
}
