// OpenAPI description of batch submission; the bodies are checked by SubmitBatch and the item rules.
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { RequestEchoDto } from '../http/openapi-envelope.dto';

export class CallbackDto {
  @ApiProperty({ example: 'https://example.com/hooks/batches', description: 'absolute http(s) URL of a public address; POSTed to when the batch finishes' })
  url!: string;
  @ApiPropertyOptional({ type: Object, description: 'sent back as is in the callback body' }) meta?: object;
}

export class TrackingDetailDto {
  @ApiProperty({ minLength: 3, maxLength: 64 }) operator!: string;
  @ApiProperty({ minLength: 1, maxLength: 128 }) trackingId!: string;
  @ApiPropertyOptional() isPrimary?: boolean;
}

class MoneyDto {
  @ApiPropertyOptional({ minimum: 0 }) amount?: number;
  @ApiPropertyOptional({ minLength: 1, maxLength: 16, example: 'EUR', description: 'free text' }) currency?: string;
}

class CostDto {
  @ApiPropertyOptional({ type: MoneyDto }) unit?: MoneyDto;
  @ApiProperty({ type: MoneyDto }) total!: MoneyDto;
}

class QuantityDto {
  @ApiProperty({ minimum: 0 }) value!: number;
  @ApiProperty({ enum: ['cm', 'm', 'l', 'ml', 'nos', 'g', 'kg', 'mm'] }) unit!: string;
}

export class ItemLineDto {
  @ApiProperty({ minLength: 3, maxLength: 128 }) name!: string;
  @ApiPropertyOptional({ minLength: 3, maxLength: 128 }) code?: string;
  @ApiProperty({ type: CostDto }) cost!: CostDto;
  @ApiPropertyOptional({ type: QuantityDto }) quantity?: QuantityDto;
}

class CreateItemDto {
  @ApiPropertyOptional({
    minLength: 1,
    maxLength: 128,
    description: 'unique within the batch; when absent (or null) the item is named by its 1-based position in payload ("1", "2", …)',
  })
  refID?: string;
  @ApiPropertyOptional({ minLength: 1, maxLength: 128 }) scannableId?: string;
  @ApiPropertyOptional({ type: [TrackingDetailDto], maxItems: 16 }) trackingDetails?: TrackingDetailDto[];
  @ApiPropertyOptional({ type: Object, description: "checked against the container type's attribute configuration" }) attributes?: object;
  @ApiPropertyOptional({ type: [ItemLineDto], description: 'leaf types only' }) items?: ItemLineDto[];
  @ApiPropertyOptional({ default: false }) isHazmat?: boolean;
  @ApiPropertyOptional({ default: true }) isContainerizable?: boolean;
  @ApiPropertyOptional({ default: false }) isReusable?: boolean;
  @ApiPropertyOptional() parentId?: string;
}

class UpdateDataDto {
  @ApiPropertyOptional({ type: [TrackingDetailDto] }) trackingDetails?: TrackingDetailDto[];
  @ApiPropertyOptional({ type: Object, description: 'merged key by key; null removes' }) attributes?: object;
  @ApiPropertyOptional({ type: [ItemLineDto] }) items?: ItemLineDto[];
}

class UpdateItemDto {
  @ApiProperty() containerId!: string;
  @ApiProperty({ type: UpdateDataDto }) data!: UpdateDataDto;
}

export class CreateBatchBodyDto {
  @ApiProperty({ type: [CreateItemDto], minItems: 1, maxItems: 1024 }) payload!: CreateItemDto[];
  @ApiPropertyOptional({ type: CallbackDto }) callback?: CallbackDto;
}

export class UpdateBatchBodyDto {
  @ApiProperty({ type: [UpdateItemDto], minItems: 1, maxItems: 1024 }) payload!: UpdateItemDto[];
  @ApiPropertyOptional({ type: CallbackDto }) callback?: CallbackDto;
}

class BatchIdDto {
  @ApiProperty({ example: 'batch:2b0c7e3a-5f7e-4c1e-9d3a-0b6a4f1c2d3e' }) id!: string;
}

export class BatchSubmittedEnvelopeDto {
  @ApiProperty({ type: BatchIdDto }) data!: BatchIdDto;
  @ApiProperty({ type: RequestEchoDto }) request!: RequestEchoDto;
}
