// GET one container (§9).
import { GetContainer } from '@container-service/container-domain';
import { Controller, Get, Param, Req } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { unwrap } from '../http/api-error';
import { CallerInfo } from '../http/caller';
import type { Caller } from '../http/caller';
import { successEnvelope } from '../http/envelope';
import { ApiErrors } from '../http/openapi-errors';
import { ContainerEnvelopeDto } from './container.dto';
import { CoreosHeaders } from '../http/openapi-headers';
import { presentContainer } from './container.presenter';

@ApiTags('containers')
@CoreosHeaders()
@Controller('core/api/v2/containers')
export class ContainerController {
  constructor(private readonly getContainer: GetContainer) {}

  @Get(':containerType/:containerId')
  @ApiOperation({ operationId: 'getContainer', summary: 'One container of the tenant, under its type' })
  @ApiParam({ name: 'containerType', example: 'bag' })
  @ApiParam({ name: 'containerId', example: 'bag:2b0c7e3a-5f7e-4c1e-9d3a-0b6a4f1c2d3e' })
  @ApiOkResponse({ type: ContainerEnvelopeDto, description: "as the original's ContainerResponse" })
  @ApiErrors('CONTAINER_NOT_FOUND')
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
