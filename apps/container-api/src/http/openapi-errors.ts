// The error answers in the OpenAPI description, from the error filter's exhaustive Records
// (error-codes.ts): the codes the envelope can carry, and for each operation the answers it can
// give, one response per status with the codes of that status, so that the statuses can never
// disagree with what the filter sends.
import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { CONTAINER_TYPE_ROUTE_CODES, ErrorCode, HTTP_STATUS_OF, HTTP_STATUS_OF_OS1, Os1ErrorCode } from './error-codes';
import { ErrorEnvelopeDto } from './openapi-envelope.dto';
import { RESPONSE_HEADER } from './openapi-response-headers';

type AnsweredCode = ErrorCode | Os1ErrorCode;

const isOs1Code = (code: AnsweredCode): code is Os1ErrorCode => Object.hasOwn(HTTP_STATUS_OF_OS1, code);
const statusOf = (code: AnsweredCode): number => (isOs1Code(code) ? HTTP_STATUS_OF_OS1[code] : HTTP_STATUS_OF[code]);

/** The catalog name an OS1 code stands for on the container-type routes. */
const os1Names = new Map(Object.entries(CONTAINER_TYPE_ROUTE_CODES).map(([name, os1]) => [os1, name]));
const spell = (code: AnsweredCode) => (isOs1Code(code) ? `\`${code}\` (errorName ${os1Names.get(code) ?? '?'})` : `\`${code}\``);

/** What every API route may answer: the identity checks (§1) and an unreachable store (§12). */
export const IDENTITY_AND_STORE_ERRORS: readonly ErrorCode[] = ['MISSING_HEADER', 'INVALID_HEADER', 'UNAUTHORIZED', 'SERVICE_UNAVAILABLE'];

/** What a route that reads a body may answer about the body itself (§2, §13). */
export const BODY_ERRORS: readonly ErrorCode[] = ['VALIDATION_FAILED', 'REQUEST_TIMEOUT', 'PAYLOAD_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE'];

/**
 * The error responses of an API operation: the identity and store errors plus the ones given, one
 * response per status listing its codes. A 503 carries Retry-After.
 */
export const ApiErrors = (...codes: AnsweredCode[]) => {
  const byStatus = new Map<number, AnsweredCode[]>();
  for (const code of new Set([...IDENTITY_AND_STORE_ERRORS, ...codes])) {
    const status = statusOf(code);
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  return applyDecorators(
    ...[...byStatus.entries()]
      .sort(([a], [b]) => a - b)
      .map(([status, list]) =>
        ApiResponse({
          status,
          type: ErrorEnvelopeDto,
          description: `error.code ${list.length === 1 ? 'is' : 'is one of'} ${list.map(spell).join(', ')}`,
          ...(status === 503 ? { headers: { 'Retry-After': RESPONSE_HEADER.retryAfterUnavailable } } : {}),
        }),
      ),
  );
};
