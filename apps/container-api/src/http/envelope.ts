// The contract's envelope: {data, request} on success, {error, request} on failure.
import { FastifyRequest } from 'fastify';

const BODY_ECHO_MAX_BYTES = 16 * 1024;
/** Echoes nest no deeper than a body may (64 levels), with room for an upload summary around one. */
const ECHO_MAX_DEPTH = 65;
/** Values in an echo; a 16 KiB body holds fewer. */
const ECHO_MAX_NODES = 20_000;

export interface RequestEcho {
  readonly uri: string;
  /** Absent for a method other than the three the original's schema allows (its `Method` enum). */
  readonly method?: EchoedMethod;
  readonly queryString: string;
  readonly body: unknown;
}

/** The methods the original's `Request.method` may hold; the routes take no other. */
const ECHOED_METHODS = ['GET', 'POST', 'PUT'] as const;
type EchoedMethod = (typeof ECHOED_METHODS)[number];

/** `{method}` when the original's schema can hold it, else nothing: `uri` alone is required there. */
export function echoedMethod(method: string): { method?: EchoedMethod } {
  return (ECHOED_METHODS as readonly string[]).includes(method) ? { method: method as EchoedMethod } : {};
}

export function echoRequest(request: FastifyRequest): RequestEcho {
  const url = request.raw.url ?? request.url;
  const q = url.indexOf('?');
  return {
    uri: q === -1 ? url : url.slice(0, q),
    ...echoedMethod(request.method),
    queryString: q === -1 ? '' : url.slice(q + 1),
    body: echoBody(request),
  };
}

/** What a route says its body was, for bodies that are not JSON (a multipart upload's summary). */
const bodyEchoes = new WeakMap<FastifyRequest, unknown>();
/** How many bytes of a JSON body were read, whether or not it came with Content-Length. */
const bodyBytes = new WeakMap<FastifyRequest, number>();

export function setBodyEcho(request: FastifyRequest, body: unknown): void {
  bodyEchoes.set(request, body);
}

export function recordBodyBytes(request: FastifyRequest, bytes: number): void {
  bodyBytes.set(request, bytes);
}

/**
 * The echo is decided by the bytes actually read: a body never read (refused before it was, or
 * of a type no parser reads) is `{}`, one over 16 KiB is summarised, and nothing too deep to
 * serialise safely is ever echoed. Never throws: it runs while rendering errors.
 */
function echoBody(request: FastifyRequest): unknown {
  if (request.method === 'GET' || request.method === 'HEAD') return {};
  if (bodyEchoes.has(request)) {
    const echo = bodyEchoes.get(request);
    return isSmallAndShallow(echo) ? echo : { truncated: true };
  }
  const bytes = bodyBytes.get(request);
  if (bytes === undefined) return {};
  if (bytes > BODY_ECHO_MAX_BYTES) return { truncated: true, bytes };
  const body = request.body;
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return {};
  return isSmallAndShallow(body) ? body : { truncated: true, bytes };
}

/** An iterative walk: no recursion, so no value can overflow the stack here. */
function isSmallAndShallow(value: unknown): boolean {
  const stack: Array<[unknown, number]> = [[value, 1]];
  let nodes = 0;
  while (stack.length > 0) {
    const [node, depth] = stack.pop() as [unknown, number];
    if (++nodes > ECHO_MAX_NODES) return false;
    if (node === null || typeof node !== 'object') continue;
    if (depth > ECHO_MAX_DEPTH) return false;
    const children = Object.values(node);
    if (nodes + stack.length + children.length > ECHO_MAX_NODES) return false;
    for (const child of children) stack.push([child, depth + 1]);
  }
  return true;
}

export function successEnvelope<T>(request: FastifyRequest, data: T): { data: T; request: RequestEcho } {
  return { data, request: echoRequest(request) };
}
