// Submitting CSV file batches: POST creates, PUT updates, up to UPLOAD_MAX_ROWS rows and
// UPLOAD_MAX_BYTES bytes. The file is read as it arrives and stored in parts; the answer (202)
// comes once every row is stored. Columns follow contract §4.3.
import { BatchOperation, SubmitBatchFile } from '@container-service/batch-domain';
import { HttpCode, Inject, Post, Put, Req, Res } from '@nestjs/common';
import { ApiConsumes, ApiOperation, ApiResponse } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppConfig } from '../config/app-config';
import { ApiError, unwrap } from '../http/api-error';
import { CallerInfo } from '../http/caller';
import type { Caller } from '../http/caller';
import { setBodyEcho, successEnvelope } from '../http/envelope';
import { NOT_MULTIPART_MESSAGE } from '../http/error-rendering';
import { ErrorEnvelopeDto } from '../http/openapi-envelope.dto';
import type { BatchFileCodec } from './batch-file-codec';
import { BatchController, TargetType, batchStatusLocation } from './batch-routes';
import { SubmitHeaders } from '../http/openapi-headers';
import { UploadForm } from '../files/upload-form';
import { APP_CONFIG, BATCH_FILE_CODEC, CALLBACK_GUARD } from '../tokens';
import { CallbackAddressGuard } from '../callbacks/callback-address.guard';
import { BatchSubmittedEnvelopeDto } from './batch-submit.dto';
import { BatchSubmitted } from './batch-submitted';
import { callbackSecretOf, idempotencyKeyOf, submitFingerprint } from './submit-fingerprint';

@BatchController()
export class BatchUploadController {
  constructor(
    private readonly submitFile: SubmitBatchFile,
    private readonly submitted: BatchSubmitted,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CALLBACK_GUARD) private readonly guard: CallbackAddressGuard,
    @Inject(BATCH_FILE_CODEC) private readonly files: BatchFileCodec,
  ) {}

  @Post('batch/upload')
  @HttpCode(202)
  @SubmitHeaders()
  @ApiOperation({ summary: 'Create containers from a CSV file (multipart: file, callback?)' })
  @ApiConsumes('multipart/form-data')
  @ApiResponse({ status: 202, type: BatchSubmittedEnvelopeDto, description: 'every row stored; Location names the status URL' })
  @ApiResponse({ status: 400, type: ErrorEnvelopeDto, description: 'INVALID_FILE, VALIDATION_FAILED (callback), header errors' })
  @ApiResponse({ status: 404, type: ErrorEnvelopeDto, description: 'CONTAINER_TYPE_NOT_FOUND' })
  @ApiResponse({ status: 413, type: ErrorEnvelopeDto, description: 'PAYLOAD_TOO_LARGE: over UPLOAD_MAX_BYTES or UPLOAD_MAX_ROWS' })
  @ApiResponse({ status: 415, type: ErrorEnvelopeDto, description: 'not multipart/form-data' })
  create(@CallerInfo() caller: Caller, @TargetType() type: string, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    return this.upload('create', caller, type, request, reply);
  }

  @Put('batch/upload')
  @HttpCode(202)
  @SubmitHeaders()
  @ApiOperation({ summary: 'Update containers from a CSV file (multipart: file, callback?)' })
  @ApiConsumes('multipart/form-data')
  @ApiResponse({ status: 202, type: BatchSubmittedEnvelopeDto })
  @ApiResponse({ status: 400, type: ErrorEnvelopeDto })
  @ApiResponse({ status: 404, type: ErrorEnvelopeDto, description: 'CONTAINER_TYPE_NOT_FOUND' })
  @ApiResponse({ status: 413, type: ErrorEnvelopeDto })
  @ApiResponse({ status: 415, type: ErrorEnvelopeDto })
  update(@CallerInfo() caller: Caller, @TargetType() type: string, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    return this.upload('update', caller, type, request, reply);
  }

  private async upload(operation: BatchOperation, caller: Caller, containerType: string, request: FastifyRequest, reply: FastifyReply) {
    if (!request.isMultipart()) {
      throw new ApiError('UNSUPPORTED_MEDIA_TYPE', NOT_MULTIPART_MESSAGE);
    }
    const secret = callbackSecretOf(request);
    const key = idempotencyKeyOf(request);
    const form = new UploadForm(request, this.config.upload.maxBytes, this.guard, this.config.upload.idleTimeoutMs);
    let result;
    try {
      result = await this.submitFile.execute({
        accessToken: caller.accessToken,
        tenantId: caller.tenantId,
        targetType: containerType,
        operation,
        actor: caller.actor,
        records: this.files.records(operation, form.records()),
        finish: () => form.finish(),
        ...(key !== null ? { submission: () => ({ key, fingerprint: submitFingerprint(request, `file:${form.fileDigest}`, form.callback, secret) }) } : {}),
        callback: () => form.callbackTarget(secret, caller.requestId),
      });
    } finally {
      setBodyEcho(request, form.summary());
    }
    if (!result.ok) await form.drain();
    setBodyEcho(request, form.summary());
    const { batchId, replayed } = unwrap(result);
    if (replayed) void reply.header('Idempotent-Replayed', 'true');
    else this.submitted.notify();
    void reply.header('Location', batchStatusLocation(containerType, batchId, 'file')).header('Retry-After', '1');
    return successEnvelope(request, { id: batchId });
  }
}
