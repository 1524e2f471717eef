// Requests refused before any route or hook runs, answered in the envelope like every other
// error: a path the router cannot decode or whose parameter is over-long (fastify's
// frameworkErrors), and bytes that are not HTTP at all (node's clientError). Never fastify's or
// node's own error body.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { IncomingMessage, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { ApiError } from './api-error';
import { isValidRequestId, REQUEST_ID_HEADER } from './coreos-headers';
import { ErrorLogger, errorBody, renderError } from './error-rendering';
import { echoedMethod } from './envelope';

const badPath = (message: string): ApiError =>
  new ApiError('VALIDATION_FAILED', 'The request breaks the rules listed in additionalInfo.violations.', { violations: [{ path: 'path', message }] });

function frameworkError(error: FastifyError): unknown {
  if (error.code === 'FST_ERR_BAD_URL') return badPath('holds a percent-escape that does not decode to UTF-8 text');
  // No parameter of any route can be valid at that length: the request is wrong, not the route.
  if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') return badPath('has a segment over 100 characters');
  return error;
}

/** fastify's `frameworkErrors` option. */
export function answerFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
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
    const packet = Buffer.isBuffer(error.rawPacket) ? error.rawPacket.toString('latin1') : '';
    writeRawAnswer(socket, clientError(error.code), REQUEST_ID_IN_PACKET.exec(packet)?.[1], { uri: '', method: '' });
  }
  socket.destroy();
}

/** The server's `connect` listener: no route serves CONNECT (without one node drops the socket unanswered). */
export function answerConnect(request: IncomingMessage, socket: Duplex): void {
  if (socket.writable) {
    const notFound = new ApiError('NOT_FOUND', 'No such route. Batch routes live under /core/api/v2/containers; see /docs.');
    writeRawAnswer(socket, notFound, request.headers[REQUEST_ID_HEADER], { uri: request.url ?? '', method: 'CONNECT' });
  }
  socket.destroy();
}

function writeRawAnswer(socket: Duplex, error: ApiError, requestId: unknown, target: { uri: string; method: string }): void {
  const body = JSON.stringify({
    error: errorBody(error),
    request: { uri: target.uri, ...echoedMethod(target.method), queryString: '', body: {} },
  });
  const echo = isValidRequestId(requestId) ? `X-COREOS-REQUEST-ID: ${requestId}\r\n` : '';
  socket.write(
    `HTTP/1.1 ${error.status} ${STATUS_CODES[error.status] ?? ''}\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n${echo}Connection: close\r\n\r\n${body}`,
  );
}
