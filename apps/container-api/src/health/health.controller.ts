// Liveness and readiness probes, without authentication.
import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Database } from '@container-service/persistence-typeorm';
import { ApiError } from '../http/api-error';
import { DATABASE } from '../tokens';

@ApiTags('operations')
@Controller('health')
export class HealthController {
  constructor(@Inject(DATABASE) private readonly database: Database) {}

  @Get()
  @ApiOperation({ summary: 'The process is up' })
  live() {
    return { status: 'ok' };
  }

  @Get('ready')
  @ApiOperation({ summary: 'The database answers' })
  async ready() {
    try {
      await this.database.ping();
    } catch {
      throw new ApiError('SERVICE_UNAVAILABLE', 'The database does not answer.');
    }
    return { status: 'ready' };
  }
}
