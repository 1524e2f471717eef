// Logs through pino: JSON lines for machines, readable lines (pino-pretty) for a person at a
// terminal. Request lines carry the request id and tenant; access tokens, callback secrets and
// user info never reach a log line, in either format.
import { LoggerService } from '@nestjs/common';
import pino, { Logger } from 'pino';
import pretty from 'pino-pretty';
import { LogFormat, LogLevel } from '../config/app-config';

const REDACTED_PATHS = [
  'req.headers["x-coreos-access"]',
  'req.headers["x-coreos-callback-secret"]',
  'req.headers.authorization',
  'headers["x-coreos-access"]',
  'headers["x-coreos-callback-secret"]',
];

/**
 * LOG_FORMAT when set; otherwise readable lines when stdout is a terminal outside production (a
 * developer watching), and JSON everywhere else (a collector reading a pipe or a file).
 */
export function logFormatFor(config: { readonly logFormat: LogFormat | null; readonly production: boolean }, stdoutIsTerminal: boolean): LogFormat {
  return config.logFormat ?? (stdoutIsTerminal && !config.production ? 'pretty' : 'json');
}

/** A logger writing to `destination` (stdout unless given) in `format`. */
export function createLogger(level: LogLevel, destination?: pino.DestinationStream, format: LogFormat = 'json'): Logger {
  const options = { level, base: { service: 'container-api' }, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } };
  if (format === 'json') return pino(options, destination);
  // In this thread, not pino's transport thread: a stop or a crash loses no line waiting there.
  return pino(options, pretty({ destination: destination ?? 1, sync: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service' }));
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
