// Container types of the calling tenant: define one, read one, list them (§9).
import {
  CONTAINER_TYPE_PAGE_LIMIT,
  DefineContainerType,
  GetContainerType,
  ListContainerTypes,
  ReplaceContainerTypeAttributes,
} from '@container-service/container-domain';
import { Body, Controller, Get, HttpCode, Param, Post, Put, Query, Req } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { unwrap } from '../http/api-error';
import { CONTAINER_TYPE_ROUTE_CODES } from '../http/error-codes';
import { CallerInfo } from '../http/caller';
import type { Caller } from '../http/caller';
import { successEnvelope } from '../http/envelope';
import { ErrorEnvelopeDto } from '../http/openapi-envelope.dto';
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
import { ApiBody } from '@nestjs/swagger';
import { presentAttributesConfig, presentContainerType } from './container-type.presenter';

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
  @ApiOperation({ summary: 'Define a container type; it exists when the answer comes' })
  @ApiResponse({ status: 202, type: ContainerTypeCreatedEnvelopeDto })
  @ApiResponse({
    status: 400,
    type: ErrorEnvelopeDto,
    description: 'VALIDATION_FAILED and header errors; 100920021050 (errorName CONTAINER_TYPE_EXISTS) for a name the tenant has',
  })
  async create(@CallerInfo() caller: Caller, @Body() body: CreateContainerTypeDto, @Req() request: FastifyRequest) {
    const type = unwrap(await this.defineType.execute({ ...caller, body }), CONTAINER_TYPE_ROUTE_CODES);
    return successEnvelope(request, { id: type.name });
  }

  @Get()
  @ApiOperation({ summary: "The tenant's container types, by name, page by page" })
  @PagingQuery(CONTAINER_TYPE_PAGE_LIMIT)
  @ApiResponse({ status: 200, type: ContainerTypeListEnvelopeDto })
  async list(@CallerInfo() caller: Caller, @Query('limit') limit: unknown, @Query('cursor') cursor: unknown, @Req() request: FastifyRequest) {
    const page = unwrap(await this.listTypes.execute({ ...caller, limit, cursor }));
    return successEnvelope(request, { items: page.items.map(presentContainerType), nextCursor: page.nextCursor });
  }

  @Get(':name')
  @ApiOperation({ summary: 'One container type with its attribute configuration' })
  @ApiResponse({ status: 200, type: ContainerTypeEnvelopeDto })
  @ApiResponse({ status: 400, type: ErrorEnvelopeDto, description: '100920043304 (errorName CONTAINER_TYPE_NOT_FOUND) for a type the tenant lacks' })
  async get(@CallerInfo() caller: Caller, @Param('name') name: string, @Req() request: FastifyRequest) {
    return successEnvelope(request, presentContainerType(unwrap(await this.getType.execute({ ...caller, name }), CONTAINER_TYPE_ROUTE_CODES)));
  }

  @Get(':name/config/attributes')
  @ApiOperation({ summary: "A container type's attribute configuration" })
  @ApiResponse({ status: 200, type: AttributesConfigEnvelopeDto })
  @ApiResponse({ status: 400, type: ErrorEnvelopeDto, description: '100920043304 (errorName CONTAINER_TYPE_NOT_FOUND) for a type the tenant lacks' })
  async getAttributes(@CallerInfo() caller: Caller, @Param('name') name: string, @Req() request: FastifyRequest) {
    const type = unwrap(await this.getType.execute({ ...caller, name }), CONTAINER_TYPE_ROUTE_CODES);
    return successEnvelope(request, presentAttributesConfig(type));
  }

  @Put(':name/config/attributes')
  @HttpCode(202)
  @ApiOperation({ summary: 'Replace the attribute configuration; stored containers are not re-checked' })
  @ApiBody({ type: AttributesBodyDto })
  @ApiResponse({ status: 202, type: AttributesReplacedEnvelopeDto })
  @ApiResponse({
    status: 400,
    type: ErrorEnvelopeDto,
    description: 'VALIDATION_FAILED; 100920043304 (errorName CONTAINER_TYPE_NOT_FOUND) for a type the tenant lacks',
  })
  async putAttributes(@CallerInfo() caller: Caller, @Param('name') name: string, @Body() body: unknown, @Req() request: FastifyRequest) {
    const attributes = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>).attributes : undefined;
    const type = unwrap(await this.replaceAttributes.execute({ ...caller, name, attributes }), CONTAINER_TYPE_ROUTE_CODES);
    // 202 with the type's id, as the original answers (SuccessResponse); the configuration in force comes beside it.
    return successEnvelope(request, { id: type.name, ...presentAttributesConfig(type) });
  }
}
