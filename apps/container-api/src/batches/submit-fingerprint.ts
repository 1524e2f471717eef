// What makes two submits "the same request" for idempotency (contract §7, §11): method, path,
// query, the body as parsed JSON with key order ignored (or the file's bytes), the callback, and
// a hash of the callback secret. The key is the tenant's X-COREOS-REQUEST-ID.
import { canonicalJson } from '@container-service/container-domain';
import type { FastifyRequest } from 'fastify';
import { createHash } from 'node:crypto';
import { ApiError } from '../http/api-error';

export const CALLBACK_SECRET_HEADER = 'x-coreos-callback-secret';
const SECRET = /^[\x21-\x7e]{1,256}$/;

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** The callback secret a submit carries, or null; a malformed one is a bad header. Never logged. */
export function callbackSecretOf(request: FastifyRequest): string | null {
  const value = request.headers[CALLBACK_SECRET_HEADER];
  if (value === undefined || value === '') return null;
  if (typeof value !== 'string' || !SECRET.test(value)) {
    throw new ApiError('INVALID_HEADER', 'X-COREOS-CALLBACK-SECRET must be 1 to 256 visible ASCII characters.', { header: 'X-COREOS-CALLBACK-SECRET' });
  }
  return value;
}

/**
 * The fingerprint of a submit. `content` is the canonical JSON of the body, or `file:<sha256>` of
 * an upload's bytes.
 */
export function submitFingerprint(request: FastifyRequest, content: string, callback: unknown, secret: string | null): string {
  const url = request.raw.url ?? request.url;
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  const query = q === -1 ? '' : url.slice(q + 1);
  return sha256(JSON.stringify([request.method, path, query, content, canonicalJson(callback ?? null), secret === null ? '' : sha256(secret)]));
}

/** The body of a JSON submit as its fingerprint sees it. */
export const jsonContent = (body: unknown): string => canonicalJson(body);
