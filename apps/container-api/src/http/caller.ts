// Who is calling: the identity headers, checked by CallerGuard, handed to controllers.
import { Actor } from '@container-service/batch-domain';
import { ExecutionContext, SetMetadata, createParamDecorator } from '@nestjs/common';
import { FastifyRequest } from 'fastify';

export interface Caller {
  readonly requestId: string;
  readonly tenantId: string;
  readonly accessToken: string | undefined;
  readonly actor: Actor | null;
}

export type RequestWithCaller = FastifyRequest & { caller?: Caller };

export const CallerInfo = createParamDecorator((_data: unknown, context: ExecutionContext): Caller => {
  const caller = context.switchToHttp().getRequest<RequestWithCaller>().caller;
  if (!caller) throw new Error('CallerGuard did not run for this route');
  return caller;
});

export const IS_PUBLIC = 'coreos:public';
/** Marks a route that needs no identity headers (health checks). */
export const Public = () => SetMetadata(IS_PUBLIC, true);
