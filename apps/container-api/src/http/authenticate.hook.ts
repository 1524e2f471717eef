// Runs on every request before fastify reads the body, so the contract's check order holds for
// every route: identity headers (400), then the access token (401), then path, query and body
// (400), then existence (404). Whether a route needs the checks is decided on the route the
// router matched, however its path was spelled; a request no route matches is answered 404 here,
// so that its body is never read either. Use cases verify the token again, which costs a cache
// lookup and keeps every other entry point as safe as HTTP.
import { AccessVerifier } from '@container-service/batch-domain';
import { FastifyRequest } from 'fastify';
import { ApiError } from './api-error';
import { RequestWithCaller } from './caller';
import { ACCESS_HEADER, actorOf, readIdentityHeaders } from './coreos-headers';
import { isApiRoute, oddSpelling } from './request-target';

const notFound = (): ApiError => new ApiError('NOT_FOUND', 'No such route. Batch routes live under /core/api/v2/containers; see /docs.');

export async function authenticate(request: FastifyRequest, access: AccessVerifier): Promise<void> {
  if (request.is404) throw notFound();
  const route = request.routeOptions.url;
  if (!isApiRoute(route)) return;
  const { requestId, tenantId, declared } = readIdentityHeaders(request.headers);
  const header = request.headers[ACCESS_HEADER];
  const accessToken = typeof header === 'string' ? header : undefined;
  const verified = await access.verify(accessToken, tenantId);
  if (!verified.ok) throw ApiError.fromDomain(verified.error);
  const odd = oddSpelling(request.raw.url ?? '', route ?? '');
  if (odd !== null) {
    throw new ApiError('VALIDATION_FAILED', 'Send the path as the route spells it: no absolute URL, escapes in its fixed words, or . and .. segments.', {
      violations: [{ path: 'path', message: odd }],
    });
  }
  (request as RequestWithCaller).caller = { requestId, tenantId, accessToken, actor: actorOf(declared, verified.value.subject, tenantId) };
}
