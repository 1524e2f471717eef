// GET batch results: every item result of a batch, in input order, a page at a time (§3.1).
import { ItemResult, ListBatchResults } from '@container-service/batch-domain';
import { Controller, Get, Param, Query, Req } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { unwrap } from '../http/api-error';
import { CallerInfo } from '../http/caller';
import type { Caller } from '../http/caller';
import { successEnvelope } from '../http/envelope';
import { ErrorEnvelopeDto } from '../http/openapi-envelope.dto';
import { CoreosHeaders } from '../http/openapi-headers';

export function presentResult(r: ItemResult) {
  const base = { refID: r.refId, ...(r.row !== null ? { row: r.row } : {}), outcome: r.outcome };
  if (r.outcome === 'success') return { ...base, id: r.resultId };
  if (r.outcome === 'failed') return { ...base, reason: r.reason, code: r.code };
  return base;
}

@ApiTags('batches')
@CoreosHeaders()
@Controller('core/api/v2/containers')
export class BatchResultsController {
  constructor(private readonly listResults: ListBatchResults) {}

  @Get(':containerType/batch/results')
  @ApiOperation({ summary: 'Item results of a batch in input order, paged; readable while the batch runs' })
  @ApiQuery({ name: 'batchId', required: true })
  @ApiQuery({ name: 'outcome', required: false, enum: ['success', 'failed'] })
  @ApiQuery({ name: 'limit', required: false, description: '1-5000, default 1000' })
  @ApiQuery({ name: 'cursor', required: false })
  @ApiResponse({ status: 200, description: '{data: {items: [{refID, row?, outcome, id?, reason?, code?}], nextCursor}}' })
  @ApiResponse({ status: 400, type: ErrorEnvelopeDto })
  @ApiResponse({ status: 404, type: ErrorEnvelopeDto, description: 'BATCH_NOT_FOUND' })
  async results(
    @CallerInfo() caller: Caller,
    @Param('containerType') containerType: string,
    @Query() query: Record<string, unknown>,
    @Req() request: FastifyRequest,
  ) {
    const page = unwrap(
      await this.listResults.execute({
        accessToken: caller.accessToken,
        tenantId: caller.tenantId,
        targetType: containerType,
        batchId: query.batchId,
        outcome: query.outcome,
        limit: query.limit,
        cursor: query.cursor,
      }),
    );
    return successEnvelope(request, { items: page.items.map(presentResult), nextCursor: page.nextCursor });
  }
}
