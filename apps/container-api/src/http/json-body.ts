// Reads a JSON request body with the limits a hostile client cannot stretch: a byte limit, a
// deadline for the whole body (BODY_TIMEOUT_MS), and a nesting limit checked on the bytes as they
// arrive, so a body too deep is refused at its 65th bracket, and nothing recursive ever sees it.
// Any refusal answers in the envelope; the rest of that body is never read (the connection is
// closed after the answer).
import { MAYBE_HUGE_NUMBER, holdsInfinity } from '@container-service/batch-domain';
import type { FastifyRequest } from 'fastify';
import type { Readable } from 'node:stream';
import { ApiError } from './api-error';
import { recordBodyBytes } from './envelope';

/** The deepest nesting of arrays and objects a JSON body (or cell) may have. */
export const MAX_JSON_DEPTH = 64;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

/**
 * Follows the nesting depth of JSON text fed in pieces. Works on UTF-8 bytes: the bytes it looks
 * at are ASCII and never part of a multi-byte character. It does not validate the text; the
 * parser does that once the depth is known to be safe.
 */
export class JsonDepthGauge {
  private depth = 0;
  private inString = false;
  private escaped = false;

  constructor(private readonly maxDepth: number = MAX_JSON_DEPTH) {}

  /** Feeds the next bytes; false once the text has gone deeper than the limit. */
  push(bytes: Uint8Array): boolean {
    for (let i = 0; i < bytes.length; i++) {
      const byte = bytes[i];
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (byte === BACKSLASH) this.escaped = true;
        else if (byte === QUOTE) this.inString = false;
      } else if (byte === QUOTE) this.inString = true;
      else if (byte === OPEN_BRACKET || byte === OPEN_BRACE) {
        if (++this.depth > this.maxDepth) return false;
      } else if (byte === CLOSE_BRACKET || byte === CLOSE_BRACE) this.depth--;
    }
    return true;
  }
}

/** Whether a parsed value nests arrays and objects deeper than `maxDepth`; iterative, so any depth is safe. */
export function valueNestsDeeperThan(value: unknown, maxDepth: number = MAX_JSON_DEPTH): boolean {
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop() as [unknown, number];
    if (node === null || typeof node !== 'object') continue;
    if (depth > maxDepth) return true;
    for (const child of Object.values(node)) stack.push([child, depth + 1]);
  }
  return false;
}

export interface JsonBodyLimits {
  readonly maxBytes: number;
  readonly timeoutMs: number;
}

type Done = (error: Error | null, body?: unknown) => void;
/** fastify's own JSON parser (prototype-poisoning checks included), given the whole text. */
export type JsonTextParser = (request: FastifyRequest, text: string, done: Done) => void;

const bodyTimedOut = (timeoutMs: number): ApiError =>
  new ApiError('REQUEST_TIMEOUT', `The request body did not arrive within ${timeoutMs} ms; the connection is closed.`, { timeoutMs });

const tooLarge = (): ApiError => new ApiError('PAYLOAD_TOO_LARGE', 'The request body is larger than this service accepts.');

const tooDeep = (): ApiError =>
  new ApiError('VALIDATION_FAILED', 'The request breaks the rules listed in additionalInfo.violations.', {
    violations: [{ path: 'body', message: `must not nest arrays and objects more than ${MAX_JSON_DEPTH} levels deep` }],
  });

const outOfRange = (): ApiError =>
  new ApiError('VALIDATION_FAILED', 'The request breaks the rules listed in additionalInfo.violations.', {
    violations: [{ path: 'body', message: 'holds a number too large to be read (it would become Infinity, and be stored as null)' }],
  });

const brokenOff = (): ApiError => new ApiError('VALIDATION_FAILED', 'The request could not be read: the body ended before it was complete.');

/** A fastify content-type parser for application/json bodies, read under `limits`. */
export function jsonBodyParser(limits: JsonBodyLimits, parseText: JsonTextParser) {
  return (request: FastifyRequest, payload: Readable, done: Done): void => {
    const declared = Number(request.headers['content-length']);
    if (declared > limits.maxBytes) {
      done(tooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    const gauge = new JsonDepthGauge();
    let bytes = 0;
    let settled = false;

    const settle = (error: ApiError | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      payload.removeListener('data', onData);
      payload.removeListener('end', onEnd);
      recordBodyBytes(request, bytes);
      if (error !== null) {
        // What is left of the body stays unread; the answer closes the connection.
        payload.pause();
        chunks.length = 0;
        done(error);
        return;
      }
      const text = chunks.length === 1 ? (chunks[0] as Buffer).toString('utf8') : Buffer.concat(chunks, bytes).toString('utf8');
      chunks.length = 0;
      const maybeHuge = MAYBE_HUGE_NUMBER.test(text);
      parseText(request, text, (error, body) => (error === null && maybeHuge && holdsInfinity(body) ? done(outOfRange()) : done(error, body)));
    };
    const onData = (chunk: Buffer | string): void => {
      const piece = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      bytes += piece.length;
      if (bytes > limits.maxBytes) settle(tooLarge());
      else if (!gauge.push(piece)) settle(tooDeep());
      else chunks.push(piece);
    };
    const onEnd = (): void => settle(!Number.isNaN(declared) && bytes !== declared ? brokenOff() : null);
    const timer = setTimeout(() => settle(bodyTimedOut(limits.timeoutMs)), limits.timeoutMs);

    payload.on('data', onData);
    payload.on('end', onEnd);
    // Stays attached: a reset after the answer has nothing left to tell.
    payload.on('error', () => settle(brokenOff()));
    payload.on('close', () => settle(brokenOff()));
    payload.resume();
  };
}
