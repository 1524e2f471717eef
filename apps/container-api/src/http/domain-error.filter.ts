// The one global filter: every exception a route throws is rendered in the contract's envelope.
import { ArgumentsHost, Catch, ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { renderError } from './error-rendering';
import type { ErrorLogger } from './error-rendering';

@Catch()
export class DomainErrorFilter implements ExceptionFilter {
  constructor(
    private readonly logger: ErrorLogger,
    /** Told of every failure, so that one showing a damaged store stops further writes (a read's included). */
    private readonly noteFailure: (exception: unknown) => void = () => undefined,
  ) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    this.noteFailure(exception);
    const http = host.switchToHttp();
    renderError(http.getRequest<FastifyRequest>(), http.getResponse<FastifyReply>(), exception, this.logger);
  }
}
