// The OpenAPI document of the service, built from the controllers' decorators. Served at /docs and
// /docs-json, and written to docs/openapi.json by the build (cli/write-openapi.ts), from which the
// typed client is generated; a test fails when the committed file is stale, and `npm test` lints it
// with Redocly (redocly.yaml). What the decorators cannot say route by route is added here, from
// the same rules the service follows: which routes need the identity headers (isApiRoute, as the
// authenticate hook decides) and that each of their answers echoes the request id.
import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import type { ParameterObject, PathItemObject } from '@nestjs/swagger';
import { IDENTITY_REQUIREMENT, IDENTITY_SCHEMES } from './openapi-headers';
import { RESPONSE_HEADER } from './openapi-response-headers';
import { isApiRoute } from './request-target';

const TAGS: ReadonlyArray<[string, string]> = [
  ['batches', 'Submit JSON and CSV batches, follow them (status, events, results) and control them (cancel, retry, list).'],
  ['container types', "The tenant's container types and their attribute configuration."],
  ['containers', 'Containers made by batches.'],
  ['operations', 'Probes for orchestrators; no credentials.'],
];

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

export function describeApi(app: INestApplication): OpenAPIObject {
  const builder = new DocumentBuilder()
    .setTitle('Container Service batch API')
    .setDescription(
      'Create and update containers in bulk and follow every batch. Compatible with the CoreOS Container Service batch API. ' +
        'Every route under /core/api/v2/containers needs the three identity headers (the security schemes below: Authorize in Swagger UI fills them). ' +
        'Answers come in an envelope: {data, request} on success, {error: {code, description, additionalInfo}, request} on failure.',
    )
    .setVersion('2')
    .addServer('/', 'this service');
  for (const [name, scheme] of Object.entries(IDENTITY_SCHEMES)) builder.addSecurity(name, scheme);
  for (const [name, description] of TAGS) builder.addTag(name, description);
  return finishDocument(SwaggerModule.createDocument(app, builder.build()));
}

/**
 * API routes need the identity headers, all three at once; other routes (the probes) take none,
 * as the authenticate hook decides. Every answer of an API route echoes X-COREOS-REQUEST-ID.
 */
function finishDocument(document: OpenAPIObject): OpenAPIObject {
  for (const [path, item] of Object.entries(document.paths)) {
    const api = isApiRoute(path);
    hoistPathParameters(item);
    for (const method of HTTP_METHODS) {
      const operation = item[method];
      if (!operation) continue;
      operation.security = api ? [{ ...IDENTITY_REQUIREMENT }] : [];
      if (!api) continue;
      for (const response of Object.values(operation.responses)) {
        if (response === undefined || '$ref' in response) continue;
        response.headers = { 'X-COREOS-REQUEST-ID': RESPONSE_HEADER.requestId, ...response.headers };
      }
    }
  }
  return document;
}

/**
 * Path parameters belong to the path: Nest writes them on each operation, and they move to the
 * path item. Linters that follow the current path through an operation's callbacks (the one
 * openapi-typescript runs before generating a client) would otherwise check them against the
 * callback's URL and refuse the document.
 */
function hoistPathParameters(item: PathItemObject): void {
  const operations = HTTP_METHODS.map((method) => item[method]).filter((operation) => operation !== undefined);
  const hoisted = new Map<string, ParameterObject>();
  for (const operation of operations) {
    const kept: NonNullable<typeof operation.parameters> = [];
    for (const parameter of operation.parameters ?? []) {
      if (!('$ref' in parameter) && parameter.in === 'path') {
        if (!hoisted.has(parameter.name)) hoisted.set(parameter.name, parameter);
      } else kept.push(parameter);
    }
    operation.parameters = kept;
  }
  if (hoisted.size > 0) item.parameters = [...hoisted.values(), ...(item.parameters ?? [])];
}

/** The committed form: two-space JSON and a final newline, so a diff shows what changed. */
export const openApiText = (document: OpenAPIObject): string => `${JSON.stringify(document, null, 2)}\n`;
