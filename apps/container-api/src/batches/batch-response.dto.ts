// OpenAPI description of the batch status answer; the presenter builds the actual JSON.
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { RequestEchoDto } from '../http/openapi-envelope.dto';

class CallbackStateDto {
  @ApiProperty({ enum: ['NONE', 'PENDING', 'DELIVERED', 'FAILED'] }) state!: string;
  @ApiProperty({ description: 'Delivery attempts so far, the successful one included.' }) attempts!: number;
}

class ActionByDto {
  @ApiProperty() id!: string;
  @ApiPropertyOptional() name?: string;
  @ApiPropertyOptional() appID?: string;
}

export class BatchProgressDto {
  @ApiProperty({ description: 'done (success + failed + cancelled) / total × 100, one decimal', example: 62.5 }) percent!: number;
  @ApiProperty({ description: 'items processed per second over the last few seconds of processing; 0 before it starts', example: 13800 })
  itemsPerSecond!: number;
  @ApiProperty({ nullable: true, type: Number, description: 'estimated milliseconds to the end; null when unknown, 0 once finished', example: 2300 })
  etaMs!: number | null;
}

export class BatchMetaDto {
  @ApiProperty({ enum: ['QUEUED', 'IN_PROGRESS', 'SUCCESS', 'PARTIAL_SUCCESS', 'FAILED', 'CANCELLED'] }) status!: string;
  @ApiProperty() success!: number;
  @ApiProperty() failed!: number;
  @ApiProperty() total!: number;
  @ApiProperty({ example: 'batch:2b0c7e3a-5f7e-4c1e-9d3a-0b6a4f1c2d3e' }) batchId!: string;
  @ApiProperty({ example: 'bag' }) containerType!: string;
  @ApiProperty({ enum: ['create', 'update'] }) operation!: string;
  @ApiProperty({ enum: ['json', 'file'] }) source!: string;
  @ApiProperty() pending!: number;
  @ApiProperty() cancelled!: number;
  @ApiProperty({ description: 'epoch milliseconds' }) createdAt!: number;
  @ApiProperty({ nullable: true, type: Number }) startedAt!: number | null;
  @ApiProperty({ nullable: true, type: Number }) completedAt!: number | null;
  @ApiPropertyOptional({
    description:
      'true when errors or success hold only their first 1024 entries; present where those lists come with the meta (status routes, cancel, callbacks), not in listBatches',
  })
  hasMore?: boolean;
  @ApiProperty({ type: CallbackStateDto }) callback!: CallbackStateDto;
  @ApiProperty({ type: BatchProgressDto }) progress!: BatchProgressDto;
  @ApiPropertyOptional() parentBatchId?: string;
  @ApiProperty({ type: ActionByDto, description: 'who submitted the batch (X-COREOS-USERINFO, else the token subject, else the tenant)' })
  createdBy!: ActionByDto;
}

class BatchErrorDto {
  @ApiProperty({ description: 'refID of a create item, containerId of an update item' }) refID!: string;
  @ApiProperty() reason!: string;
  @ApiProperty({ example: 'ATTRIBUTE_INVALID' }) code!: string;
  @ApiPropertyOptional({ description: 'line in the uploaded file (header = 1); file batches only' }) row?: number;
}

class BatchSuccessDto {
  @ApiProperty() refID!: string;
  @ApiProperty({ example: 'bag:2b0c7e3a-5f7e-4c1e-9d3a-0b6a4f1c2d3e' }) id!: string;
  @ApiPropertyOptional() row?: number;
}

export class BatchResponseDto {
  @ApiProperty({ type: BatchMetaDto }) meta!: BatchMetaDto;
  @ApiProperty({ type: [BatchErrorDto] }) errors!: BatchErrorDto[];
  @ApiProperty({ type: [BatchSuccessDto] }) success!: BatchSuccessDto[];
}

export class BatchStatusEnvelopeDto {
  @ApiProperty({ type: BatchResponseDto }) data!: BatchResponseDto;
  @ApiProperty({ type: RequestEchoDto }) request!: RequestEchoDto;
}

class BatchListPageDto {
  @ApiProperty({ type: [BatchMetaDto], description: 'newest first' }) items!: BatchMetaDto[];
  @ApiProperty({ nullable: true, type: String, description: 'pass as cursor for the next page; null on the last' }) nextCursor!: string | null;
}

export class BatchListEnvelopeDto {
  @ApiProperty({ type: BatchListPageDto }) data!: BatchListPageDto;
  @ApiProperty({ type: RequestEchoDto }) request!: RequestEchoDto;
}

class ItemResultDto {
  @ApiProperty({ description: 'refID of a create item, containerId of an update item' }) refID!: string;
  @ApiPropertyOptional({ description: 'line in the uploaded file (header = 1); file batches only' }) row?: number;
  @ApiProperty({ enum: ['success', 'failed', 'cancelled'] }) outcome!: string;
  @ApiPropertyOptional({ description: 'the container id; success only', example: 'bag:2b0c7e3a-5f7e-4c1e-9d3a-0b6a4f1c2d3e' }) id?: string;
  @ApiPropertyOptional({ description: 'failed only' }) reason?: string;
  @ApiPropertyOptional({ description: 'failed only', example: 'ATTRIBUTE_INVALID' }) code?: string;
}

class BatchResultsPageDto {
  @ApiProperty({ type: [ItemResultDto], description: 'processed items in input order (pending items are not listed)' }) items!: ItemResultDto[];
  @ApiProperty({ nullable: true, type: String, description: 'pass as cursor for the next page; null on the last' }) nextCursor!: string | null;
}

export class BatchResultsEnvelopeDto {
  @ApiProperty({ type: BatchResultsPageDto }) data!: BatchResultsPageDto;
  @ApiProperty({ type: RequestEchoDto }) request!: RequestEchoDto;
}
