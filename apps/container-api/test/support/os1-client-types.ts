// Generates the TypeScript types of a client of the original OS1 service from its public OpenAPI
// file, with openapi-typescript's defaults, as a client would. The result is committed under
// test/support/generated/ (so that `tsc` checks the client test against it); a test regenerates
// it and fails when the committed file is stale. Refresh it with
// `UPDATE_OS1_CLIENT=1 npx jest test/os1-client.e2e-spec.ts`.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import openapiTS, { COMMENT_HEADER, astToString } from 'openapi-typescript';

export const OS1_REFERENCE = path.resolve(__dirname, '../../../../docs/reference/os1-container-api.yaml');
const GENERATED_OS1_TYPES = path.join(__dirname, 'generated', 'os1-container-api.d.ts');

// The OpenAPI file's descriptions hold characters the lint calls irregular whitespace.
const LINT_HEADER = '/* eslint-disable */\n';

/** The generated file's text, as the CLI writes it (plus the lint line). */
export async function generateOs1Types(): Promise<string> {
  const ast = await openapiTS(pathToFileURL(OS1_REFERENCE));
  return LINT_HEADER + COMMENT_HEADER + astToString(ast);
}

export function committedOs1Types(): string {
  return fs.readFileSync(GENERATED_OS1_TYPES, 'utf8');
}

export function writeOs1Types(text: string): void {
  fs.writeFileSync(GENERATED_OS1_TYPES, text);
}
