// Requests refused before any route or hook runs, answered in the envelope like every other
// error: a path the router cannot decode or whose parameter is over-long (fastify's
// frameworkErrors), and bytes that are not HTTP at all (node's clientError). Never fastify's or
// node's own error body.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { ApiError } from './api-error';
import { isValidRequestId, REQUEST_ID_HEADER } from './coreos-headers';
import { ErrorLogger, renderError } from './error-rendering';

const badPath = (message: string): ApiError =>
  new ApiError('VALIDATION_FAILED', 'The request breaks the rules listed in additionalInfo.violations.', { violations: [{ path: 'path', message }] });

function frameworkError(error: FastifyError): unknown {
  if (error.code === 'FST_ERR_BAD_URL') return badPath('holds a percent-escape that does not decode to UTF-8 text');
  // No parameter of any route is valid past 64 characters: the request is wrong, not the route.
  if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') return badPath('has a segment over 100 characters');
  return error;
}

/** fastify's `frameworkErrors` option. */
export function answerFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const requestId = request.headers[REQUEST_ID_HEADER];
  if (isValidRequestId(requestId)) void reply.header('X-COREOS-REQUEST-ID', requestId);
  const logger: ErrorLogger = { error: (object, message) => request.log.error(object, message) };
  renderError(request, reply, frameworkError(error), logger);
}

/** What node says of bytes it could not read as a request. */
function clientError(code: string | undefined): ApiError {
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return new ApiError('REQUEST_TIMEOUT', 'The request headers did not arrive in time; the connection is closed.');
  if (code === 'HPE_HEADER_OVERFLOW') return new ApiError('INVALID_HEADER', 'The request line and headers are larger than this service reads.', {});
  return new ApiError('VALIDATION_FAILED', 'The request is not valid HTTP/1.1.');
}

const REQUEST_ID_IN_PACKET = /\r\nx-coreos-request-id:[ \t]*([^\r\n]*?)[ \t]*\r\n/i;

/** fastify's `clientErrorHandler` option: answers once on the socket, then closes it. */
export function answerClientError(error: Error & { code?: string; rawPacket?: unknown }, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const inFlight = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (socket.writable && inFlight?.headersSent !== true) {
    const apiError = clientError(error.code);
    const body = JSON.stringify({
      error: { code: apiError.code, description: apiError.description, additionalInfo: apiError.additionalInfo },
      request: { uri: '', method: '', queryString: '', body: {} },
    });
    const packet = Buffer.isBuffer(error.rawPacket) ? error.rawPacket.toString('latin1') : '';
    const requestId = REQUEST_ID_IN_PACKET.exec(packet)?.[1];
    const echo = isValidRequestId(requestId) ? `X-COREOS-REQUEST-ID: ${requestId}\r\n` : '';
    socket.write(
      `HTTP/1.1 ${apiError.status} ${STATUS_CODES[apiError.status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\n${echo}Connection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}
