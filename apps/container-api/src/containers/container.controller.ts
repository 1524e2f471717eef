// GET one container (§9).
import { GetContainer } from '@container-service/container-domain';
import { Controller, Get, Param, Req } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { unwrap } from '../http/api-error';
import { CallerInfo } from '../http/caller';
import type { Caller } from '../http/caller';
import { successEnvelope } from '../http/envelope';
import { ErrorEnvelopeDto } from '../http/openapi-envelope.dto';
import { CoreosHeaders } from '../http/openapi-headers';
import { presentContainer } from './container.presenter';

@ApiTags('containers')
@CoreosHeaders()
@Controller('core/api/v2/containers')
export class ContainerController {
  constructor(private readonly getContainer: GetContainer) {}

  @Get(':containerType/:containerId')
  @ApiOperation({ summary: 'One container of the tenant, under its type' })
  @ApiResponse({ status: 200, description: "{data: container}, as the original's ContainerResponse" })
  @ApiResponse({ status: 404, type: ErrorEnvelopeDto, description: 'CONTAINER_NOT_FOUND' })
  async get(
    @CallerInfo() caller: Caller,
    @Param('containerType') containerType: string,
    @Param('containerId') containerId: string,
    @Req() request: FastifyRequest,
  ) {
    const container = unwrap(await this.getContainer.execute({ accessToken: caller.accessToken, tenantId: caller.tenantId, containerType, containerId }));
    return successEnvelope(request, presentContainer(container));
  }
}
