// GET batch events (§3.2): a batch's progress as server-sent events. Every check and error comes
// before the stream starts, in the JSON envelope, as on the status route; then the stream follows
// the batch through BatchWatches, whose reads all watchers of the batch in this process share.
import { GetBatchStatus, batchNotFound, err, ok } from '@container-service/batch-domain';
import { Get, Query, Res, StreamableFile } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiResponse } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { unwrap } from '../http/api-error';
import { CallerInfo } from '../http/caller';
import type { Caller } from '../http/caller';
import { ApiErrors } from '../http/openapi-errors';
import { batchEventStream } from './batch-event-stream';
import { BATCH_ID_SCHEMA, BatchController, TargetType } from './batch-routes';
import { BatchWatches } from './batch-watches';

@BatchController()
export class BatchEventsController {
  constructor(
    private readonly getBatchStatus: GetBatchStatus,
    private readonly watches: BatchWatches,
  ) {}

  @Get('batch/events')
  @ApiOperation({
    operationId: 'streamBatchEvents',
    summary: "A batch's progress as server-sent events",
    description:
      '`progress` with the batch meta (as in the status answer) at once and whenever its counters change (at most about once a second); ' +
      '`done` with the final meta when the batch finishes, then the stream ends. A comment line every 15 s keeps idle connections open.',
  })
  @ApiQuery({ name: 'batchId', required: true, schema: BATCH_ID_SCHEMA })
  @ApiResponse({
    status: 200,
    description: 'text/event-stream: `event: progress|done` lines, each with `data: <meta as JSON>` (BatchMetaDto, with progress)',
    content: {
      'text/event-stream': {
        schema: { type: 'string' },
        example:
          'event: progress\ndata: {"status":"IN_PROGRESS","success":12,"failed":3,"total":20,"progress":{"percent":75,"itemsPerSecond":40,"etaMs":125}}\n\n' +
          'event: done\ndata: {"status":"PARTIAL_SUCCESS","success":16,"failed":4,"total":20,"progress":{"percent":100,"itemsPerSecond":40,"etaMs":0}}\n\n',
      },
    },
    headers: { 'Cache-Control': { description: 'no-cache, no-store', schema: { type: 'string' } } },
  })
  @ApiErrors('INVALID_BATCH_ID', 'VALIDATION_FAILED', 'BATCH_NOT_FOUND')
  async events(
    @CallerInfo() caller: Caller,
    @TargetType() containerType: string,
    @Query('batchId') batchId: unknown,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const locator = unwrap(
      await this.getBatchStatus.locate({ accessToken: caller.accessToken, tenantId: caller.tenantId, targetType: containerType, batchId }),
    );
    const first = unwrap(await this.watches.current(locator).then((found) => (found === null ? err(batchNotFound(locator)) : ok(found))));
    void reply.header('Content-Type', 'text/event-stream; charset=utf-8');
    void reply.header('Cache-Control', 'no-cache, no-store');
    // Proxies that buffer answers would hold the events back.
    void reply.header('X-Accel-Buffering', 'no');
    return new StreamableFile(batchEventStream(this.watches, locator, first));
  }
}
