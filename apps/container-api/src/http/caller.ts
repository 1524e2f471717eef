// Who is calling: the identity headers, checked by the authenticate hook, handed to controllers.
import { Actor } from '@container-service/batch-domain';
import { ExecutionContext, createParamDecorator } from '@nestjs/common';
import { FastifyRequest } from 'fastify';

export interface Caller {
  readonly requestId: string;
  readonly tenantId: string;
  readonly accessToken: string | undefined;
  /** Who acted, as X-COREOS-USERINFO, the token or the tenant tell it: always known. */
  readonly actor: Actor;
}

export type RequestWithCaller = FastifyRequest & { caller?: Caller };

export const CallerInfo = createParamDecorator((_data: unknown, context: ExecutionContext): Caller => {
  const caller = context.switchToHttp().getRequest<RequestWithCaller>().caller;
  if (!caller) throw new Error('the authenticate hook did not run for this route');
  return caller;
});
