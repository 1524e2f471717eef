// The OpenAPI document of the service, built from the controllers' decorators. Served at /docs and
// /docs-json, and written to docs/openapi.json by the build (cli/write-openapi.ts), from which the
// typed client is generated; a test fails when the committed file is stale.
import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';

export function describeApi(app: INestApplication): OpenAPIObject {
  return SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Container Service batch API')
      .setDescription('Create and update containers in bulk and follow every batch. Compatible with the CoreOS Container Service batch API.')
      .setVersion('2')
      .build(),
  );
}

/** The committed form: two-space JSON and a final newline, so a diff shows what changed. */
export const openApiText = (document: OpenAPIObject): string => `${JSON.stringify(document, null, 2)}\n`;
