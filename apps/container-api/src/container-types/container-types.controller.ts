// Container types of the calling tenant: define one, read one, list them (§9).
import {
  CONTAINER_TYPE_PAGE_LIMIT,
  DefineContainerType,
  GetContainerType,
  ListContainerTypes,
  ReplaceContainerTypeAttributes,
} from '@container-service/container-domain';
import { Body, Controller, Get, HttpCode, Param, Post, Put, Query, Req } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { unwrap } from '../http/api-error';
import { CONTAINER_TYPE_ROUTE_CODES } from '../http/error-codes';
import { CallerInfo } from '../http/caller';
import type { Caller } from '../http/caller';
import { successEnvelope } from '../http/envelope';
import { ApiErrors, BODY_ERRORS } from '../http/openapi-errors';
import { PagingQuery } from '../http/openapi-paging';
import { CoreosHeaders } from '../http/openapi-headers';
import {
  AttributesBodyDto,
  AttributesConfigEnvelopeDto,
  AttributesReplacedEnvelopeDto,
  ContainerTypeCreatedEnvelopeDto,
  ContainerTypeEnvelopeDto,
  ContainerTypeListEnvelopeDto,
  CreateContainerTypeDto,
} from './container-type.dto';
import { presentAttributesConfig, presentContainerType } from './container-type.presenter';

/** The type a route names. */
const TypeName = () => ApiParam({ name: 'name', description: 'the container type name (case-sensitive)', example: 'bag' });

@ApiTags('container types')
@CoreosHeaders()
@Controller('core/api/v2/containers/container-types')
export class ContainerTypesController {
  constructor(
    private readonly defineType: DefineContainerType,
    private readonly getType: GetContainerType,
    private readonly listTypes: ListContainerTypes,
    private readonly replaceAttributes: ReplaceContainerTypeAttributes,
  ) {}

  @Post()
  @HttpCode(202)
  @ApiOperation({ operationId: 'createContainerType', summary: 'Define a container type; it exists when the answer comes' })
  @ApiBody({ type: CreateContainerTypeDto, required: true })
  @ApiResponse({ status: 202, type: ContainerTypeCreatedEnvelopeDto, description: 'the type exists; data.id is its name' })
  @ApiErrors(...BODY_ERRORS, '100920021050')
  async create(@CallerInfo() caller: Caller, @Body() body: CreateContainerTypeDto, @Req() request: FastifyRequest) {
    const type = unwrap(await this.defineType.execute({ ...caller, body }), CONTAINER_TYPE_ROUTE_CODES);
    return successEnvelope(request, { id: type.name });
  }

  @Get()
  @ApiOperation({ operationId: 'listContainerTypes', summary: "The tenant's container types, by name, page by page" })
  @PagingQuery(CONTAINER_TYPE_PAGE_LIMIT)
  @ApiOkResponse({ type: ContainerTypeListEnvelopeDto, description: 'a page of container types, by name' })
  @ApiErrors('VALIDATION_FAILED')
  async list(@CallerInfo() caller: Caller, @Query('limit') limit: unknown, @Query('cursor') cursor: unknown, @Req() request: FastifyRequest) {
    const page = unwrap(await this.listTypes.execute({ ...caller, limit, cursor }));
    return successEnvelope(request, { items: page.items.map(presentContainerType), nextCursor: page.nextCursor });
  }

  @Get(':name')
  @ApiOperation({ operationId: 'getContainerType', summary: 'One container type with its attribute configuration' })
  @TypeName()
  @ApiOkResponse({ type: ContainerTypeEnvelopeDto, description: 'the container type' })
  @ApiErrors('100920043304')
  async get(@CallerInfo() caller: Caller, @Param('name') name: string, @Req() request: FastifyRequest) {
    return successEnvelope(request, presentContainerType(unwrap(await this.getType.execute({ ...caller, name }), CONTAINER_TYPE_ROUTE_CODES)));
  }

  @Get(':name/config/attributes')
  @ApiOperation({ operationId: 'getContainerTypeAttributes', summary: "A container type's attribute configuration" })
  @TypeName()
  @ApiOkResponse({ type: AttributesConfigEnvelopeDto, description: "the type's attribute configuration" })
  @ApiErrors('100920043304')
  async getAttributes(@CallerInfo() caller: Caller, @Param('name') name: string, @Req() request: FastifyRequest) {
    const type = unwrap(await this.getType.execute({ ...caller, name }), CONTAINER_TYPE_ROUTE_CODES);
    return successEnvelope(request, presentAttributesConfig(type));
  }

  @Put(':name/config/attributes')
  @HttpCode(202)
  @ApiOperation({ operationId: 'replaceContainerTypeAttributes', summary: 'Replace the attribute configuration; stored containers are not re-checked' })
  @TypeName()
  @ApiBody({ type: AttributesBodyDto, required: true })
  @ApiResponse({ status: 202, type: AttributesReplacedEnvelopeDto, description: 'replaced; the configuration now in force' })
  @ApiErrors(...BODY_ERRORS, '100920043304')
  async putAttributes(@CallerInfo() caller: Caller, @Param('name') name: string, @Body() body: unknown, @Req() request: FastifyRequest) {
    const attributes = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>).attributes : undefined;
    const type = unwrap(await this.replaceAttributes.execute({ ...caller, name, attributes }), CONTAINER_TYPE_ROUTE_CODES);
    // 202 with the type's id, as the original answers (SuccessResponse); the configuration in force comes beside it.
    return successEnvelope(request, { id: type.name, ...presentAttributesConfig(type) });
  }
}
