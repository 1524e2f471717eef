// JSON logs through pino. Request lines carry the request id and tenant; access tokens,
// callback secrets and user info never reach a log line.
import { LoggerService } from '@nestjs/common';
import pino, { Logger } from 'pino';
import { LogLevel } from '../config/app-config';

const REDACTED_PATHS = [
  'req.headers["x-coreos-access"]',
  'req.headers["x-coreos-callback-secret"]',
  'req.headers.authorization',
  'headers["x-coreos-access"]',
  'headers["x-coreos-callback-secret"]',
];

export function createLogger(level: LogLevel, destination?: pino.DestinationStream): Logger {
  return pino({ level, base: { service: 'container-api' }, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }, destination);
}

/** Nest's own messages (start-up, routes) go to the same JSON log. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}
  log(message: unknown, context?: string) {
    this.logger.debug({ context }, String(message));
  }
  error(message: unknown, trace?: string, context?: string) {
    this.logger.error({ context, trace }, String(message));
  }
  warn(message: unknown, context?: string) {
    this.logger.warn({ context }, String(message));
  }
  debug(message: unknown, context?: string) {
    this.logger.debug({ context }, String(message));
  }
  verbose(message: unknown, context?: string) {
    this.logger.trace({ context }, String(message));
  }
}
