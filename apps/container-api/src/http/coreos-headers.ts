// The X-COREOS-* request headers: their formats and parsing, and who acted. Used by the hooks.
import { Actor } from '@container-service/batch-domain';
import { ApiError } from './api-error';
import { DeclaredActor, MAX_ACTOR_ID, USERINFO_MAX_BYTES, readUserInfo } from './userinfo';

export const REQUEST_ID_HEADER = 'x-coreos-request-id';
export const TENANT_HEADER = 'x-coreos-tid';
export const ACCESS_HEADER = 'x-coreos-access';
const USERINFO_HEADER = 'x-coreos-userinfo';

const REQUEST_ID = /^[\x21-\x7e]{1,128}$/;
const TENANT_ID = /^[A-Za-z0-9_-]{1,64}$/;

export const isValidRequestId = (value: unknown): value is string => typeof value === 'string' && REQUEST_ID.test(value);
export const isValidTenantId = (value: unknown): value is string => typeof value === 'string' && TENANT_ID.test(value);

/** Checks the headers every API route needs; throws the contract's 400 for the first problem. */
export function readIdentityHeaders(headers: Record<string, string | string[] | undefined>): { requestId: string; tenantId: string; declared: DeclaredActor } {
  const requestId = headers[REQUEST_ID_HEADER];
  if (requestId === undefined || requestId === '')
    throw new ApiError('MISSING_HEADER', 'The X-COREOS-REQUEST-ID header is required.', { header: 'X-COREOS-REQUEST-ID' });
  if (!isValidRequestId(requestId)) {
    throw new ApiError('INVALID_HEADER', 'X-COREOS-REQUEST-ID must be 1 to 128 visible ASCII characters, without spaces.', { header: 'X-COREOS-REQUEST-ID' });
  }
  const tenantId = headers[TENANT_HEADER];
  if (tenantId === undefined || tenantId === '')
    throw new ApiError('MISSING_HEADER', 'The X-COREOS-TID header (tenant id) is required.', { header: 'X-COREOS-TID' });
  if (!isValidTenantId(tenantId)) {
    throw new ApiError('INVALID_HEADER', 'X-COREOS-TID must be 1 to 64 letters, digits, underscores or hyphens.', { header: 'X-COREOS-TID' });
  }
  return { requestId, tenantId, declared: parseUserInfo(headers[USERINFO_HEADER]) };
}

/**
 * X-COREOS-USERINFO, read as well as it can be (see userinfo.ts). Its form is never refused:
 * only a value over 8 KiB is a bad header.
 */
export function parseUserInfo(raw: string | string[] | undefined): DeclaredActor {
  if (typeof raw !== 'string' || raw === '') return {};
  if (raw.length > USERINFO_MAX_BYTES) {
    throw new ApiError('INVALID_HEADER', 'X-COREOS-USERINFO may be at most 8 KiB.', { header: 'X-COREOS-USERINFO' });
  }
  return readUserInfo(raw);
}

/**
 * Who acted, never unknown: the id the header declares, else its app id, else the access token's
 * subject, else the tenant. The header's name and app id come along whatever the id.
 */
export function actorOf(declared: DeclaredActor, subject: string | null, tenantId: string): Actor {
  const sub = subject?.trim();
  const appID = declared.appID !== undefined && declared.appID.length <= MAX_ACTOR_ID ? declared.appID : undefined;
  const id = declared.id ?? appID ?? (sub && sub.length <= MAX_ACTOR_ID ? sub : tenantId);
  return { id, ...(declared.name !== undefined ? { name: declared.name } : {}), ...(declared.appID !== undefined ? { appID: declared.appID } : {}) };
}
