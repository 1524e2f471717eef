// GET the CSV template of a container type (contract §3.3): the header line a file of one
// operation needs and one example row that passes the type's rules, as text/csv, so that a user
// can start from a file the service takes (docs/api.md, "Submitting CSV files").
import { GetContainerFileTemplate } from '@container-service/container-domain';
import { Get, Inject, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiResponse } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { unwrap } from '../http/api-error';
import { CallerInfo } from '../http/caller';
import type { Caller } from '../http/caller';
import { ApiErrors } from '../http/openapi-errors';
import { RESPONSE_HEADER } from '../http/openapi-response-headers';
import { BATCH_FILE_CODEC } from '../tokens';
import type { BatchFileCodec } from './batch-file-codec';
import { BatchController, TargetType } from './batch-routes';

@BatchController()
export class BatchTemplateController {
  constructor(
    private readonly templates: GetContainerFileTemplate,
    @Inject(BATCH_FILE_CODEC) private readonly files: BatchFileCodec,
  ) {}

  @Get('batch/upload/template')
  @ApiOperation({
    operationId: 'getUploadTemplate',
    summary:
      'A CSV template for uploads of this type: the header line (every column of the operation, one attributes.<name> per attribute) and one example row',
  })
  @ApiQuery({ name: 'operation', required: false, enum: ['create', 'update'], description: 'the upload the file is for; create when absent' })
  @ApiResponse({
    status: 200,
    description: 'text/csv: the header line, then an example row that passes the type rules (an update example names a placeholder containerId)',
    content: {
      'text/csv': {
        schema: {
          type: 'string',
          example:
            'refID,scannableId,isHazmat,isContainerizable,isReusable,parentId,trackingDetails,items,attributes.weight\r\nexample-1,,false,true,false,,,,1\r\n',
        },
      },
    },
    headers: { 'Content-Disposition': { ...RESPONSE_HEADER.attachment, description: 'attachment; filename="<type>-<operation>-template.csv"' } },
  })
  @ApiErrors('VALIDATION_FAILED', 'CONTAINER_TYPE_NOT_FOUND')
  async template(
    @CallerInfo() caller: Caller,
    @TargetType() containerType: string,
    @Query('operation') operation: unknown,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    const template = unwrap(await this.templates.execute({ accessToken: caller.accessToken, tenantId: caller.tenantId, containerType, operation }));
    const name = `${containerType}-${typeof operation === 'string' ? operation : 'create'}-template.csv`;
    void reply.type('text/csv; charset=utf-8').header('Content-Disposition', `attachment; filename="${name}"`).header('Cache-Control', 'no-store');
    return this.files.line(template.columns) + this.files.line(template.example);
  }
}
