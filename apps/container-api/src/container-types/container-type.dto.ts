// Request and response shapes of the container type routes (§9), for validation and OpenAPI.
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsArray, IsBoolean, IsObject, IsOptional, IsString, Matches } from 'class-validator';
import { RequestEchoDto } from '../http/openapi-envelope.dto';

class RangeDto {
  @ApiPropertyOptional() min?: number;
  @ApiPropertyOptional() max?: number;
}

class AttributeValidationDto {
  @ApiPropertyOptional({ type: RangeDto, description: 'bounds a number, or the length of a string' }) range?: RangeDto;
  @ApiPropertyOptional({ description: 'for strings; patterns that can backtrack catastrophically are refused' }) regex?: string;
  @ApiPropertyOptional({ type: 'array', items: {} }) valueOneOf?: unknown[];
  @ApiPropertyOptional({ default: false, description: 'where the original keeps it; the same as the top-level required, and reads show both' })
  required?: boolean;
}

export class AttributeConfigDto {
  @ApiProperty({ pattern: '^[A-Za-z_]{1,32}$', example: 'weight' }) name!: string;
  @ApiProperty({ enum: ['string', 'number', 'boolean', 'object', 'array'] }) dataType!: string;
  @ApiPropertyOptional({ default: false, description: 'or validation.required: either makes the attribute required' }) required?: boolean;
  @ApiPropertyOptional({ description: 'must itself pass the rules' }) defaultValue?: unknown;
  @ApiPropertyOptional({ description: 'kept and shown as given, as the original does' }) isReadPublic?: boolean;
  @ApiPropertyOptional({ type: AttributeValidationDto }) validation?: AttributeValidationDto;
}

export class CreateContainerTypeDto {
  @ApiProperty({ pattern: '^[A-Za-z]{3,16}$', example: 'bag', description: 'case-sensitive' })
  @IsString()
  @Matches(/^[A-Za-z]{3,16}$/, { message: 'must be 3 to 16 letters (A-Z, a-z)' })
  name!: string;

  @ApiPropertyOptional({ default: false, description: 'leaf types hold items' })
  @IsOptional()
  @IsBoolean({ message: 'must be a boolean' })
  isLeaf?: boolean;

  @ApiPropertyOptional({ type: [AttributeConfigDto] })
  @IsOptional()
  @IsArray({ message: 'must be an array of attribute configurations' })
  @IsObject({ each: true, message: 'each entry must be an object' })
  attributes?: Record<string, unknown>[];
}

/** The original's ActionBy. */
export class ActorDto {
  @ApiProperty() id!: string;
  @ApiPropertyOptional() name?: string;
  @ApiPropertyOptional() appID?: string;
}

export class ContainerTypeDto {
  @ApiProperty({ example: 'bag' }) id!: string;
  @ApiProperty({ example: 'bag' }) name!: string;
  @ApiProperty() isLeaf!: boolean;
  @ApiProperty({ type: [AttributeConfigDto] }) attributes!: AttributeConfigDto[];
  @ApiProperty({ description: 'epoch milliseconds' }) createdAt!: number;
  @ApiProperty({ description: 'epoch milliseconds' }) updatedAt!: number;
  @ApiProperty({ type: ActorDto }) createdBy!: ActorDto;
  @ApiProperty({ type: ActorDto }) updatedBy!: ActorDto;
}

class IdDto {
  @ApiProperty({ example: 'bag' }) id!: string;
}

export class ContainerTypeCreatedEnvelopeDto {
  @ApiProperty({ type: IdDto }) data!: IdDto;
  @ApiProperty({ type: RequestEchoDto }) request!: RequestEchoDto;
}

export class ContainerTypeEnvelopeDto {
  @ApiProperty({ type: ContainerTypeDto }) data!: ContainerTypeDto;
  @ApiProperty({ type: RequestEchoDto }) request!: RequestEchoDto;
}

class ContainerTypePageDto {
  @ApiProperty({ type: [ContainerTypeDto] }) items!: ContainerTypeDto[];
  @ApiProperty({ nullable: true, type: String, description: 'pass as cursor for the next page; null on the last' }) nextCursor!: string | null;
}

export class ContainerTypeListEnvelopeDto {
  @ApiProperty({ type: ContainerTypePageDto }) data!: ContainerTypePageDto;
  @ApiProperty({ type: RequestEchoDto }) request!: RequestEchoDto;
}

class AttributesConfigDto {
  @ApiProperty({ example: 'bag' }) name!: string;
  @ApiProperty({ type: [AttributeConfigDto] }) attributes!: AttributeConfigDto[];
  @ApiProperty({ description: 'epoch milliseconds' }) createdAt!: number;
  @ApiProperty({ type: ActorDto }) createdBy!: ActorDto;
  @ApiProperty({ description: 'epoch milliseconds' }) updatedAt!: number;
  @ApiProperty({ type: ActorDto }) updatedBy!: ActorDto;
}

export class AttributesConfigEnvelopeDto {
  @ApiProperty({ type: AttributesConfigDto }) data!: AttributesConfigDto;
  @ApiProperty({ type: RequestEchoDto }) request!: RequestEchoDto;
}

class AttributesReplacedDto extends AttributesConfigDto {
  @ApiProperty({ example: 'bag' }) id!: string;
}

export class AttributesReplacedEnvelopeDto {
  @ApiProperty({ type: AttributesReplacedDto }) data!: AttributesReplacedDto;
  @ApiProperty({ type: RequestEchoDto }) request!: RequestEchoDto;
}

export class AttributesBodyDto {
  @ApiProperty({ type: [AttributeConfigDto] }) attributes!: AttributeConfigDto[];
}
