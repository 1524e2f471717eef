// Writes the Postman collection of docs/examples from the OpenAPI document (the build runs it
// after writing docs/openapi.json): `write-postman-collection <openapi.json> <examples folder>`.
import fs from 'node:fs';
import path from 'node:path';
import { COLLECTION_FILE, examplesCollectionText } from './examples-collection';

const [openApiFile, examplesDir] = process.argv.slice(2);
if (openApiFile === undefined || examplesDir === undefined) {
  process.stderr.write('usage: write-postman-collection <openapi.json> <examples folder>\n');
  process.exit(2);
}
try {
  fs.writeFileSync(path.join(examplesDir, COLLECTION_FILE), examplesCollectionText(path.resolve(openApiFile), path.resolve(examplesDir)));
} catch (error) {
  process.stderr.write(`write-postman-collection: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
