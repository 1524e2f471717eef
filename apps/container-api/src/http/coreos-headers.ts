// The X-COREOS-* request headers: their formats and parsing. Used by the guard and the hooks.
import { Actor } from '@container-service/batch-domain';
import { ApiError } from './api-error';

export const REQUEST_ID_HEADER = 'x-coreos-request-id';
export const TENANT_HEADER = 'x-coreos-tid';
export const ACCESS_HEADER = 'x-coreos-access';
export const USERINFO_HEADER = 'x-coreos-userinfo';

const REQUEST_ID = /^[\x21-\x7e]{1,128}$/;
const TENANT_ID = /^[A-Za-z0-9_-]{1,64}$/;

export const isValidRequestId = (value: unknown): value is string => typeof value === 'string' && REQUEST_ID.test(value);
export const isValidTenantId = (value: unknown): value is string => typeof value === 'string' && TENANT_ID.test(value);

/** Checks the headers every API route needs; throws the contract's 400 for the first problem. */
export function readIdentityHeaders(headers: Record<string, string | string[] | undefined>): { requestId: string; tenantId: string; actor: Actor | null } {
  const requestId = headers[REQUEST_ID_HEADER];
  if (requestId === undefined || requestId === '') throw new ApiError('MISSING_HEADER', 'The X-COREOS-REQUEST-ID header is required.', { header: 'X-COREOS-REQUEST-ID' });
  if (!isValidRequestId(requestId)) {
    throw new ApiError('INVALID_HEADER', 'X-COREOS-REQUEST-ID must be 1 to 128 visible ASCII characters, without spaces.', { header: 'X-COREOS-REQUEST-ID' });
  }
  const tenantId = headers[TENANT_HEADER];
  if (tenantId === undefined || tenantId === '') throw new ApiError('MISSING_HEADER', 'The X-COREOS-TID header (tenant id) is required.', { header: 'X-COREOS-TID' });
  if (!isValidTenantId(tenantId)) {
    throw new ApiError('INVALID_HEADER', 'X-COREOS-TID must be 1 to 64 letters, digits, underscores or hyphens.', { header: 'X-COREOS-TID' });
  }
  return { requestId, tenantId, actor: parseUserInfo(headers[USERINFO_HEADER]) };
}

/** X-COREOS-USERINFO: a JSON object with a string id (1-64) and an optional string name (up to 256). */
export function parseUserInfo(raw: string | string[] | undefined): Actor | null {
  if (raw === undefined || raw === '') return null;
  const invalid = () =>
    new ApiError('INVALID_HEADER', 'X-COREOS-USERINFO must be a JSON object with a string id (1 to 64 characters) and an optional string name.', {
      header: 'X-COREOS-USERINFO',
    });
  if (typeof raw !== 'string') throw invalid();
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw invalid();
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw invalid();
  const { id, name } = parsed as Record<string, unknown>;
  if (typeof id !== 'string' || id.length < 1 || id.length > 64) throw invalid();
  if (name !== undefined && (typeof name !== 'string' || name.length > 256)) throw invalid();
  return name === undefined ? { id } : { id, name };
}
