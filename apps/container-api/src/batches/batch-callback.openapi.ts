// The callback a finished batch sends (contract §5) as an OpenAPI `callbacks` object, for the
// operations that take a `callback`: the body StatusCallbackPayloads builds, the headers
// HttpCallbackSender sends, and what the receiver's answer means.
import { ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';
import type { CallbacksObject } from '@nestjs/swagger';
import { BatchResponseDto } from './batch-response.dto';

export class BatchCallbackDto {
  @ApiProperty({ example: 'acme' }) tenantId!: string;
  @ApiProperty({ example: 'bag' }) containerType!: string;
  @ApiProperty({ example: 'batch:2b0c7e3a-5f7e-4c1e-9d3a-0b6a4f1c2d3e' }) batchId!: string;
  @ApiProperty({ enum: ['success', 'failed'], description: 'success when every item succeeded, else failed (a cancelled batch included)' }) status!: string;
  @ApiProperty({ example: '3 of 20 items failed', description: 'one line: "all 20 items succeeded", "3 of 20 items failed", or what a cancel left' })
  reason!: string;
  @ApiPropertyOptional({ type: Object, nullable: true, description: "the submit's callback.meta, as given; null when none" }) meta!: object | null;
  @ApiProperty({ type: BatchResponseDto, description: 'the batch as the status route shows it' }) data!: BatchResponseDto;
}

const header = (name: string, description: string, required: boolean, example?: string) => ({
  name,
  in: 'header' as const,
  required,
  description,
  schema: { type: 'string', ...(example !== undefined ? { example } : {}) },
});

/** POSTed to callback.url once the batch is finished (any terminal status). */
export const BATCH_CALLBACKS: CallbacksObject = {
  batchFinished: {
    '{$request.body#/callback/url}': {
      post: {
        summary: 'A batch finished',
        description:
          'Sent once the batch reaches a terminal status, to the callback.url given at submit. Any non-2xx answer, a refused connection or no complete answer within CALLBACK_TIMEOUT_MS is retried with exponential backoff (5 tries by default); redirects are not followed. ' +
          'With X-COREOS-CALLBACK-SECRET at submit, verify X-COREOS-HMAC-SIGNATURE over "<X-COREOS-TIMESTAMP>.<raw body>". The outcome shows in meta.callback of the batch.',
        parameters: [
          header('X-COREOS-REQUEST-ID', 'the X-COREOS-REQUEST-ID of the submitting request', true),
          header('X-COREOS-TID', 'the tenant of the batch', true, 'acme'),
          header('X-COREOS-TIMESTAMP', 'when this try was sent, epoch milliseconds', true, '1732780800123'),
          header(
            'X-COREOS-HMAC-SIGNATURE',
            'sha256=<hex HMAC-SHA256(secret, "<X-COREOS-TIMESTAMP>.<raw body>")>; only when the submit gave X-COREOS-CALLBACK-SECRET',
            false,
            'sha256=6f1c…',
          ),
        ],
        requestBody: { required: true, content: { 'application/json': { schema: { $ref: getSchemaPath(BatchCallbackDto) } } } },
        responses: {
          '2XX': { description: 'delivered: the callback state becomes DELIVERED (at most 64 KiB of the answer is read)' },
          '4XX': { description: 'not delivered: tried again later, as after any answer that is not 2xx, until the tries run out (then FAILED)' },
          default: { description: 'not delivered (a redirect is not followed): tried again later, until the tries run out (then FAILED)' },
        },
        security: [],
      },
    },
  },
};
