// Runs on every API request before fastify reads the body, so the contract's check order holds
// for every route: identity headers (400), then the access token (401), then path, query and
// body (400), then existence (404). Use cases verify the token again, which costs a cache lookup
// and keeps every other entry point as safe as HTTP.
import { AccessVerifier } from '@container-service/batch-domain';
import { FastifyRequest } from 'fastify';
import { ApiError } from './api-error';
import { RequestWithCaller } from './caller';
import { ACCESS_HEADER, readIdentityHeaders } from './coreos-headers';

export const API_PREFIX = '/core/api/v2/containers';

export async function authenticate(request: FastifyRequest, access: AccessVerifier): Promise<void> {
  const url = request.raw.url ?? '';
  if (url !== API_PREFIX && !url.startsWith(`${API_PREFIX}/`) && !url.startsWith(`${API_PREFIX}?`)) return;
  const { requestId, tenantId, actor } = readIdentityHeaders(request.headers);
  const header = request.headers[ACCESS_HEADER];
  const accessToken = typeof header === 'string' ? header : undefined;
  const verified = await access.verify(accessToken, tenantId);
  if (!verified.ok) throw ApiError.fromDomain(verified.error);
  (request as RequestWithCaller).caller = { requestId, tenantId, accessToken, actor };
}
