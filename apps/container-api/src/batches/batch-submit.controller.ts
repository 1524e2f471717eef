// Submitting JSON batches: POST creates, PUT updates, up to 1 024 items each. The answer (202)
// comes once the batch and every item are stored; processing happens in the background.
import { BatchOperation, SubmitBatch } from '@container-service/batch-domain';
import { Body, HttpCode, Inject, Post, Put, Req, Res } from '@nestjs/common';
import { ApiBody, ApiExtraModels, ApiOperation, ApiResponse } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiError, unwrap } from '../http/api-error';
import { CallerInfo } from '../http/caller';
import type { Caller } from '../http/caller';
import { successEnvelope } from '../http/envelope';
import { ApiErrors, BODY_ERRORS } from '../http/openapi-errors';
import { SUBMIT_HEADERS } from '../http/openapi-response-headers';
import { BATCH_CALLBACKS, BatchCallbackDto } from './batch-callback.openapi';
import { BatchController, TargetType, batchStatusLocation } from './batch-routes';
import { SubmitHeaders } from '../http/openapi-headers';
import { BatchSubmittedEnvelopeDto, CreateBatchBodyDto, UpdateBatchBodyDto } from './batch-submit.dto';
import { BatchSubmitted } from './batch-submitted';
import { callbackTarget, callbackViolation, isCallback } from './callback-input';
import { nameCreateItems } from './item-names';
import { CallbackAddressGuard } from '../callbacks/callback-address.guard';
import { CALLBACK_GUARD } from '../tokens';
import { callbackSecretOf, idempotencyKeyOf, jsonContent, submitFingerprint } from './submit-fingerprint';

@BatchController()
@ApiExtraModels(BatchCallbackDto)
export class BatchSubmitController {
  constructor(
    private readonly submitBatch: SubmitBatch,
    private readonly submitted: BatchSubmitted,
    @Inject(CALLBACK_GUARD) private readonly guard: CallbackAddressGuard,
  ) {}

  @Post('batch')
  @HttpCode(202)
  @SubmitHeaders()
  @ApiOperation({ operationId: 'submitBatch', summary: 'Create containers in a batch (1-1024 items)', callbacks: BATCH_CALLBACKS })
  @ApiBody({ type: CreateBatchBodyDto, required: true })
  @ApiResponse({ status: 202, type: BatchSubmittedEnvelopeDto, description: 'stored; Location names the status URL', headers: SUBMIT_HEADERS })
  @ApiErrors(...BODY_ERRORS, 'CONTAINER_TYPE_NOT_FOUND', 'IDEMPOTENCY_KEY_REUSED')
  create(
    @CallerInfo() caller: Caller,
    @TargetType() type: string,
    @Body() body: unknown,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return this.submit('create', caller, type, body, request, reply);
  }

  @Put('batch')
  @HttpCode(202)
  @SubmitHeaders()
  @ApiOperation({ operationId: 'submitUpdateBatch', summary: 'Update containers in a batch (1-1024 items)', callbacks: BATCH_CALLBACKS })
  @ApiBody({ type: UpdateBatchBodyDto, required: true })
  @ApiResponse({ status: 202, type: BatchSubmittedEnvelopeDto, description: 'stored; Location names the status URL', headers: SUBMIT_HEADERS })
  @ApiErrors(...BODY_ERRORS, 'CONTAINER_TYPE_NOT_FOUND', 'IDEMPOTENCY_KEY_REUSED')
  update(
    @CallerInfo() caller: Caller,
    @TargetType() type: string,
    @Body() body: unknown,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return this.submit('update', caller, type, body, request, reply);
  }

  private async submit(operation: BatchOperation, caller: Caller, containerType: string, body: unknown, request: FastifyRequest, reply: FastifyReply) {
    const secret = callbackSecretOf(request);
    const key = idempotencyKeyOf(request);
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new ApiError('VALIDATION_FAILED', 'The body must be a JSON object with a payload array.', {
        violations: [{ path: '', message: 'must be an object' }],
      });
    }
    const { payload, callback } = body as Record<string, unknown>;
    const violation = callbackViolation(callback) ?? (isCallback(callback) ? await this.guard.check(callback.url) : null);
    const named = operation === 'create' ? nameCreateItems(payload) : { payload, collisions: [] };
    // Listed with the payload's own in one answer (every violation at once); nothing is stored.
    const found = [...(violation ? [violation] : []), ...named.collisions];
    const { batchId, replayed } = unwrap(
      await this.submitBatch.execute({
        accessToken: caller.accessToken,
        tenantId: caller.tenantId,
        targetType: containerType,
        operation,
        source: 'json',
        payload: named.payload,
        actor: caller.actor,
        ...(key !== null ? { submission: { key, fingerprint: submitFingerprint(request, jsonContent(body), callback, secret) } } : {}),
        ...(violation === null && isCallback(callback) ? { callback: callbackTarget(callback, secret, caller.requestId) } : {}),
        ...(found.length > 0 ? { violations: found } : {}),
      }),
    );
    if (replayed) void reply.header('Idempotent-Replayed', 'true');
    else this.submitted.notify();
    void reply.header('Location', batchStatusLocation(containerType, batchId, 'json')).header('Retry-After', '1');
    return successEnvelope(request, { id: batchId });
  }
}
