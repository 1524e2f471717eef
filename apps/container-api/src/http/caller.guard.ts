// Runs before pipes, so the contract's check order holds: identity headers (400), then the
// access token (401), then path, query and body (400). Use cases verify the token again, which
// costs a cache lookup and keeps every other entry point as safe as HTTP.
import type { AccessVerifier } from '@container-service/batch-domain';
import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiError } from './api-error';
import { IS_PUBLIC, RequestWithCaller } from './caller';
import { ACCESS_HEADER, readIdentityHeaders } from './coreos-headers';
import { ACCESS_VERIFIER } from '../tokens';

@Injectable()
export class CallerGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(ACCESS_VERIFIER) private readonly access: AccessVerifier,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()])) return true;
    const request = context.switchToHttp().getRequest<RequestWithCaller>();
    const { requestId, tenantId, actor } = readIdentityHeaders(request.headers);
    const header = request.headers[ACCESS_HEADER];
    const accessToken = typeof header === 'string' ? header : undefined;
    const verified = await this.access.verify(accessToken, tenantId);
    if (!verified.ok) throw ApiError.fromDomain(verified.error);
    request.caller = { requestId, tenantId, accessToken, actor };
    return true;
  }
}
