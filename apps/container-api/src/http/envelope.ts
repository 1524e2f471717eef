// The contract's envelope: {data, request} on success, {error, request} on failure.
import { FastifyRequest } from 'fastify';

export const BODY_ECHO_MAX_BYTES = 16 * 1024;

export interface RequestEcho {
  readonly uri: string;
  readonly method: string;
  readonly queryString: string;
  readonly body: unknown;
}

export function echoRequest(request: FastifyRequest): RequestEcho {
  const url = request.raw.url ?? request.url;
  const q = url.indexOf('?');
  return {
    uri: q === -1 ? url : url.slice(0, q),
    method: request.method,
    queryString: q === -1 ? '' : url.slice(q + 1),
    body: echoBody(request),
  };
}

/** What a route says its body was, for bodies that are not JSON (a multipart upload's summary). */
const bodyEchoes = new WeakMap<FastifyRequest, unknown>();

export function setBodyEcho(request: FastifyRequest, body: unknown): void {
  bodyEchoes.set(request, body);
}

function echoBody(request: FastifyRequest): unknown {
  if (request.method === 'GET' || request.method === 'HEAD') return {};
  if (bodyEchoes.has(request)) return bodyEchoes.get(request);
  const bytes = Number(request.headers['content-length'] ?? 0);
  if (bytes > BODY_ECHO_MAX_BYTES) return { truncated: true, bytes };
  const body = request.body;
  return body !== null && typeof body === 'object' && !Array.isArray(body) ? body : {};
}

export function successEnvelope<T>(request: FastifyRequest, data: T): { data: T; request: RequestEcho } {
  return { data, request: echoRequest(request) };
}
