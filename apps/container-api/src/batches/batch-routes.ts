// Where the batch routes live and what names their target, given to every batch controller once:
// the routes sit under a target type (`core/api/v2/containers/:containerType/batch...`, contract
// §3), and the type parameter follows the container domain's rule for a type's name (the batch
// use cases get the same rule in batches.module.ts).
import { containerBatchScope } from '@container-service/container-domain';
import { Controller, Param, applyDecorators } from '@nestjs/common';
import { ApiParam, ApiTags } from '@nestjs/swagger';
import type { SchemaObject } from '@nestjs/swagger';
import { CoreosHeaders } from '../http/openapi-headers';

/** What the batch routes serve: container batches, under the container domain's type name rule. */
export const BATCH_SCOPE = containerBatchScope;
export const BATCH_TARGET_RULE = BATCH_SCOPE.targetType;
const ROOT = 'core/api/v2/containers';

/** A batch controller: its routes are relative to one target type (`batch`, `batch/status`, `batches`...). */
export const BatchController = () =>
  applyDecorators(
    ApiTags('batches'),
    CoreosHeaders(),
    ApiParam({ name: BATCH_TARGET_RULE.parameter, description: `the container type; ${BATCH_TARGET_RULE.description}`, example: 'bag' }),
    Controller(`${ROOT}/:${BATCH_TARGET_RULE.parameter}`),
  );

/** A batch id in the OpenAPI description (the batch domain's parseBatchId decides). */
export const BATCH_ID_SCHEMA: SchemaObject = {
  type: 'string',
  maxLength: 64,
  example: 'batch:2b0c7e3a-5f7e-4c1e-9d3a-0b6a4f1c2d3e',
  description: 'batch:<lower-case uuid>',
};

/** The target type the route names, as given (the use cases check it against BATCH_TARGET_RULE). */
export const TargetType = () => Param(BATCH_TARGET_RULE.parameter);

/** Where a client reads a batch's status: a file batch's under the upload route, as it was submitted. */
export const batchStatusLocation = (targetType: string, batchId: string, source: 'json' | 'file'): string =>
  `/${ROOT}/${targetType}/batch/${source === 'file' ? 'upload/' : ''}status?batchId=${batchId}`;
