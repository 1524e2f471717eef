// Idempotent submits (contract §7, §11), opt-in with the Idempotency-Key header. What makes two
// submits "the same request": method, path, query, the body as parsed JSON with key order ignored
// (or the file's bytes), the callback, and a hash of the callback secret. X-COREOS-REQUEST-ID is a
// correlation id only (clients reuse it) and plays no part.
import { canonicalJson } from '@container-service/container-domain';
import type { FastifyRequest } from 'fastify';
import { createHash } from 'node:crypto';
import { ApiError } from '../http/api-error';

const CALLBACK_SECRET_HEADER = 'x-coreos-callback-secret';
const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';
const SECRET = /^[\x21-\x7e]{1,256}$/;
const KEY = /^[\x20-\x7e]{1,255}$/;

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
 * The submit's Idempotency-Key, as the store keeps it, or null when the submit is not idempotent;
 * a malformed one is a bad header. The key may come bare (as Stripe's clients send it) or as a
 * structured-field string in quotes (as the IETF draft spells it): both name the same key. The
 * store gets its hash, which fits the store's key column whatever the key's length.
 */
export function idempotencyKeyOf(request: FastifyRequest): string | null {
  const value = request.headers[IDEMPOTENCY_KEY_HEADER];
  if (value === undefined) return null;
  const key = typeof value === 'string' ? unquote(value) : null;
  if (key === null || !KEY.test(key)) {
    throw new ApiError('INVALID_HEADER', 'Idempotency-Key must be 1 to 255 printable ASCII characters.', { header: 'Idempotency-Key' });
  }
  return sha256(`idempotency-key:${key}`);
}

/** `"abc"` → `abc` (with `\"` and `\\` unescaped); a bare value as it is. */
function unquote(value: string): string {
  if (value.length < 2 || !value.startsWith('"') || !value.endsWith('"')) return value;
  let out = '';
  for (let i = 1; i < value.length - 1; i++) {
    const c = value.charAt(i);
    out += c === '\\' && i + 1 < value.length - 1 ? value.charAt(++i) : c;
  }
  return out;
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
