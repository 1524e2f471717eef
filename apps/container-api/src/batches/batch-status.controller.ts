// GET batch status, under both the JSON and the file route: the same answer for any batch.
import { GetBatchStatus } from '@container-service/batch-domain';
import { Get, Query, Req, Res } from '@nestjs/common';
import { ApiHeader, ApiOkResponse, ApiOperation, ApiQuery, ApiResponse } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { unwrap } from '../http/api-error';
import { CallerInfo } from '../http/caller';
import type { Caller } from '../http/caller';
import { successEnvelope } from '../http/envelope';
import { ErrorEnvelopeDto } from '../http/openapi-envelope.dto';
import { BatchController, TargetType } from './batch-routes';
import { BatchStatusEnvelopeDto } from './batch-response.dto';
import { presentBatchStatus } from './batch-response.presenter';

@BatchController()
export class BatchStatusController {
  constructor(private readonly getBatchStatus: GetBatchStatus) {}

  @Get(['batch/status', 'batch/upload/status'])
  @ApiOperation({ summary: 'Status and per-item results of a batch (JSON or file)' })
  @ApiQuery({ name: 'batchId', required: true, example: 'batch:2b0c7e3a-5f7e-4c1e-9d3a-0b6a4f1c2d3e' })
  @ApiHeader({ name: 'Retry-After', description: 'sent while the batch is not finished', required: false })
  @ApiOkResponse({ type: BatchStatusEnvelopeDto })
  @ApiResponse({ status: 400, type: ErrorEnvelopeDto, description: 'MISSING_HEADER, INVALID_HEADER, INVALID_BATCH_ID, VALIDATION_FAILED' })
  @ApiResponse({ status: 401, type: ErrorEnvelopeDto, description: 'UNAUTHORIZED' })
  @ApiResponse({ status: 404, type: ErrorEnvelopeDto, description: 'BATCH_NOT_FOUND' })
  @ApiResponse({ status: 503, type: ErrorEnvelopeDto, description: 'SERVICE_UNAVAILABLE' })
  async status(
    @CallerInfo() caller: Caller,
    @TargetType() containerType: string,
    @Query('batchId') batchId: unknown,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const report = unwrap(
      await this.getBatchStatus.execute({ accessToken: caller.accessToken, tenantId: caller.tenantId, targetType: containerType, batchId }),
    );
    if (report.pending > 0) void reply.header('Retry-After', '1');
    return successEnvelope(request, presentBatchStatus(report));
  }
}
