// Turns anything thrown while serving a request into the contract's error envelope. Expected
// failures keep their code; anything unexpected becomes 503 SERVICE_UNAVAILABLE with Retry-After,
// logged in full here and never shown to the client (no stack, SQL or path in a response).
import { HttpException } from '@nestjs/common';
import { FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from './api-error';
import { isValidRequestId, REQUEST_ID_HEADER } from './coreos-headers';
import { echoRequest } from './envelope';
import { closeIfBodyUnread } from './unread-body';

const RETRY_AFTER_UNAVAILABLE_SECONDS = 5;

/** The upload routes take multipart/form-data only; every other route with a body takes JSON. */
export const NOT_MULTIPART_MESSAGE = 'Uploads are multipart/form-data with the CSV in a part named file.';
export const NOT_JSON_MESSAGE = 'Send the body as application/json.';
export const isUploadRoute = (request: FastifyRequest) => request.routeOptions.url?.endsWith('/batch/upload') === true;

function toApiError(exception: unknown, request: FastifyRequest): ApiError {
  if (exception instanceof ApiError) return exception;
  const status = statusOf(exception);
  if (status === 404) return new ApiError('NOT_FOUND', 'No such route. Batch routes live under /core/api/v2/containers; see /docs.');
  if (status === 413) return new ApiError('PAYLOAD_TOO_LARGE', 'The request body is larger than this service accepts.');
  if (status === 415) return new ApiError('UNSUPPORTED_MEDIA_TYPE', isUploadRoute(request) ? NOT_MULTIPART_MESSAGE : NOT_JSON_MESSAGE);
  if (status === 405) return new ApiError('NOT_FOUND', 'This route does not answer that method.');
  if (status === 408) return new ApiError('REQUEST_TIMEOUT', 'The request did not arrive in time; the connection is closed.');
  if (status !== null && status >= 400 && status < 500) {
    return new ApiError('VALIDATION_FAILED', `The request could not be read: ${clientMessage(exception)}`, {});
  }
  return new ApiError('SERVICE_UNAVAILABLE', 'The service cannot answer right now; retry after the delay in Retry-After.');
}

function statusOf(exception: unknown): number | null {
  if (exception instanceof HttpException) return exception.getStatus();
  const status = (exception as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' ? status : null;
}

/** Messages of client errors from fastify and Nest name the problem, never internals. */
function clientMessage(exception: unknown): string {
  // Nest wraps fastify's client errors in an HttpException whose cause is the original.
  const original = exception instanceof HttpException && exception.cause !== undefined ? exception.cause : exception;
  const code = (original as { code?: unknown } | null)?.code;
  if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return 'this content type is not accepted.';
  if (code === 'FST_ERR_CTP_EMPTY_JSON_BODY') return 'the JSON body is empty.';
  if (code === 'FST_ERR_CTP_INVALID_CONTENT_LENGTH') return 'Content-Length does not match the body.';
  if (original instanceof SyntaxError || code === 'FST_ERR_CTP_INVALID_JSON_BODY') return 'the body is not valid JSON.';
  return 'the body is not valid JSON or not of the expected shape.';
}

/** The `error` object of the envelope. Every error names itself in `additionalInfo.errorName` (§2), whichever code it is answered with. */
export function errorBody(error: ApiError): { code: string; description: string; additionalInfo: Record<string, unknown> } {
  return { code: error.wireCode, description: error.description, additionalInfo: { ...error.additionalInfo, errorName: error.code } };
}

export interface ErrorLogger {
  error(object: Record<string, unknown>, message: string): void;
}

/** The `error.code` each request was answered with, for its 'request served' log line. */
const answeredCodes = new WeakMap<FastifyRequest, string>();

/** The `error.code` of the envelope `request` was answered with; undefined when it was not an error. */
export function answeredCode(request: FastifyRequest): string | undefined {
  return answeredCodes.get(request);
}

export function renderError(request: FastifyRequest, reply: FastifyReply, exception: unknown, logger: ErrorLogger): void {
  const error = toApiError(exception, request);
  answeredCodes.set(request, error.wireCode);
  if (error.code === 'SERVICE_UNAVAILABLE' && !(exception instanceof ApiError)) {
    logger.error({ err: exception, reqId: request.id }, 'request failed unexpectedly');
  }
  if (error.code === 'SERVICE_UNAVAILABLE') reply.header('Retry-After', String(RETRY_AFTER_UNAVAILABLE_SECONDS));
  // Also for requests refused before the hook that echoes it ran (routing, framework errors).
  const requestId = request.headers[REQUEST_ID_HEADER];
  if (isValidRequestId(requestId)) void reply.header('X-COREOS-REQUEST-ID', requestId);
  closeIfBodyUnread(request, reply);
  void reply
    .status(error.status)
    .type('application/json; charset=utf-8')
    .send({ error: errorBody(error), request: echoRequest(request) });
}
