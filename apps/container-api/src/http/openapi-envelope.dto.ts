// OpenAPI description of the envelope's shared parts.
import { ApiProperty } from '@nestjs/swagger';

export class RequestEchoDto {
  @ApiProperty({ example: '/core/api/v2/containers/bag/batch/status' }) uri!: string;
  @ApiProperty({ enum: ['GET', 'POST', 'PUT'] }) method!: string;
  @ApiProperty({ example: 'batchId=batch:2b0c7e3a-5f7e-4c1e-9d3a-0b6a4f1c2d3e' }) queryString!: string;
  @ApiProperty({ type: Object }) body!: object;
}

class ErrorDto {
  @ApiProperty({ example: 'BATCH_NOT_FOUND' }) code!: string;
  @ApiProperty() description!: string;
  @ApiProperty({ type: Object, example: { violations: [{ path: 'payload[3].refID', message: 'is required' }] } }) additionalInfo!: object;
}

export class ErrorEnvelopeDto {
  @ApiProperty({ type: ErrorDto }) error!: ErrorDto;
  @ApiProperty({ type: RequestEchoDto }) request!: RequestEchoDto;
}
