// OpenAPI description of a container as GET /{containerType}/{containerId} answers it, in the
// shape of the original's ContainerResponse; container.presenter.ts builds the actual JSON.
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ItemLineDto, TrackingDetailDto } from '../batches/batch-submit.dto';
import { ActorDto } from '../container-types/container-type.dto';
import { RequestEchoDto } from '../http/openapi-envelope.dto';

class ContainerDto {
  @ApiProperty({ example: 'bag:2b0c7e3a-5f7e-4c1e-9d3a-0b6a4f1c2d3e' }) id!: string;
  @ApiProperty({ example: 'bag' }) containerType!: string;
  @ApiProperty({ example: 'created:created' }) state!: string;
  @ApiProperty({ nullable: true, type: String }) refID!: string | null;
  @ApiProperty({ nullable: true, type: String }) scannableId!: string | null;
  @ApiProperty({ type: [TrackingDetailDto] }) trackingDetails!: TrackingDetailDto[];
  @ApiProperty({ type: Object, description: 'values by attribute name, defaults filled in' }) attributes!: object;
  @ApiProperty({ type: [ItemLineDto] }) items!: ItemLineDto[];
  @ApiPropertyOptional({ description: 'absent when the container has no parent' }) parentId?: string;
  @ApiProperty() isHazmat!: boolean;
  @ApiProperty() isContainerizable!: boolean;
  @ApiProperty() isReusable!: boolean;
  @ApiProperty({ description: 'epoch milliseconds' }) createdAt!: number;
  @ApiProperty({ description: 'epoch milliseconds' }) updatedAt!: number;
  @ApiProperty({ type: ActorDto }) createdBy!: ActorDto;
  @ApiProperty({ type: ActorDto }) updatedBy!: ActorDto;
}

export class ContainerEnvelopeDto {
  @ApiProperty({ type: ContainerDto }) data!: ContainerDto;
  @ApiProperty({ type: RequestEchoDto }) request!: RequestEchoDto;
}
