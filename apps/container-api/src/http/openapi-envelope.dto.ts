// OpenAPI description of the envelope's shared parts. The error codes come from the error
// filter's exhaustive Records (error-codes.ts), so a new code shows in the document by itself.
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ErrorCode, HTTP_STATUS_OF, HTTP_STATUS_OF_OS1, Os1ErrorCode } from './error-codes';

/** Every catalog name (additionalInfo.errorName). */
export const CATALOG_ERROR_CODES = Object.keys(HTTP_STATUS_OF) as ErrorCode[];

/** Every code error.code can hold: the catalog's and the original service's numeric ones (§2). */
export const ANSWERED_ERROR_CODES: readonly (ErrorCode | Os1ErrorCode)[] = [...CATALOG_ERROR_CODES, ...(Object.keys(HTTP_STATUS_OF_OS1) as Os1ErrorCode[])];

export class RequestEchoDto {
  @ApiProperty({ example: '/core/api/v2/containers/bag/batch/status' }) uri!: string;
  @ApiPropertyOptional({ enum: ['GET', 'POST', 'PUT'], description: 'absent for any other method (the original schema allows these three)' }) method?: string;
  @ApiProperty({ example: 'batchId=batch:2b0c7e3a-5f7e-4c1e-9d3a-0b6a4f1c2d3e' }) queryString!: string;
  @ApiProperty({
    type: Object,
    description:
      'the parsed JSON body ({} for GET); a summary such as {"truncated": true, "bytes": N} over 16 KiB, or {"file": {"name", "bytes"}, "callback"} for an upload',
  })
  body!: object;
}

class ViolationDto {
  @ApiProperty({ example: 'payload[3].trackingDetails[0].operator' }) path!: string;
  @ApiProperty({ example: 'must be 3 to 64 characters' }) message!: string;
}

class ErrorInfoDto {
  @ApiProperty({
    enum: CATALOG_ERROR_CODES,
    enumName: 'ErrorName',
    description: 'the catalog name of the error; equals error.code unless an OS1 numeric code stands in',
  })
  errorName!: string;
  @ApiPropertyOptional({ type: [ViolationDto], description: 'the rules a request breaks (VALIDATION_FAILED, INVALID_FILE)' }) violations?: ViolationDto[];
  @ApiPropertyOptional({ example: 'X-COREOS-TID', description: 'the header at fault (MISSING_HEADER, INVALID_HEADER)' }) header?: string;
}

class ErrorDto {
  @ApiProperty({
    enum: ANSWERED_ERROR_CODES,
    enumName: 'ErrorCode',
    description:
      'a stable code: a catalog name, or on the container-type routes the original service numeric code (its catalog name in additionalInfo.errorName)',
  })
  code!: string;
  @ApiProperty({ description: 'a sentence a person can act on' }) description!: string;
  @ApiProperty({ type: ErrorInfoDto }) additionalInfo!: ErrorInfoDto;
}

export class ErrorEnvelopeDto {
  @ApiProperty({ type: ErrorDto }) error!: ErrorDto;
  @ApiProperty({ type: RequestEchoDto }) request!: RequestEchoDto;
}
