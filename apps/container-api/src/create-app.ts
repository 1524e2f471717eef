// Builds the HTTP application: fastify with request logs and the contract's headers, the Nest
// modules, the OpenAPI document at /docs and /docs-json, and /metrics. Used by main.ts and the
// e2e tests.
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { SwaggerModule } from '@nestjs/swagger';
import multipart from '@fastify/multipart';
import { FastifyBaseLogger, LogController } from 'fastify';
import type { Bindings, ChildLoggerOptions } from 'pino';
import { CALLBACK_MAX_BYTES } from './files/upload-form';
import { AppDependencies, AppModule } from './app.module';
import { createValidationPipe } from './http/validation.pipe';
import { authenticate } from './http/authenticate.hook';
import { answerClientError, answerConnect, answerFrameworkError } from './http/framework-errors';
import { jsonBodyParser, JsonTextParser } from './http/json-body';
import { closeIfBodyUnread } from './http/unread-body';
import { ACCESS_VERIFIER } from './tokens';
import type { AccessVerifier } from '@container-service/batch-domain';
import { REQUEST_ID_HEADER, TENANT_HEADER, isValidRequestId, isValidTenantId } from './http/coreos-headers';
import { PinoNestLogger } from './logging/logger';
import { describeApi } from './http/openapi-document';
import { NOT_JSON_MESSAGE, answeredCode, isUploadRoute } from './http/error-rendering';
import { ApiError } from './http/api-error';
import { ServiceMetrics } from './metrics/service-metrics';
import { serveMetrics } from './metrics/metrics-route';
import { SERVICE_METRICS } from './tokens';

/**
 * One child logger per request, with the request id and the tenant when its header is valid: a
 * second child made in a hook cost each status read about as much as writing its log line.
 */
const requestLogger = (logger: FastifyBaseLogger, bindings: Bindings, options: ChildLoggerOptions, raw: IncomingMessage): FastifyBaseLogger => {
  const tenant = raw.headers[TENANT_HEADER];
  return logger.child(isValidTenantId(tenant) ? { ...bindings, tenant } : bindings, options);
};

export async function createApp(deps: AppDependencies): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    loggerInstance: deps.logger,
    // One line per request comes from the onResponse hook below, with the tenant in it.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: deps.config.jsonBodyMaxBytes,
    requestIdHeader: false,
    genReqId: (raw: IncomingMessage) => {
      const id = raw.headers[REQUEST_ID_HEADER];
      return isValidRequestId(id) ? id : `gen-${randomUUID()}`;
    },
    childLoggerFactory: requestLogger,
    // Keys that could reach a prototype are dropped, as every unknown field is (contract §11).
    onProtoPoisoning: 'remove',
    onConstructorPoisoning: 'remove',
    // Requests refused before routing (a path that does not decode, an over-long parameter,
    // bytes that are not HTTP) answer in the envelope too.
    frameworkErrors: answerFrameworkError,
    clientErrorHandler: answerClientError,
  });
  const fastify = adapter.getInstance();
  fastify.server.on('connect', answerConnect);
  // An Expect other than 100-continue: node would answer an empty 417 on its own. The expectation
  // is ignored instead (RFC 9110 lets a server do either), so the request gets its usual checks
  // and an answer in the envelope.
  fastify.server.on('checkExpectation', (request: IncomingMessage, response: ServerResponse) => fastify.server.emit('request', request, response));
  // JSON bodies, and multipart uploads read as streams by the upload routes; anything else is 415.
  fastify.removeContentTypeParser('text/plain');
  // JSON is read under BODY_TIMEOUT_MS, the byte limit and the nesting limit, then parsed by
  // fastify's own parser, which drops __proto__ keys and constructor keys holding a prototype.
  const parseJsonText = fastify.getDefaultJsonParser('remove', 'remove') as unknown as JsonTextParser;
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser(
    'application/json',
    jsonBodyParser({ maxBytes: deps.config.jsonBodyMaxBytes, timeoutMs: deps.config.bodyTimeoutMs }, parseJsonText),
  );
  await fastify.register(multipart, {
    limits: { fileSize: deps.config.upload.maxBytes, fieldSize: CALLBACK_MAX_BYTES, fields: 20, files: 5, parts: 50 },
    throwFileSizeLimit: true,
  });
  // The plugin takes multipart bodies on every route; only the upload routes read them, and every
  // other route with a body takes JSON: the wrong media type there, as text/plain is.
  fastify.addHook('preValidation', (request, _reply, done) => {
    done(request.isMultipart() && !isUploadRoute(request) ? new ApiError('UNSUPPORTED_MEDIA_TYPE', NOT_JSON_MESSAGE) : undefined);
  });
  // The verifier is bound once Nest has built it; the hook is added now so it runs before every route.
  let access: AccessVerifier | null = null;
  fastify.addHook('onRequest', async (request, reply) => {
    const requestId = request.headers[REQUEST_ID_HEADER];
    if (isValidRequestId(requestId)) void reply.header('X-COREOS-REQUEST-ID', requestId);
    if (access === null) throw new Error('the access verifier is not ready');
    await authenticate(request, access);
  });
  fastify.addHook('onSend', async (request, reply) => closeIfBodyUnread(request, reply));
  // Bound once Nest has built it (null with METRICS_ENABLED=false).
  let metrics: ServiceMetrics | null = null;
  fastify.addHook('onResponse', async (request, reply) => {
    const status = reply.statusCode;
    // An error's line names the code its envelope carried, so that logs can be searched by it.
    const code = status >= 400 ? answeredCode(request) : undefined;
    request.log.info(
      { method: request.method, path: request.url.split('?')[0], status, ms: Math.round(reply.elapsedTime * 10) / 10, ...(code === undefined ? {} : { code }) },
      'request served',
    );
    // The route's template, never the URL: one series per route whatever the ids in paths.
    metrics?.observeRequest(request.method, request.is404 ? null : (request.routeOptions.url ?? null), status, reply.elapsedTime / 1000);
  });

  // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment -- Nest types its options as a class, documents and reads a plain object
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.register(deps), adapter, {
    logger: new PinoNestLogger(deps.logger),
    abortOnError: false,
    // fastify's own JSON parser and the multipart plugin are the only ones: no url-encoded forms.
    bodyParser: false,
  });
  access = app.get<AccessVerifier>(ACCESS_VERIFIER);
  metrics = app.get<ServiceMetrics | null>(SERVICE_METRICS);
  // A plain fastify route, outside the Nest controllers: no token (it is no API route), and not in the OpenAPI document.
  if (metrics !== null) serveMetrics(fastify, metrics);
  app.useGlobalPipes(createValidationPipe());

  const document = describeApi(app);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });

  await app.init();
  await fastify.ready();
  // The API process is the one that stores callback secrets, so it is the one that warns.
  if (deps.config.production && deps.config.callbacks.secretKeys.length === 0) {
    deps.logger.warn('SECRETS_KEY is not set: callback secrets are stored unencrypted (see docs/operations.md, "Callback secrets")');
  }
  return app;
}
