// Liveness and readiness probes, without authentication.
import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Database } from '@container-service/persistence-typeorm';
import { ApiError } from '../http/api-error';
import { ErrorEnvelopeDto } from '../http/openapi-envelope.dto';
import { RESPONSE_HEADER } from '../http/openapi-response-headers';
import { DATABASE } from '../tokens';

@ApiTags('operations')
@Controller('health')
export class HealthController {
  constructor(@Inject(DATABASE) private readonly database: Database) {}

  @Get()
  @ApiOperation({ operationId: 'getLiveness', summary: 'The process is up' })
  @ApiOkResponse({ description: 'up', schema: { type: 'object', properties: { status: { type: 'string', enum: ['ok'] } }, required: ['status'] } })
  live() {
    return { status: 'ok' };
  }

  @Get('ready')
  @ApiOperation({ operationId: 'getReadiness', summary: 'The database answers' })
  @ApiOkResponse({
    description: 'the database answers',
    schema: { type: 'object', properties: { status: { type: 'string', enum: ['ready'] } }, required: ['status'] },
  })
  @ApiResponse({
    status: 503,
    type: ErrorEnvelopeDto,
    description: 'error.code is `SERVICE_UNAVAILABLE`: the database does not answer',
    headers: { 'Retry-After': RESPONSE_HEADER.retryAfterUnavailable },
  })
  async ready() {
    try {
      await this.database.ping();
    } catch {
      throw new ApiError('SERVICE_UNAVAILABLE', 'The database does not answer.');
    }
    return { status: 'ready' };
  }
}
