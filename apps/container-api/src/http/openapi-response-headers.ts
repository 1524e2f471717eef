// The response headers in the OpenAPI description, one definition each, for the operations that
// send them (contract §1, §3, §4, §7).
import type { HeaderObject } from '@nestjs/swagger';

export const RESPONSE_HEADER = {
  requestId: {
    description: 'the X-COREOS-REQUEST-ID of the request, when it was valid (errors included)',
    schema: { type: 'string' },
  },
  location: {
    description:
      "the new batch's status URL (a path): /core/api/v2/containers/<type>/batch/status?batchId=batch:<uuid>, or batch/upload/status for a file batch",
    schema: { type: 'string' },
  },
  retryAfterSubmitted: { description: 'seconds before the status is worth reading: 1', schema: { type: 'integer', example: 1 } },
  retryAfterRunning: { description: 'sent while the batch is not finished: 1 (seconds)', schema: { type: 'integer', example: 1 } },
  retryAfterUnavailable: { description: 'seconds to wait before trying again', schema: { type: 'integer', example: 5 } },
  idempotentReplayed: {
    description:
      'true when this answer repeats the original 202 of an earlier submit with the same Idempotency-Key (nothing new was created); absent otherwise',
    schema: { type: 'string', enum: ['true'] },
  },
  attachment: { description: 'attachment; filename="…"', schema: { type: 'string' } },
} satisfies Record<string, HeaderObject>;

/** The headers of a 202 that accepted a batch. */
export const SUBMITTED_HEADERS = {
  Location: { ...RESPONSE_HEADER.location, required: true },
  'Retry-After': { ...RESPONSE_HEADER.retryAfterSubmitted, required: true },
};

/** ... and of a submit, which may be a replay (§7). */
export const SUBMIT_HEADERS = { ...SUBMITTED_HEADERS, 'Idempotent-Replayed': RESPONSE_HEADER.idempotentReplayed };
